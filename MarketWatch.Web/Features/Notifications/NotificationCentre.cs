using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>One in-app notification, worded for the reader.</summary>
public sealed record NotificationItem(long Id, Notice Notice, DateTimeOffset CreatedAt, bool Read);

/// <summary>The in-app channel's reading side: the notification centre, the bell's count, marking as read.</summary>
public sealed class NotificationCentre(AppDbContext db, TimeProvider clock)
{
    public const int PageSize = 50;

    public Task<int> UnreadAsync(string userId, CancellationToken cancellationToken) =>
        db.Set<InAppNotification>().CountAsync(n => n.UserId == userId && n.ReadAt == null, cancellationToken);

    public Task<int> CountNewerAsync(string userId, long afterId, CancellationToken cancellationToken) =>
        db.Set<InAppNotification>().CountAsync(n => n.UserId == userId && n.Id > afterId, cancellationToken);

    public Task<long> LatestIdAsync(string userId, CancellationToken cancellationToken) =>
        db.Set<InAppNotification>().Where(n => n.UserId == userId).MaxAsync(n => (long?)n.Id, cancellationToken).ContinueWith(t => t.Result ?? 0, cancellationToken);

    /// <summary>Newest first; <paramref name="afterId"/> gives only those newer than it (the live stream's toasts).</summary>
    public async Task<List<NotificationItem>> ListAsync(string userId, long afterId, int limit, bool unreadOnly, TimeZoneInfo zone, IStringLocalizer L,
        CancellationToken cancellationToken)
    {
        var rows = await (
                from n in db.Set<InAppNotification>().AsNoTracking()
                where n.UserId == userId && n.Id > afterId && (!unreadOnly || n.ReadAt == null)
                join f in db.Set<AlertFiring>() on n.FiringId equals f.Id into firings
                from f in firings.DefaultIfEmpty()
                orderby n.Id descending
                select new
                {
                    n.Id, n.CreatedAt, n.ReadAt, n.TestAlertId,
                    Facts = f == null ? null : new FiringFacts(f.Id, f.AlertId, f.Instrument.Ticker, f.Instrument.Name, f.Condition, f.Level, f.Level2,
                        f.WindowMinutes, f.Price, f.Value, f.Note, f.FiredAt, false),
                })
            .Take(limit)
            .ToListAsync(cancellationToken);
        var items = new List<NotificationItem>(rows.Count);
        foreach (var row in rows)
        {
            // Tests carry no firing: they show a sample of their alert (or the generic sample) at the time they were sent.
            var facts = row.Facts
                        ?? (row.TestAlertId is { } alertId ? await AlertNotices.SampleAsync(db, alertId, row.CreatedAt, cancellationToken) : null)
                        ?? AlertNotices.GenericSample(row.CreatedAt);
            items.Add(new NotificationItem(row.Id, AlertNotices.Compose(facts, zone, L), row.CreatedAt, row.ReadAt is not null));
        }
        return items;
    }

    /// <summary>Marks the given notifications (or all, when <paramref name="ids"/> is null) as read; returns how many changed.</summary>
    public Task<int> MarkReadAsync(string userId, IReadOnlyCollection<long>? ids, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return db.Set<InAppNotification>()
            .Where(n => n.UserId == userId && n.ReadAt == null && (ids == null || ids.Contains(n.Id)))
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken);
    }
}
