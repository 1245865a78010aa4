using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace MarketWatch.Web.Features.Market;

/// <summary>
/// Figures every page wants for many instruments and that change slowly: 52-week ranges (recomputed every
/// 10 minutes) and today's sparklines (every 15 seconds; live updates move their last point in between). One
/// set-based query for the whole catalogue per period and instance, instead of one per page view.
/// </summary>
public sealed class SessionFigures(IServiceScopeFactory scopes, IMemoryCache cache, TimeProvider clock)
{
    public const int SparkPoints = 40;
    private static readonly TimeSpan RangeLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan SparkLifetime = TimeSpan.FromSeconds(15);

    /// <summary>The 52-week range of every instrument, today's session included (what the pages show).</summary>
    public Task<IReadOnlyDictionary<int, (decimal Low, decimal High)>> YearRangesAsync(CancellationToken cancellationToken) =>
        RangesAsync(todayIncluded: true, cancellationToken);

    /// <summary>The range of the 52 weeks before today: what a "new 52-week high" (an alert) is measured against.</summary>
    public Task<IReadOnlyDictionary<int, (decimal Low, decimal High)>> PriorYearRangesAsync(CancellationToken cancellationToken) =>
        RangesAsync(todayIncluded: false, cancellationToken);

    private async Task<IReadOnlyDictionary<int, (decimal Low, decimal High)>> RangesAsync(bool todayIncluded, CancellationToken cancellationToken) =>
        (await cache.GetOrCreateAsync(("year-ranges", todayIncluded, ExchangeCalendar.ExchangeDate(clock.GetUtcNow())), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = RangeLifetime;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            var today = ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
            var since = today.AddYears(-1);
            var ranges = await db.DailyBars.AsNoTracking()
                .Where(b => b.Date >= since && (todayIncluded || b.Date < today))
                .GroupBy(b => b.InstrumentId)
                .Select(g => new { Id = g.Key, Low = g.Min(b => b.Low), High = g.Max(b => b.High) })
                .ToListAsync(cancellationToken);
            return (IReadOnlyDictionary<int, (decimal, decimal)>)ranges.ToDictionary(r => r.Id, r => (r.Low, r.High));
        }))!;

    public async Task<IReadOnlyDictionary<int, IReadOnlyList<decimal>>> SparklinesAsync(CancellationToken cancellationToken) =>
        (await cache.GetOrCreateAsync("sparklines", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = SparkLifetime;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            var since = clock.GetUtcNow().AddHours(-24);
            // Each instrument's latest session (its last 10 hours of minute bars) in up to SparkPoints buckets.
            var points = await db.Database.SqlQuery<SparkPoint>($"""
                WITH latest AS (
                    SELECT instrument_id, max(time) AS last_time FROM minute_bars WHERE time >= {since} GROUP BY instrument_id
                ), session AS (
                    SELECT b.instrument_id, b.time, b.close, l.last_time FROM minute_bars b JOIN latest l USING (instrument_id)
                    WHERE b.time > l.last_time - interval '10 hours'
                )
                SELECT instrument_id,
                       width_bucket(extract(epoch FROM time), extract(epoch FROM min(time) OVER w) - 1, extract(epoch FROM last_time) + 1, {SparkPoints}) AS bucket,
                       close, time
                FROM session WINDOW w AS (PARTITION BY instrument_id)
                ORDER BY instrument_id, time
                """).ToListAsync(cancellationToken);
            return (IReadOnlyDictionary<int, IReadOnlyList<decimal>>)points.GroupBy(p => p.InstrumentId)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<decimal>)g.GroupBy(p => p.Bucket).Select(b => b.Last().Close).ToList());
        }))!;

    private sealed record SparkPoint(int InstrumentId, int Bucket, decimal Close, DateTimeOffset Time);
}
