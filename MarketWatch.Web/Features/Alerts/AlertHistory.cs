using MarketWatch.Web.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Alerts;

public sealed record FiringSummary(long Id, long AlertId, string Ticker, AlertCondition Condition, decimal? Level, decimal? Level2, int? WindowMinutes,
    decimal Price, decimal? Value, DateTimeOffset FiredAt, string Source, IReadOnlyList<DeliverySummary> Deliveries, int? IndicatorPeriod = null);

/// <summary>What a user's alerts did: their firings with each channel's delivery, and the tests sent through them.</summary>
public sealed class AlertHistory(DbContext db, NotificationOutbox outbox)
{
    /// <summary>The firings of one alert (or all of the user's), newest first, with each channel's result.</summary>
    public async Task<List<FiringSummary>> FiringsAsync(string userId, long? alertId, int limit, CancellationToken cancellationToken)
    {
        var firings = await db.Set<AlertFiring>().AsNoTracking()
            .Where(f => f.UserId == userId && (alertId == null || f.AlertId == alertId))
            .OrderByDescending(f => f.FiredAt).ThenByDescending(f => f.Id).Take(limit)
            .Select(f => new { f.Id, f.AlertId, f.Instrument.Ticker, f.Condition, f.Level, f.Level2, f.WindowMinutes, f.Price, f.Value, f.FiredAt, f.Source, f.IndicatorPeriod })
            .ToListAsync(cancellationToken);
        var ids = firings.Select(f => (long?)f.Id).ToList();
        var deliveries = (await db.Set<Delivery>().AsNoTracking().Where(d => ids.Contains(d.EventId)).OrderBy(d => d.Channel)
                .Select(d => new { d.EventId, Summary = new DeliverySummary(d.Id, d.Channel, d.Status, d.Attempts, d.DetailKey, d.DetailArgs, d.CompletedAt) })
                .ToListAsync(cancellationToken))
            .ToLookup(d => d.EventId!.Value, d => d.Summary);
        return firings.Select(f => new FiringSummary(f.Id, f.AlertId, f.Ticker, f.Condition, f.Level, f.Level2, f.WindowMinutes, f.Price, f.Value,
            f.FiredAt, f.Source, deliveries[f.Id].ToList(), f.IndicatorPeriod)).ToList();
    }

    /// <summary>The latest test deliveries of one alert.</summary>
    public Task<List<TestDelivery>> TestsAsync(string userId, long alertId, CancellationToken cancellationToken) =>
        outbox.TestsAsync(userId, alertId, cancellationToken);
}
