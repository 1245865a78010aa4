using MarketWatch.Web.Features.Accounts;
using System.ComponentModel.DataAnnotations;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>The devices that receive web push: turn it on for this one, rename or remove any.</summary>
public sealed class DevicesModel(DbContext db, UserManager<ApplicationUser> users, IStringLocalizer<SharedResource> L) : PageModel
{
    public IReadOnlyList<PushSubscription> Devices { get; private set; } = [];

    private string UserId => users.GetUserId(User)!;

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Devices = await db.Set<PushSubscription>().AsNoTracking().Where(s => s.UserId == UserId).OrderBy(s => s.Id).ToListAsync(cancellationToken);

    public async Task<IActionResult> OnPostRenameAsync(int id, [StringLength(PushSubscription.NameMaxLength)] string? name, CancellationToken cancellationToken)
    {
        var trimmed = (name ?? "").Trim();
        if (trimmed.Length is 0 or > PushSubscription.NameMaxLength)
        {
            TempData["Status"] = L["A device name is 1 to {0} characters long.", PushSubscription.NameMaxLength].Value;
            return RedirectToPage();
        }
        var changed = await db.Set<PushSubscription>().Where(s => s.Id == id && s.UserId == UserId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Name, trimmed), cancellationToken);
        if (changed == 0)
        {
            return NotFound();
        }
        TempData["Status"] = L["The device was renamed."].Value;
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRemoveAsync(int id, CancellationToken cancellationToken)
    {
        if (await db.Set<PushSubscription>().Where(s => s.Id == id && s.UserId == UserId).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return NotFound();
        }
        TempData["Status"] = L["The device will no longer receive notifications."].Value;
        return RedirectToPage();
    }
}
