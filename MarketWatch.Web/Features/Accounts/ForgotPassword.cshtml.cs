using System.ComponentModel.DataAnnotations;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using MarketWatch.Web.Infrastructure.Web;

namespace MarketWatch.Web.Features.Accounts;

[RefusedInputAsFieldErrors]
[EnableRateLimiting(RateLimits.Auth)]
public sealed class ForgotPasswordModel(UserManager<ApplicationUser> users, AccountMail mail) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256, ErrorMessage = "The email address can be at most {1} characters long.")]
    [Display(Name = "Email")]
    public string Email { get; set; } = "";

    public bool Sent { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var user = await users.FindByEmailAsync(Email.Trim());
        if (user is not null)
        {
            await mail.SendPasswordResetAsync(user, cancellationToken);
        }
        // The same answer either way: the page never tells whether an account exists.
        Sent = true;
        return Page();
    }
}
