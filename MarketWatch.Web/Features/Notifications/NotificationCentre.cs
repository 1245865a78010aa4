using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>One in-app notification, worded for the reader.</summary>
public sealed record NotificationItem(long Id, Notice Notice, DateTimeOffset CreatedAt, bool Read);

/// <summary>The in-app channel's reading side: the notification centre, the bell's count, marking as read.</summary>
public sealed class NotificationCentre(DbContext db, NoticeSources notices, TimeProvider clock)
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
            .Select(n => new { n.Id, n.CreatedAt, n.ReadAt, EventId = n.EventId ?? n.SourceEventId, n.EventSource, n.TestSourceId })
            .ToListAsync(cancellationToken);
        // Each feature words its own events, one read per feature.
        var events = new Dictionary<(short, long), Notice>();
        foreach (var group in rows.Where(r => r.EventId is not null).GroupBy(r => r.EventSource))
        {
            var worded = await notices.EventsAsync(group.Key, group.Select(r => r.EventId!.Value).ToList(), zone, cancellationToken);
            foreach (var (id, notice) in worded)
            {
                events[(group.Key, id)] = notice;
            }
        }
        // Tests carry no event: they show a sample of their item at the time they were sent, or the generic sample when
        // the item is gone (as does an event its feature no longer finds).
        var tests = rows.Where(r => r.EventId is not { } id || !events.ContainsKey((r.EventSource, id))).ToList();
        var samples = new Dictionary<long, Notice?>();
        if (tests.Count > 0)
        {
            var worded = await notices.SamplesAsync(tests.Select(r => new TestSample(r.TestSourceId, r.CreatedAt)).ToList(), zone, cancellationToken);
            var gone = tests.Where((_, i) => worded[i] is null).ToList();
            var generic = gone.Count == 0 ? [] : await notices.SamplesAsync(gone.Select(r => new TestSample(null, r.CreatedAt)).ToList(), zone, cancellationToken);
            for (var i = 0; i < tests.Count; i++)
            {
                samples[tests[i].Id] = worded[i];
            }
            for (var i = 0; i < gone.Count; i++)
            {
                samples[gone[i].Id] = generic[i];
            }
        }
        return rows.Select(row => new NotificationItem(row.Id,
            (row.EventId is { } eventId ? events.GetValueOrDefault((row.EventSource, eventId)) : null) ?? samples[row.Id]!,
            row.CreatedAt, row.ReadAt is not null)).ToList();
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
