using MarketWatch.Web.Features.Portfolios;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>One point of an index line: the change since the period's start (a fraction) at a session's close, or live.</summary>
public readonly record struct IndexPoint(DateOnly Date, double Change, bool Live);

/// <summary>The computed MASI (<see cref="Sector"/> null) or a sector's computed index over a period.</summary>
public sealed record IndexLine(string? Sector, IReadOnlyList<IndexPoint> Points)
{
    public double? Change => Points.Count > 1 ? Points[^1].Change : null;
}

/// <summary>
/// The computed MASI and a computed index per sector, for the dashboard's chart. Levels come from the closed sessions
/// Portfolios already holds in memory (<see cref="PerformanceMarket"/>: no daily_bars scan per request); the sector
/// levels are chained once per snapshot of that history and kept until it changes. Today's point is the live prices
/// against the last closes, with the same weights.
/// </summary>
public sealed class DashboardIndices(PerformanceMarket market)
{
    private sealed record Cached(MarketHistory History, int Members, Dictionary<string, double[]> Levels);

    private volatile Cached? _cached;

    public async Task<IReadOnlyList<IndexLine>> LinesAsync(MetricsSnapshot snapshot, Period period, CancellationToken cancellationToken)
    {
        var history = await market.CurrentAsync(cancellationToken);
        if (history.Dates.Length == 0)
        {
            return [];
        }
        var cached = _cached;
        if (cached is null || !ReferenceEquals(cached.History, history) || cached.Members != snapshot.All.Count)
        {
            var sectorOf = snapshot.All.ToDictionary(s => s.InstrumentId, s => s.Sector);
            _cached = cached = new Cached(history, snapshot.All.Count, DashboardFigures.GroupLevels(history, sectorOf));
        }
        var from = Math.Max(0, history.IndexOnOrBefore(MetricsCalculator.Start(period, snapshot.Session)));
        var live = snapshot.Session > history.Dates[^1] && snapshot.All.Any(s => s.Return(Period.D1) is not null);
        if (period == Period.D1 && !live)
        {
            from = Math.Max(0, history.Dates.Length - 2); // no trade yet today: the day is the last closed session's move
        }
        var lines = new List<IndexLine> { Line(null, history, history.Masi, from, live ? snapshot.All : null, snapshot.Session) };
        foreach (var (sector, levels) in cached.Levels.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            lines.Add(Line(sector, history, levels, from, live ? snapshot.All.Where(s => s.Sector == sector) : null, snapshot.Session));
        }
        return lines;
    }

    private static IndexLine Line(string? sector, MarketHistory history, double[] levels, int from, IEnumerable<InstrumentMetrics>? today, DateOnly session)
    {
        var start = levels[from];
        var points = new List<IndexPoint>(levels.Length - from + 1);
        for (var i = from; i < levels.Length; i++)
        {
            points.Add(new IndexPoint(history.Dates[i], start > 0 ? levels[i] / start - 1 : 0, false));
        }
        if (today is not null && start > 0 && LiveRatio(history, today) is { } ratio)
        {
            points.Add(new IndexPoint(session, levels[^1] * ratio / start - 1, true));
        }
        return new IndexLine(sector, points);
    }

    /// <summary>Σ(live price × shares) ÷ Σ(last close × shares) over the members quoted today; null when none is.</summary>
    private static double? LiveRatio(MarketHistory history, IEnumerable<InstrumentMetrics> stocks)
    {
        decimal now = 0, before = 0;
        foreach (var stock in stocks)
        {
            if (stock.Return(Period.D1) is null || stock.Last is not { } last || !history.Shares.TryGetValue(stock.InstrumentId, out var shares))
            {
                continue;
            }
            var close = history.LastClose(stock.InstrumentId);
            if (close > 0)
            {
                now += last * shares;
                before += close * shares;
            }
        }
        return before > 0 ? (double)(now / before) : null;
    }
}
