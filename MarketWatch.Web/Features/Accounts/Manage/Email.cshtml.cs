using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using MarketWatch.Web.Infrastructure.Web;

namespace MarketWatch.Web.Features.Accounts.Manage;

/// <summary>Changing the address sends a link to the new one; nothing changes until it is opened.</summary>
[RefusedInputAsFieldErrors]
public sealed class EmailModel(UserManager<ApplicationUser> users, AccountMail mail, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256, ErrorMessage = "The email address can be at most {1} characters long.")]
    [Display(Name = "New email")]
    public string NewEmail { get; set; } = "";

    public string CurrentEmail { get; private set; } = "";
    public bool Confirmed { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        Show(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        Show(user);
        if (!Reauthentication.IsRecent(HttpContext))
        {
            return Reauthentication.Challenge(this, "/account/manage/email");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var newEmail = NewEmail.Trim();
        if (string.Equals(newEmail, user.Email, StringComparison.OrdinalIgnoreCase))
        {
            ModelState.AddModelError(nameof(NewEmail), L["This is already your email address."]);
            return Page();
        }
        // A taken address gets the same answer as a free one; its owner is told by email instead (finding 8).
        var sent = await users.FindByEmailAsync(newEmail) is { } owner
            ? await mail.SendEmailChangeAttemptAsync(owner, user.Id, cancellationToken)
            : await mail.SendEmailChangeAsync(user, newEmail, cancellationToken);
        if (sent == EmailThrottleResult.UserLimited)
        {
            // This account asked for too many emails: telling its own user says nothing about anyone else.
            ModelState.AddModelError(nameof(NewEmail), L["You asked for too many emails. Try again in an hour."]);
            return Page();
        }
        TempData["Status"] = L["We sent a link to {0}. Your address changes when you open it.", newEmail].Value;
        return RedirectToPage();
    }

    private void Show(ApplicationUser user)
    {
        CurrentEmail = user.Email ?? "";
        Confirmed = user.EmailConfirmed;
    }
}
