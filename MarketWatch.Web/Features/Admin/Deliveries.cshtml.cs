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

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!FilterIsValid())
        {
            return Refused();
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
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
        // A filter value that means nothing must never widen to "every failed row".
        if (!FilterIsValid())
        {
            return Refused();
        }
        var filter = Filter();
        var ids = await outbox.ResendFailedAsync(filter, cancellationToken);
        logger.LogInformation("Admin {AdminId} resent {Count} failed deliveries (channel {Channel}, failed from {From} to {To})",
            HttpContext.UserIdOf(), ids.Count, filter.Channel?.ToString() ?? "any", filter.From, filter.To);
        return Done(ids.Count);
    }

    /// <summary>One failed row sent again (a row no longer failed is left as it is).</summary>
    public async Task<IActionResult> OnPostResendAsync(long id, CancellationToken cancellationToken)
    {
        if (!FilterIsValid() || ModelState.ContainsKey(nameof(id)) && ModelState[nameof(id)]!.Errors.Count > 0)
        {
            return BadRequest();
        }
        var ids = await outbox.ResendFailedAsync(new FailedDeliveryFilter(Ids: [id]), cancellationToken);
        if (ids.Count == 0 && !await db.Set<Delivery>().AnyAsync(d => d.Id == id, cancellationToken))
        {
            return NotFound();
        }
        logger.LogInformation("Admin {AdminId} resent failed delivery {DeliveryId} ({Count} queued)", HttpContext.UserIdOf(), id, ids.Count);
        return Done(ids.Count);
    }

    private RedirectToPageResult Done(int count)
    {
        TempData["Status"] = L["{0} failed deliveries will be sent again.", count].Value;
        return RedirectToPage(new { Channel, From, To });
    }

    /// <summary>
    /// False when a filter value could not be read (a channel or a date that is none): each such field gets its error.
    /// Model binding leaves such a field null, which would otherwise mean "any".
    /// </summary>
    private bool FilterIsValid()
    {
        var valid = true;
        foreach (var (field, message) in new[]
                 {
                     (nameof(Channel), L["Choose a channel from the list."]), (nameof(From), L["Enter a valid date."]), (nameof(To), L["Enter a valid date."]),
                 })
        {
            if (ModelState.TryGetValue(field, out var entry) && entry.Errors.Count > 0)
            {
                entry.Errors.Clear();
                ModelState.AddModelError(field, message);
                valid = false;
            }
        }
        return valid;
    }

    /// <summary>The page with the filter's field errors and no rows, as a 400.</summary>
    private PageResult Refused() => new() { StatusCode = StatusCodes.Status400BadRequest };

    private FailedDeliveryFilter Filter()
    {
        var zone = User.TimeZoneOf();
        // The first and last days there are stay filters like any other: no day after the last one (no upper bound), and
        // converting near DateTime's limits saturates instead of overflowing.
        DateTimeOffset? Start(DateOnly? day)
        {
            if (day is not { } d)
            {
                return null;
            }
            var local = d.ToDateTime(TimeOnly.MinValue);
            var offset = zone.GetUtcOffset(local);
            var utcTicks = Math.Clamp(local.Ticks - offset.Ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);
            return new DateTimeOffset(utcTicks, TimeSpan.Zero);
        }
        return new FailedDeliveryFilter(Channel, Start(From), To == DateOnly.MaxValue ? null : Start(To?.AddDays(1)));
    }

    private IQueryable<Delivery> Failed(FailedDeliveryFilter filter) =>
        db.Set<Delivery>().AsNoTracking().Where(d => d.Status == DeliveryStatus.Failed
                                                     && (filter.Channel == null || d.Channel == filter.Channel)
                                                     && (filter.From == null || d.CompletedAt >= filter.From)
                                                     && (filter.To == null || d.CompletedAt < filter.To));
}
