using System.ComponentModel.DataAnnotations;
using System.Globalization;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using MarketWatch.Web.Infrastructure.Web;

namespace MarketWatch.Web.Features.Accounts;

[RefusedInputAsFieldErrors]
[EnableRateLimiting(RateLimits.Auth)]
public sealed class RegisterModel(
    Registration registration,
    SignInManager<ApplicationUser> signIn) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IList<Microsoft.AspNetCore.Authentication.AuthenticationScheme> ExternalLogins { get; private set; } = [];

    /// <summary>Set once the form was accepted: the address we wrote to.</summary>
    public string? SentTo { get; private set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your email address.")]
        [EmailAddress(ErrorMessage = "Enter a valid email address.")]
        [StringLength(256, ErrorMessage = "The email address can be at most {1} characters long.")]
        [Display(Name = "Email")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter a display name.")]
        [StringLength(ApplicationUser.DisplayNameMaxLength, ErrorMessage = "The display name can be at most {1} characters long.")]
        [RegularExpression(DisplayNames.AllowedPattern, ErrorMessage = "The display name cannot contain < or >.")]
        [NoUrl]
        [Display(Name = "Display name")]
        public string DisplayName { get; set; } = "";

        [Required(ErrorMessage = "Enter a password.")]
        [StringLength(100, ErrorMessage = "The password can be at most {1} characters long.")]
        [DataType(DataType.Password)]
        [Display(Name = "Password")]
        public string Password { get; set; } = "";

        [Required(ErrorMessage = "Enter the password again.")]
        [StringLength(100, ErrorMessage = "The password can be at most {1} characters long.")]
        [DataType(DataType.Password)]
        [Compare(nameof(Password), ErrorMessage = "The two passwords do not match.")]
        [Display(Name = "Confirm password")]
        public string ConfirmPassword { get; set; } = "";
    }

    public async Task OnGetAsync() => ExternalLogins = [.. await signIn.GetExternalAuthenticationSchemesAsync()];

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        ExternalLogins = [.. await signIn.GetExternalAuthenticationSchemesAsync()];
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var (result, _) = await registration.RegisterOrNotifyOwnerAsync(
            Input.Email, Input.Password, Input.DisplayName, CultureInfo.CurrentUICulture.TwoLetterISOLanguageName, cancellationToken);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                var field = error.Code.StartsWith("Password", StringComparison.Ordinal) ? "Input.Password" : "Input.Email";
                ModelState.AddModelError(field, error.Description);
            }
            return Page();
        }
        // The same page whether the address was new or already had an account (whose owner gets an email instead):
        // the form never tells who has an account. A new account signs in once the link is opened, or with its password.
        SentTo = Input.Email.Trim();
        return Page();
    }
}
