using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Accounts.Manage;

/// <summary>Download everything the account owns as JSON, or delete the account (the password confirms it).</summary>
public sealed class PrivacyModel(
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    PersonalData personalData,
    IStringLocalizer<SharedResource> L) : PageModel
{
    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }.WithEnumNames();

    public bool HasPassword { get; private set; }

    [BindProperty]
    [StringLength(256, ErrorMessage = "The password can be at most {1} characters long.")]
    [DataType(DataType.Password)]
    [Display(Name = "Password")]
    public string? Confirmation { get; set; }

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

    public async Task<IActionResult> OnPostDownloadAsync(CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        var data = await personalData.ExportAsync(user, cancellationToken);
        return File(JsonSerializer.SerializeToUtf8Bytes(data, Json), "application/json", "marketwatch-my-data.json");
    }

    public async Task<IActionResult> OnPostDeleteAsync(CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        HasPassword = await users.HasPasswordAsync(user);
        var confirmed = HasPassword
            ? !string.IsNullOrEmpty(Confirmation) && await users.CheckPasswordAsync(user, Confirmation)
            : string.Equals(Confirmation?.Trim(), user.Email, StringComparison.OrdinalIgnoreCase);
        if (!confirmed)
        {
            ModelState.AddModelError(nameof(Confirmation), HasPassword ? L["The password is wrong."] : L["Type your email address to confirm."]);
            return Page();
        }
        var result = await personalData.DeleteAsync(user, cancellationToken);
        if (!result.Succeeded)
        {
            ModelState.AddModelError(string.Empty, string.Join(" ", result.Errors.Select(e => e.Description)));
            return Page();
        }
        await signIn.SignOutAsync();
        TempData["Status"] = L["Your account and its data were deleted."].Value;
        return LocalRedirect("/");
    }
}
