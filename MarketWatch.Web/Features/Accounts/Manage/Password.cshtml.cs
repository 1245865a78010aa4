using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using MarketWatch.Web.Infrastructure.Web;

namespace MarketWatch.Web.Features.Accounts.Manage;

/// <summary>Change the password, or set one for an account created through Google or another provider.</summary>
[RefusedInputAsFieldErrors]
public sealed class PasswordModel(
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    ApiTokens tokens,
    IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public bool HasPassword { get; private set; }

    public sealed class InputModel
    {
        [StringLength(100, ErrorMessage = "The password can be at most {1} characters long.")]
        [DataType(DataType.Password)]
        [Display(Name = "Current password")]
        public string? CurrentPassword { get; set; }

        [Required(ErrorMessage = "Enter a password.")]
        [StringLength(100, ErrorMessage = "The password can be at most {1} characters long.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password")]
        public string NewPassword { get; set; } = "";

        [Required(ErrorMessage = "Enter the password again.")]
        [StringLength(100, ErrorMessage = "The password can be at most {1} characters long.")]
        [DataType(DataType.Password)]
        [Compare(nameof(NewPassword), ErrorMessage = "The two passwords do not match.")]
        [Display(Name = "Confirm password")]
        public string ConfirmPassword { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        HasPassword = await users.HasPasswordAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        HasPassword = await users.HasPasswordAsync(user);
        // Adding a first password asks for no current one: without a recent proof a stolen session could set one.
        if (!HasPassword && !Reauthentication.IsRecent(HttpContext))
        {
            return Reauthentication.Challenge(this, "/account/manage/password");
        }
        if (HasPassword && string.IsNullOrEmpty(Input.CurrentPassword))
        {
            ModelState.AddModelError("Input.CurrentPassword", L["Enter your current password."]);
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var result = HasPassword
            ? await users.ChangePasswordAsync(user, Input.CurrentPassword!, Input.NewPassword)
            : await users.AddPasswordAsync(user, Input.NewPassword);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                var field = error.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "Input.CurrentPassword" : "Input.NewPassword";
                ModelState.AddModelError(field, error.Description);
            }
            return Page();
        }
        await tokens.RevokeAllAsync(user.Id, HttpContext.RequestAborted);
        await signIn.RefreshSignInAsync(user);
        TempData["Status"] = L["Your password was changed."].Value;
        return RedirectToPage();
    }
}
