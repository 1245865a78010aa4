using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>
/// Sign-in with Google or an OpenID Connect provider. A provider's verified email that matches an
/// existing account links to it; otherwise a new account is created, already confirmed when the email is verified.
/// </summary>
public sealed class ExternalLoginModel(
    SignInManager<ApplicationUser> signIn,
    UserManager<ApplicationUser> users,
    Registration registration,
    AccountTakeover takeover,
    TimeProvider clock,
    IStringLocalizer<SharedResource> L) : PageModel
{
    public string? Error { get; private set; }

    public IActionResult OnGet() => RedirectToPage("/Accounts/Login");

    public async Task<IActionResult> OnPostAsync(string provider, string? returnUrl)
    {
        var schemes = await signIn.GetExternalAuthenticationSchemesAsync();
        if (!schemes.Any(s => s.Name == provider))
        {
            return NotFound();
        }
        var redirect = Url.Page("/Accounts/ExternalLogin", "Callback", new { returnUrl = LoginModel.SafeReturnUrl(returnUrl) });
        var properties = signIn.ConfigureExternalAuthenticationProperties(provider, redirect);
        return Challenge(properties, provider);
    }

    public async Task<IActionResult> OnGetCallbackAsync(string? returnUrl, string? remoteError, CancellationToken cancellationToken)
    {
        returnUrl = LoginModel.SafeReturnUrl(returnUrl);
        if (remoteError is not null)
        {
            Error = L["The provider refused the sign-in: {0}", remoteError];
            return Page();
        }
        var info = await signIn.GetExternalLoginInfoAsync();
        if (info is null)
        {
            Error = L["The sign-in with the provider did not complete. Try again."];
            return Page();
        }
        var email = info.Principal.FindFirstValue(ClaimTypes.Email) ?? info.Principal.FindFirstValue("email");
        var result = await signIn.ExternalLoginSignInAsync(info.LoginProvider, info.ProviderKey, isPersistent: false, bypassTwoFactor: false);
        if (result.Succeeded)
        {
            return await LoginModel.SignedInAsync(signIn, users, clock, email, returnUrl, this);
        }
        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("/Accounts/LoginTwoFactor", new { ReturnUrl = returnUrl });
        }
        if (result.IsLockedOut)
        {
            Error = L["Too many failed attempts: this account is locked for 15 minutes."];
            return Page();
        }
        if (string.IsNullOrEmpty(email))
        {
            Error = L["The provider did not share an email address, so no account can be created."];
            return Page();
        }

        var verified = IsEmailVerified(info);
        var user = await users.FindByEmailAsync(email);
        if (user is not null)
        {
            if (!verified)
            {
                Error = L["An account with this email already exists. Sign in with your password."];
                return Page();
            }
            var takenOver = !user.EmailConfirmed;
            if (takenOver)
            {
                // Nobody had proven this address: whoever created the account may not be its owner (pre-hijacking).
                // Secured before the link and the confirmation are saved: if this fails part-way, the next sign-in with
                // the provider finds the account still unlinked and unconfirmed, and secures it again.
                await takeover.SecureAsync(user, info.ProviderDisplayName ?? info.LoginProvider, info.LoginProvider, info.ProviderKey, cancellationToken);
            }
            var link = await users.AddLoginAsync(user, info);
            if (!link.Succeeded)
            {
                Error = string.Join(" ", link.Errors.Select(e => e.Description));
                return Page();
            }
            if (takenOver)
            {
                user.EmailConfirmed = true;
                await users.UpdateAsync(user);
                TempData["Status"] = L["You signed in with {0}, which confirmed your address. This account had never been confirmed, so we removed its password, signed out its other sessions, revoked its API tokens and removed its webhook, phone number and push devices. We sent you an email about it.", info.ProviderDisplayName ?? info.LoginProvider].Value;
            }
            await registration.PromoteIfConfirmedAdminAsync(user);
        }
        else
        {
            var name = info.Principal.FindFirstValue(ClaimTypes.Name) ?? info.Principal.FindFirstValue("name") ?? email.Split('@')[0];
            name = new string(name.Where(c => c is not '<' and not '>').Take(ApplicationUser.DisplayNameMaxLength).ToArray());
            if (DisplayNames.ContainsUrl(name))
            {
                // A provider's profile name is user-chosen text too: no web address in it.
                name = L["Investor"];
            }
            var language = System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;
            (var created, user) = await registration.RegisterAsync(email, password: null, name, language, emailConfirmed: verified, cancellationToken);
            if (!created.Succeeded || !(await users.AddLoginAsync(user, info)).Succeeded)
            {
                Error = string.Join(" ", created.Errors.Select(e => e.Description));
                return Page();
            }
        }
        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
        if (await users.GetTwoFactorEnabledAsync(user))
        {
            // Linking never skips the second factor of an account that has one.
            var again = await signIn.ExternalLoginSignInAsync(info.LoginProvider, info.ProviderKey, isPersistent: false, bypassTwoFactor: false);
            return again.RequiresTwoFactor ? RedirectToPage("/Accounts/LoginTwoFactor", new { ReturnUrl = returnUrl }) : LocalRedirect(returnUrl);
        }
        await signIn.SignInAsync(user, isPersistent: false, info.LoginProvider);
        return await LoginModel.SignedInAsync(signIn, users, clock, email, returnUrl, this);
    }

    /// <summary>
    /// Only the provider's own claim counts: <c>email_verified</c> (OpenID Connect, and Google's user information, which
    /// <see cref="AccountsSetup"/> maps to the same claim). An address without it is never treated as confirmed.
    /// </summary>
    private static bool IsEmailVerified(ExternalLoginInfo info) =>
        string.Equals(info.Principal.FindFirstValue("email_verified"), "true", StringComparison.OrdinalIgnoreCase);
}
