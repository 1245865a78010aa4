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

    public async Task<long> LatestIdAsync(string userId, CancellationToken cancellationToken) =>
        await db.Set<InAppNotification>().Where(n => n.UserId == userId).MaxAsync(n => (long?)n.Id, cancellationToken) ?? 0;

    /// <summary>Newest first; <paramref name="afterId"/> gives only those newer than it (the live stream's toasts).</summary>
    public async Task<List<NotificationItem>> ListAsync(string userId, long afterId, int limit, bool unreadOnly, TimeZoneInfo zone, IStringLocalizer L,
        CancellationToken cancellationToken)
    {
        var rows = await db.Set<InAppNotification>().AsNoTracking()
            .Where(n => n.UserId == userId && n.Id > afterId && (!unreadOnly || n.ReadAt == null))
            .OrderByDescending(n => n.Id)
            .Take(limit)
            .Select(n => new { n.Id, n.CreatedAt, n.ReadAt, n.FiringId, n.TestAlertId })
            .ToListAsync(cancellationToken);
        var firingIds = rows.Where(r => r.FiringId is not null).Select(r => r.FiringId!.Value).ToList();
        var firings = firingIds.Count == 0 ? [] : (await AlertNotices.ForFiringsAsync(db, firingIds, cancellationToken)).ToDictionary(f => f.FiringId!.Value);
        // Tests carry no firing: they show a sample of their alert (or the generic sample) at the time they were sent.
        var samples = new Dictionary<long, FiringFacts?>();
        foreach (var alertId in rows.Where(r => r.FiringId is null && r.TestAlertId is not null).Select(r => r.TestAlertId!.Value).Distinct())
        {
            samples[alertId] = await AlertNotices.SampleAsync(db, alertId, clock.GetUtcNow(), cancellationToken);
        }
        return rows.Select(row =>
        {
            var facts = (row.FiringId is { } firingId ? firings.GetValueOrDefault(firingId) : null)
                        ?? (row.TestAlertId is { } alertId && samples.GetValueOrDefault(alertId) is { } sample ? sample with { FiredAt = row.CreatedAt } : null)
                        ?? AlertNotices.GenericSample(row.CreatedAt);
            return new NotificationItem(row.Id, AlertNotices.Compose(facts, zone, L), row.CreatedAt, row.ReadAt is not null);
        }).ToList();
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
