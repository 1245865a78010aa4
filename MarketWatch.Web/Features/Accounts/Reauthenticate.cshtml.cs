using System.ComponentModel.DataAnnotations;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>
/// A signed-in user proves themself again before a sensitive change: with the second factor when it is on (an
/// authenticator or recovery code), else with the password. Failures count towards the account's lockout.
/// </summary>
[Authorize]
[EnableRateLimiting(RateLimits.Auth)]
public sealed class ReauthenticateModel(
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    Passkeys passkeys,
    IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    [StringLength(100, ErrorMessage = "The password can be at most {1} characters long.")]
    [DataType(DataType.Password)]
    [Display(Name = "Password")]
    public string? Password { get; set; }

    [BindProperty]
    [StringLength(20, ErrorMessage = "A recovery code is at most {1} characters long.")]
    [Display(Name = "Authenticator or recovery code")]
    public string? Code { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public bool UsesCode { get; private set; }
    public bool HasPassword { get; private set; }
    public bool HasPasskeys { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        await ShowAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        await ShowAsync(user);
        if (await users.IsLockedOutAsync(user))
        {
            ModelState.AddModelError(string.Empty, L["Too many failed attempts: this account is locked for 15 minutes."]);
            return Page();
        }
        var field = UsesCode ? nameof(Code) : nameof(Password);
        var proof = UsesCode ? Code?.Replace(" ", string.Empty).Replace("-", string.Empty) : Password;
        if (string.IsNullOrEmpty(proof))
        {
            ModelState.AddModelError(field, UsesCode ? L["Enter the code from your authenticator app or a recovery code."] : L["Enter your password."]);
        }
        if (!ModelState.IsValid || !HasPasswordOrCode())
        {
            return Page();
        }
        if (!await ProvesAsync(user, proof!))
        {
            await users.AccessFailedAsync(user);
            ModelState.AddModelError(field, await users.IsLockedOutAsync(user)
                ? L["Too many failed attempts: this account is locked for 15 minutes."]
                : UsesCode ? L["The code is wrong or was already used."] : L["The password is wrong."]);
            return Page();
        }
        await users.ResetAccessFailedCountAsync(user);
        await Reauthentication.RecordAsync(HttpContext);
        return LocalRedirect(LoginModel.SafeReturnUrl(ReturnUrl));
    }

    /// <summary>A passkey of this account proves it too (it is a second factor's equal: device plus PIN or biometrics).</summary>
    public async Task<IActionResult> OnPostPasskeyAsync(string? credentialJson)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        await ShowAsync(user);
        if (await passkeys.ReauthenticateAsync(User, credentialJson, L) is { } error)
        {
            ModelState.AddModelError(string.Empty, error);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        await Reauthentication.RecordAsync(HttpContext);
        return LocalRedirect(LoginModel.SafeReturnUrl(ReturnUrl));
    }

    private bool HasPasswordOrCode() => UsesCode || HasPassword;

    private async Task<bool> ProvesAsync(ApplicationUser user, string proof)
    {
        if (!UsesCode)
        {
            return await users.CheckPasswordAsync(user, proof);
        }
        // Six digits: the authenticator app (each code once, see AuthenticatorCodes); anything else: a recovery code.
        return proof.Length == 6 && proof.All(char.IsAsciiDigit)
            ? await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, proof)
            : (await users.RedeemTwoFactorRecoveryCodeAsync(user, proof)).Succeeded;
    }

    private async Task ShowAsync(ApplicationUser user)
    {
        UsesCode = await users.GetTwoFactorEnabledAsync(user);
        HasPassword = await users.HasPasswordAsync(user);
        HasPasskeys = (await passkeys.ListAsync(user)).Count > 0;
        ExternalLogins = UsesCode || HasPassword || HasPasskeys ? [] : [.. await signIn.GetExternalAuthenticationSchemesAsync()];
    }

    /// <summary>An account with neither a password nor a second factor proves itself by signing in with its provider again.</summary>
    public IList<Microsoft.AspNetCore.Authentication.AuthenticationScheme> ExternalLogins { get; private set; } = [];
}
