using MarketWatch.Web.Features.Portfolios;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>
/// Closed sessions' daily bars for the stock page's indicator charts. Read once per instrument and session for the longest
/// range (five years and the warm-up before it), kept at most <see cref="PerformanceMarket.MaxAge"/> so an admin's bar import
/// shows within minutes, and sliced per request: every range and indicator of one stock is one read a session. Bounded
/// (<see cref="MaxBytes"/>, least recently used go first).
/// </summary>
public sealed class ChartBars(NpgsqlDataSource dataSource) : IDisposable
{
    /// <summary>About 8 years of bars are 100 KB: room for several hundred instruments.</summary>
    public const long MaxBytes = 48L * 1024 * 1024;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxBytes });

    /// <summary>Bars of sessions in [<paramref name="from"/>, <paramref name="session"/>), as <see cref="MarketMetrics.ReadBarsAsync"/> reads them.</summary>
    public async Task<InstrumentBars> ReadAsync(int instrumentId, DateOnly from, DateOnly session, DateOnly today, CancellationToken cancellationToken)
    {
        var longestFrom = ChartIndicators.VisibleFrom(ChartIndicatorRequest.Ranges[^1], today).AddDays(-ChartIndicators.WarmupDays);
        if (from < longestFrom)
        {
            return await ReadFromDatabaseAsync(instrumentId, from, session, cancellationToken);
        }
        var key = (instrumentId, longestFrom, session);
        if (!_cache.TryGetValue(key, out InstrumentBars? all) || all is null)
        {
            all = await ReadFromDatabaseAsync(instrumentId, longestFrom, session, cancellationToken);
            _cache.Set(key, all, new MemoryCacheEntryOptions
            {
                Size = 64 + all.Dates.Length * (sizeof(int) + 5 * sizeof(double)),
                AbsoluteExpirationRelativeToNow = PerformanceMarket.MaxAge,
            });
        }
        return Slice(all, from);
    }

    private async Task<InstrumentBars> ReadFromDatabaseAsync(int instrumentId, DateOnly from, DateOnly session, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await MarketMetrics.ReadBarsAsync(connection, from, session, cancellationToken, [instrumentId])).GetValueOrDefault(instrumentId)
               ?? new InstrumentBars(instrumentId, [], [], [], [], [], []);
    }

    /// <summary>The bars from <paramref name="from"/> on (copies: the cached arrays are never handed out).</summary>
    internal static InstrumentBars Slice(InstrumentBars bars, DateOnly from)
    {
        var start = Array.BinarySearch(bars.Dates, from);
        if (start < 0)
        {
            start = ~start;
        }
        return new InstrumentBars(bars.InstrumentId, bars.Dates[start..], bars.Opens[start..], bars.Highs[start..], bars.Lows[start..],
            bars.Closes[start..], bars.Volumes[start..]);
    }

    public void Dispose() => _cache.Dispose();
}
