using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Accounts;

public sealed class ConfirmEmailModel(UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn, Registration registration) : PageModel
{
    public bool Confirmed { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? userId, string? code)
    {
        var token = AccountMail.Decode(code);
        var user = userId is null ? null : await users.FindByIdAsync(userId);
        if (user is not null && token is not null)
        {
            Confirmed = user.EmailConfirmed || (await users.ConfirmEmailAsync(user, token)).Succeeded;
            if (Confirmed)
            {
                // The address is proven now: only now may it make the account admin (Admin:Email).
                await registration.PromoteIfConfirmedAdminAsync(user);
            }
            if (Confirmed && signIn.IsSignedIn(User) && users.GetUserId(User) == user.Id)
            {
                await signIn.RefreshSignInAsync(user);
            }
        }
        return Page();
    }
}
