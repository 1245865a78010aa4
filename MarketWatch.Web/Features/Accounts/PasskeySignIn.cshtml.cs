using MarketWatch.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>
/// Passwordless sign-in with a passkey, started from the login page: <c>Options</c> gives the browser a challenge,
/// the post checks the browser's answer and signs in. A failure shows this page with the reason and both ways on.
/// </summary>
[EnableRateLimiting(RateLimits.Auth)]
public sealed class PasskeySignInModel(
    Passkeys passkeys,
    SignInManager<ApplicationUser> signIn,
    UserManager<ApplicationUser> users,
    TimeProvider clock,
    IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? CredentialJson { get; set; }

    public string? Error { get; private set; }

    public IActionResult OnGet() => RedirectToPage("/Accounts/Login", new { ReturnUrl });

    /// <summary>Options for <c>navigator.credentials.get()</c>: no user yet, so any passkey of this site may answer.</summary>
    public async Task<IActionResult> OnPostOptionsAsync() =>
        Content(await passkeys.RequestOptionsAsync(null), "application/json");

    public async Task<IActionResult> OnPostAsync()
    {
        var result = await passkeys.VerifyAsync(CredentialJson);
        if (!result.Succeeded)
        {
            Error = PasskeyMessages.For(result.Failure!.Value, L);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        await passkeys.SignInAsync(result.User!, persistent: false);
        return await LoginModel.SignedInAsync(signIn, users, clock, result.User!.Email, LoginModel.SafeReturnUrl(ReturnUrl), this);
    }
}
