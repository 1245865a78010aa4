using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>The link sent to a new address: only when it is opened does the account's email (and sign-in name) change.</summary>
public sealed class ConfirmEmailChangeModel(UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn, Registration registration) : PageModel
{
    public bool Changed { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? userId, string? email, string? code)
    {
        var token = AccountMail.Decode(code);
        var user = userId is null ? null : await users.FindByIdAsync(userId);
        if (user is not null && token is not null && !string.IsNullOrEmpty(email))
        {
            var result = await users.ChangeEmailAsync(user, email, token);
            if (result.Succeeded)
            {
                await users.SetUserNameAsync(user, email);
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
