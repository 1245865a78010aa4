using System.ComponentModel.DataAnnotations;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using MarketWatch.Web.Infrastructure.Web;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>The page the reset email links to. The token dies with the password change (the security stamp moves), so it works once.</summary>
[RefusedInputAsFieldErrors]
[EnableRateLimiting(RateLimits.Auth)]
public sealed class ResetPasswordModel(UserManager<ApplicationUser> users, ApiTokens tokens, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your email address.")]
        [EmailAddress(ErrorMessage = "Enter a valid email address.")]
        [StringLength(256, ErrorMessage = "The email address can be at most {1} characters long.")]
        [Display(Name = "Email")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter a password.")]
        [StringLength(100, ErrorMessage = "The password can be at most {1} characters long.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password")]
        public string Password { get; set; } = "";

        [Required(ErrorMessage = "Enter the password again.")]
        [StringLength(100, ErrorMessage = "The password can be at most {1} characters long.")]
        [DataType(DataType.Password)]
        [Compare(nameof(Password), ErrorMessage = "The two passwords do not match.")]
        [Display(Name = "Confirm password")]
        public string ConfirmPassword { get; set; } = "";

        [Required]
        [StringLength(2000, ErrorMessage = "This link is invalid or has expired. Ask for a new one.")]
        public string Code { get; set; } = "";
    }

    public IActionResult OnGet(string? code, string? email)
    {
        if (string.IsNullOrEmpty(code))
        {
            TempData["Status"] = L["This link is invalid or has expired. Ask for a new one."].Value;
            return RedirectToPage("/Accounts/ForgotPassword");
        }
        Input = new InputModel { Code = code, Email = email ?? "" };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var user = await users.FindByEmailAsync(Input.Email.Trim());
        var token = AccountMail.Decode(Input.Code);
        if (user is null || token is null)
        {
            ModelState.AddModelError(string.Empty, L["This link is invalid or has expired. Ask for a new one."]);
            return Page();
        }
        var result = await users.ResetPasswordAsync(user, token, Input.Password);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(error.Code.StartsWith("Password", StringComparison.Ordinal) ? "Input.Password" : string.Empty, error.Description);
            }
            return Page();
        }
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        await tokens.RevokeAllAsync(user.Id, HttpContext.RequestAborted);
        TempData["Status"] = L["Your password was changed. Sign in with the new one."].Value;
        return RedirectToPage("/Accounts/Login");
    }
}
