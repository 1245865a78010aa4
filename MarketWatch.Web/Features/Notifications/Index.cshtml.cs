using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Notifications;

/// <summary><c>/notifications</c>: the notification centre (the in-app channel), newest first; live while open.</summary>
public sealed class IndexModel(NotificationCentre centre, UserManager<ApplicationUser> users) : PageModel
{
    public List<NotificationItem> Items { get; private set; } = [];
    public int Unread { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var userId = users.GetUserId(User)!;
        Items = await centre.ListAsync(userId, 0, NotificationCentre.PageSize, unreadOnly: false, User.TimeZoneOf(), cancellationToken);
        Unread = Items.Count(i => !i.Read);
        return this.PartialOrPage("_NotificationList");
    }

    public async Task<IActionResult> OnPostReadAsync(long? id, CancellationToken cancellationToken)
    {
        await centre.MarkReadAsync(users.GetUserId(User)!, id is { } one ? [one] : null, cancellationToken);
        return RedirectToPage("/Notifications/Index");
    }
}
