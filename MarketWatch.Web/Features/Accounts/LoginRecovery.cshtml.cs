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
public sealed class LoginRecoveryModel(
    SignInManager<ApplicationUser> signIn,
    UserManager<ApplicationUser> users,
    TimeProvider clock,
    IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter one of your recovery codes.")]
    [StringLength(20, ErrorMessage = "A recovery code is at most {1} characters long.")]
    [Display(Name = "Recovery code")]
    public string Code { get; set; } = "";

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
        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(Code.Replace(" ", string.Empty));
        if (result.Succeeded)
        {
            return await LoginModel.SignedInAsync(signIn, users, clock, user.Email, LoginModel.SafeReturnUrl(ReturnUrl), this);
        }
        ModelState.AddModelError(nameof(Code), result.IsLockedOut
            ? L["Too many failed attempts: this account is locked for 15 minutes."]
            : L["This recovery code is wrong or was already used."]);
        return Page();
    }
}
