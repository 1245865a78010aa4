using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Infrastructure.Web;

namespace MarketWatch.Web.Features.Accounts.Manage;

[RefusedInputAsFieldErrors]
public sealed class IndexModel(
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    TimeProvider clock,
    IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    public ProfileInput Input { get; set; } = new();

    public string Email { get; private set; } = "";
    public DateTimeOffset MemberSince { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        Input = ProfileInput.From(user);
        Show(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        Show(user);
        if (!ModelState.IsValid)
        {
            return Page();
        }
        Input.ApplyTo(user);
        var result = await users.UpdateAsync(user);
        if (!result.Succeeded)
        {
            ModelState.AddModelError(string.Empty, string.Join(" ", result.Errors.Select(e => e.Description)));
            return Page();
        }
        await signIn.RefreshSignInAsync(user);
        Response.RememberLanguage(user.Language, clock.GetUtcNow());
        Response.Cookies.Delete(Preferences.ThemeCookie);
        using (Languages.Use(user.Language))
        {
            TempData["Status"] = L["Your profile was saved."].Value;
        }
        return RedirectToPage();
    }

    private void Show(ApplicationUser user)
    {
        Email = user.Email ?? "";
        MemberSince = user.CreatedAt;
    }
}
