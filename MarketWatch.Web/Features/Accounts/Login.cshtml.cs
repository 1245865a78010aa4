using System.ComponentModel.DataAnnotations;
using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using MarketWatch.Web.Infrastructure.Web;

namespace MarketWatch.Web.Features.Accounts;

[RefusedInputAsFieldErrors]
[EnableRateLimiting(RateLimits.Auth)]
public sealed class LoginModel(
    SignInManager<ApplicationUser> signIn,
    UserManager<ApplicationUser> users,
    UnknownAccounts unknown,
    TimeProvider clock,
    IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public IList<Microsoft.AspNetCore.Authentication.AuthenticationScheme> ExternalLogins { get; private set; } = [];

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your email address.")]
        [StringLength(256, ErrorMessage = "The email address can be at most {1} characters long.")]
        [Display(Name = "Email")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter a password.")]
        [StringLength(100, ErrorMessage = "The password can be at most {1} characters long.")]
        [DataType(DataType.Password)]
        [Display(Name = "Password")]
        public string Password { get; set; } = "";

        [Display(Name = "Remember me")]
        public bool RememberMe { get; set; }
    }

    public async Task OnGetAsync()
    {
        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
        ExternalLogins = [.. await signIn.GetExternalAuthenticationSchemesAsync()];
    }

    public async Task<IActionResult> OnPostAsync()
    {
        ExternalLogins = [.. await signIn.GetExternalAuthenticationSchemesAsync()];
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var user = await users.FindByEmailAsync(Input.Email.Trim());
        if (user is null)
        {
            // No account: the same work (a hash checked, a failure counted) and the same answers as a wrong password.
            var locked = await unknown.IsLockedOutAsync(Input.Email, HttpContext.RequestAborted)
                         || await unknown.FailAsync(Input.Email, Input.Password, HttpContext.RequestAborted);
            ModelState.AddModelError(string.Empty, locked
                ? L["Too many failed attempts: this account is locked for 15 minutes."]
                : L["Wrong email or password."]);
            return Page();
        }
        var result = await signIn.PasswordSignInAsync(user, Input.Password, Input.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return await SignedInAsync(signIn, users, clock, Input.Email, SafeReturnUrl(ReturnUrl), this);
        }
        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("/Accounts/LoginTwoFactor", new { ReturnUrl, Input.RememberMe });
        }
        ModelState.AddModelError(string.Empty, result.IsLockedOut
            ? L["Too many failed attempts: this account is locked for 15 minutes."]
            : L["Wrong email or password."]);
        return Page();
    }

    public static string SafeReturnUrl(string? returnUrl) => Preferences.IsLocal(returnUrl) ? returnUrl! : "/";

    /// <summary>After any successful sign-in: the profile's language becomes the remembered choice.</summary>
    public static async Task<IActionResult> SignedInAsync(
        SignInManager<ApplicationUser> signIn, UserManager<ApplicationUser> users, TimeProvider clock, string? email, string returnUrl, PageModel page)
    {
        var user = email is null ? null : await users.FindByEmailAsync(email.Trim());
        if (user is not null)
        {
            page.Response.RememberLanguage(user.Language, clock.GetUtcNow());
        }
        return page.LocalRedirect(returnUrl);
    }
}
