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
    SignInManager<ApplicationUser> signIn,
    IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IList<Microsoft.AspNetCore.Authentication.AuthenticationScheme> ExternalLogins { get; private set; } = [];

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
        var (result, user) = await registration.RegisterAsync(
            Input.Email, Input.Password, Input.DisplayName, CultureInfo.CurrentUICulture.TwoLetterISOLanguageName,
            cancellationToken: cancellationToken);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                var field = error.Code.StartsWith("Password", StringComparison.Ordinal) ? "Input.Password" : "Input.Email";
                ModelState.AddModelError(field, error.Description);
            }
            return Page();
        }
        await signIn.SignInAsync(user, isPersistent: false);
        TempData["Status"] = L["Welcome to MarketWatch! We sent a confirmation link to {0}.", user.Email!].Value;
        return LocalRedirect("/");
    }
}
