using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Notifications;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Admin;

/// <summary>
/// <c>/admin/deliveries</c>: failed deliveries of every user, filtered by channel and by the day they failed (the
/// admin's time zone), sent again one by one or all at once (after an outage longer than the retry schedule).
/// </summary>
public sealed class DeliveriesModel(DbContext db, NotificationOutbox outbox, IStringLocalizer<SharedResource> L, ILogger<DeliveriesModel> logger) : PageModel
{
    public const int PageSize = 100;

    [BindProperty(SupportsGet = true)]
    public Channel? Channel { get; set; }

    /// <summary>First day (inclusive) the rows failed on, in the admin's time zone.</summary>
    [BindProperty(SupportsGet = true)]
    public DateOnly? From { get; set; }

    /// <summary>Last day (inclusive).</summary>
    [BindProperty(SupportsGet = true)]
    public DateOnly? To { get; set; }

    public int Matching { get; private set; }
    public List<FailedDelivery> Rows { get; private set; } = [];

    /// <summary>The channels that can fail (in-app is delivered the moment it is written).</summary>
    public static IEnumerable<Channel> Channels => Enum.GetValues<Channel>().Where(c => c != Notifications.Channel.InApp);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var filter = Filter();
        var rows = Failed(filter);
        Matching = await rows.CountAsync(cancellationToken);
        Rows = await rows.OrderByDescending(d => d.CompletedAt).ThenByDescending(d => d.Id).Take(PageSize)
            .Select(d => new FailedDelivery(d.Id, d.Channel, db.Set<ApplicationUser>().Where(u => u.Id == d.UserId).Select(u => u.Email).FirstOrDefault(),
                d.DetailKey, d.DetailArgs, d.Attempts, d.CompletedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Every failed row the filter matches, sent again.</summary>
    public async Task<IActionResult> OnPostResendAllAsync(CancellationToken cancellationToken)
    {
        var filter = Filter();
        var ids = await outbox.ResendFailedAsync(filter, cancellationToken);
        logger.LogInformation("Admin {AdminId} resent {Count} failed deliveries (channel {Channel}, failed from {From} to {To})",
            HttpContext.UserIdOf(), ids.Count, filter.Channel?.ToString() ?? "any", filter.From, filter.To);
        return Done(ids.Count);
    }

    /// <summary>One failed row sent again (a row no longer failed is left as it is).</summary>
    public async Task<IActionResult> OnPostResendAsync(long id, CancellationToken cancellationToken)
    {
        var ids = await outbox.ResendFailedAsync(new FailedDeliveryFilter(Ids: [id]), cancellationToken);
        logger.LogInformation("Admin {AdminId} resent failed delivery {DeliveryId} ({Count} queued)", HttpContext.UserIdOf(), id, ids.Count);
        return Done(ids.Count);
    }

    private RedirectToPageResult Done(int count)
    {
        TempData["Status"] = L["{0} failed deliveries will be sent again.", count].Value;
        return RedirectToPage(new { Channel, From, To });
    }

    private FailedDeliveryFilter Filter()
    {
        var zone = User.TimeZoneOf();
        DateTimeOffset? Start(DateOnly? day) =>
            day is { } d ? new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(d.ToDateTime(TimeOnly.MinValue), zone), TimeSpan.Zero) : null;
        return new FailedDeliveryFilter(Channel, Start(From), Start(To?.AddDays(1)));
    }

    private IQueryable<Delivery> Failed(FailedDeliveryFilter filter) =>
        db.Set<Delivery>().AsNoTracking().Where(d => d.Status == DeliveryStatus.Failed
                                                     && (filter.Channel == null || d.Channel == filter.Channel)
                                                     && (filter.From == null || d.CompletedAt >= filter.From)
                                                     && (filter.To == null || d.CompletedAt < filter.To));
}
