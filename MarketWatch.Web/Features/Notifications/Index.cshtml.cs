using Htmx;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Notifications;

/// <summary><c>/notifications</c>: the notification centre (the in-app channel), newest first; live while open.</summary>
public sealed class IndexModel(NotificationCentre centre, NotificationOutbox outbox, UserManager<ApplicationUser> users, IStringLocalizer<SharedResource> L) : PageModel
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

    /// <summary>
    /// Sends one of the user's failed deliveries again (the Resend button of a delivery row, wherever it is listed).
    /// htmx gets the row back, watching itself until it is settled; a plain form post goes back to the page it came from.
    /// Another user's row is not found; a row that has not failed stays as it is.
    /// </summary>
    public async Task<IActionResult> OnPostResendAsync(long id, string? at, string? returnUrl, CancellationToken cancellationToken)
    {
        var result = await outbox.ResendOneAsync(users.GetUserId(User)!, id, cancellationToken);
        if (result.Row is null)
        {
            return NotFound();
        }
        string message = result.Outcome == ResendOutcome.Queued
            ? L["It will be sent again in a moment."]
            : L["Only a failed delivery can be sent again; this one is {0}.", DeliveryText.Status(result.Row.Delivery.Status, L)];
        if (!Request.IsHtmx())
        {
            TempData["Status"] = message;
            return Preferences.IsLocal(returnUrl) ? LocalRedirect(returnUrl!) : RedirectToPage("/Notifications/Settings");
        }
        // A row that is no longer Failed (sent meanwhile, or resent from another tab) comes back as it is: its state is the answer.
        return Row(result.Row, at);
    }

    /// <summary>One delivery row as it is now (a resent row polls this until it is sent, skipped or failed again).</summary>
    public async Task<IActionResult> OnGetDeliveryAsync(long id, string? at, CancellationToken cancellationToken) =>
        await outbox.FindAsync(users.GetUserId(User)!, id, cancellationToken) is { } delivery ? Row(delivery, at) : NotFound();

    private PartialViewResult Row(TestDelivery row, string? at)
    {
        Response.Headers.CacheControl = "no-store";
        // The time a row shows is when it was asked for (a resend does not change it); only the lists of tests show it.
        var partial = Partial("/Features/Notifications/_Delivery.cshtml", (row.Delivery, at == "1" ? row.CreatedAt : (DateTimeOffset?)null));
        partial.ViewData["WatchDelivery"] = true;
        return partial;
    }
}
