using System.ComponentModel.DataAnnotations;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using MarketWatch.Web.Infrastructure.Web;

namespace MarketWatch.Web.Features.Accounts;

[RefusedInputAsFieldErrors]
[EnableRateLimiting(RateLimits.Auth)]
public sealed class LoginTwoFactorModel(
    SignInManager<ApplicationUser> signIn,
    UserManager<ApplicationUser> users,
    TimeProvider clock,
    IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter the code from your authenticator app.")]
    [StringLength(7, MinimumLength = 6, ErrorMessage = "The code has 6 digits.")]
    [Display(Name = "Authenticator code")]
    public string Code { get; set; } = "";

    [BindProperty]
    public bool RememberMachine { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool RememberMe { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? RedirectToPage("/Accounts/Login") : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("/Accounts/Login");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var code = Code.Replace(" ", string.Empty).Replace("-", string.Empty);
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, RememberMe, RememberMachine);
        if (result.Succeeded)
        {
            return await LoginModel.SignedInAsync(signIn, users, clock, user.Email, LoginModel.SafeReturnUrl(ReturnUrl), this);
        }
        ModelState.AddModelError(nameof(Code), result.IsLockedOut
            ? L["Too many failed attempts: this account is locked for 15 minutes."]
            : L["The code is wrong. Check your authenticator app and try again."]);
        return Page();
    }
}
