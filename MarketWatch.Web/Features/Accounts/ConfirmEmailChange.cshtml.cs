using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>
/// The link sent to a new address: only when it is opened does the account's email (and sign-in name) change.
/// Changing the address updates the security stamp (every other browser is signed out), revokes the bearer tokens, and
/// tells the old address.
/// </summary>
public sealed class ConfirmEmailChangeModel(UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn, ApiTokens tokens, AccountMail mail, Registration registration) : PageModel
{
    public bool Changed { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? userId, string? email, string? code, CancellationToken cancellationToken)
    {
        var token = AccountMail.Decode(code);
        var user = userId is null ? null : await users.FindByIdAsync(userId);
        if (user is not null && token is not null && !string.IsNullOrEmpty(email))
        {
            var (oldEmail, oldConfirmed) = (user.Email, user.EmailConfirmed);
            var result = await users.ChangeEmailAsync(user, email, token);
            if (result.Succeeded)
            {
                await users.SetUserNameAsync(user, email);
                await tokens.RevokeAllAsync(user.Id, cancellationToken);
                // An address never confirmed may not be the account owner's: it gets no mail with text the user chose.
                if (oldConfirmed && !string.IsNullOrEmpty(oldEmail))
                {
                    await mail.SendEmailChangedNoticeAsync(user, oldEmail, cancellationToken);
                }
                Changed = true;
                await registration.PromoteIfConfirmedAdminAsync(user);
                if (signIn.IsSignedIn(User) && users.GetUserId(User) == user.Id)
                {
                    await signIn.RefreshSignInAsync(user);
                }
            }
        }
        return Page();
    }
}
