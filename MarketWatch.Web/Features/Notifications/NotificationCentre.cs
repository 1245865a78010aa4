using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>One in-app notification, worded for the reader.</summary>
public sealed record NotificationItem(long Id, Notice Notice, DateTimeOffset CreatedAt, bool Read);

/// <summary>The in-app channel's reading side: the notification centre, the bell's count, marking as read.</summary>
public sealed class NotificationCentre(DbContext db, INoticeSource notices, TimeProvider clock)
{
    public const int PageSize = 50;

    public Task<int> UnreadAsync(string userId, CancellationToken cancellationToken) =>
        db.Set<InAppNotification>().CountAsync(n => n.UserId == userId && n.ReadAt == null, cancellationToken);

    public Task<int> CountNewerAsync(string userId, long afterId, CancellationToken cancellationToken) =>
        db.Set<InAppNotification>().CountAsync(n => n.UserId == userId && n.Id > afterId, cancellationToken);

    public async Task<long> LatestIdAsync(string userId, CancellationToken cancellationToken) =>
        await db.Set<InAppNotification>().Where(n => n.UserId == userId).MaxAsync(n => (long?)n.Id, cancellationToken) ?? 0;

    /// <summary>Newest first; <paramref name="afterId"/> gives only those newer than it (the live stream's toasts).</summary>
    public async Task<List<NotificationItem>> ListAsync(string userId, long afterId, int limit, bool unreadOnly, TimeZoneInfo zone,
        CancellationToken cancellationToken)
    {
        var rows = await db.Set<InAppNotification>().AsNoTracking()
            .Where(n => n.UserId == userId && n.Id > afterId && (!unreadOnly || n.ReadAt == null))
            .OrderByDescending(n => n.Id)
            .Take(limit)
            .Select(n => new { n.Id, n.CreatedAt, n.ReadAt, n.EventId, n.TestSourceId })
            .ToListAsync(cancellationToken);
        var eventIds = rows.Where(r => r.EventId is not null).Select(r => r.EventId!.Value).ToList();
        var events = eventIds.Count == 0 ? new Dictionary<long, Notice>() : await notices.EventsAsync(eventIds, zone, cancellationToken);
        var items = new List<NotificationItem>(rows.Count);
        foreach (var row in rows)
        {
            // Tests carry no event: they show a sample of their item (or the generic sample) at the time they were sent.
            var notice = (row.EventId is { } eventId ? events.GetValueOrDefault(eventId) : null)
                         ?? await notices.SampleAsync(row.TestSourceId, row.CreatedAt, zone, cancellationToken)
                         ?? await notices.SampleAsync(null, row.CreatedAt, zone, cancellationToken);
            items.Add(new NotificationItem(row.Id, notice!, row.CreatedAt, row.ReadAt is not null));
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
