using System.ComponentModel.DataAnnotations;
using Htmx;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>Sends the confirmation link again: to the signed-in user, or to an address typed in (without saying whether it exists).</summary>
[EnableRateLimiting(RateLimits.Auth)]
public sealed class ResendConfirmationModel(
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    AccountMail mail,
    IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256, ErrorMessage = "The email address can be at most {1} characters long.")]
    [Display(Name = "Email")]
    public string? Email { get; set; }

    public bool Sent { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (signIn.IsSignedIn(User) && string.IsNullOrEmpty(Email))
        {
            var me = await users.GetUserAsync(User);
            var sent = me is not null && !me.EmailConfirmed
                ? await mail.SendConfirmationAsync(me, cancellationToken)
                : EmailThrottleResult.Allowed;
            // The signed-in owner of the address may hear that it got its share of emails; an anonymous visitor never does.
            var message = sent == EmailThrottleResult.Allowed
                ? L["We sent a new confirmation link to {0}.", me?.Email ?? ""].Value
                : L["You asked for too many emails. Try again in an hour."].Value;
            // From the banner with htmx: answer with the fragment that replaces the button, no reload.
            if (Request.IsHtmx())
            {
                return Partial("_ResendResult", message);
            }
            TempData["Status"] = message;
            return LocalRedirect("/");
        }
        if (string.IsNullOrWhiteSpace(Email))
        {
            ModelState.AddModelError(nameof(Email), L["Enter your email address."]);
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var user = await users.FindByEmailAsync(Email!.Trim());
        if (user is not null && !user.EmailConfirmed)
        {
            await mail.SendConfirmationAsync(user, cancellationToken);
        }
        Sent = true;
        return Page();
    }
}
