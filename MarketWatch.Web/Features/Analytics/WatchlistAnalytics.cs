using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>One stock's risk over the period: annualised volatility and beta against the computed MASI (null without enough sessions).</summary>
public sealed record StockRisk(string Ticker, string Name, double? Volatility, double? Beta, int Sessions);

/// <summary>
/// A watchlist's analytics over a period: the correlation of its stocks' daily returns, pair by pair on the sessions both
/// traded (<see cref="Correlations"/>[i][j], null when fewer than three shared sessions or one did not move), and each
/// stock's volatility and beta. At most <see cref="WatchlistAnalytics.MaxStocks"/> stocks, in the list's order.
/// </summary>
public sealed record WatchlistAnalyticsResult(Period Period, DateOnly From, DateOnly Session, IReadOnlyList<StockRisk> Stocks,
    double?[][] Correlations, int Total);

/// <summary>Correlation matrix, volatility and beta of a watchlist's stocks, from closed daily bars through <see cref="Indicators"/>.</summary>
public sealed class WatchlistAnalytics(DbContext db, NpgsqlDataSource dataSource, PerformanceMarket market)
{
    /// <summary>A 30 × 30 matrix still reads on a screen; beyond, the list's first 30 stocks are shown with a note.</summary>
    public const int MaxStocks = 30;

    public static readonly Period[] Periods = [Period.M3, Period.Y1];

    public async Task<WatchlistAnalyticsResult> ComputeAsync(int watchlistId, Period period, CancellationToken cancellationToken)
    {
        var items = await db.Set<WatchlistItem>().AsNoTracking()
            .Where(i => i.WatchlistId == watchlistId)
            .OrderBy(i => i.Position).ThenBy(i => i.Id)
            .Select(i => new { i.InstrumentId, i.Instrument.Ticker, i.Instrument.Name })
            .ToListAsync(cancellationToken);
        var shown = items.Take(MaxStocks).ToList();
        var session = market.Session();
        var start = MetricsCalculator.Start(period, session);
        Dictionary<int, InstrumentBars> bars;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            // A fortnight before the start: the close the first return is measured from.
            bars = shown.Count == 0 ? [] : await MarketMetrics.ReadBarsAsync(connection, start.AddDays(-14), session, cancellationToken,
                [.. shown.Select(s => s.InstrumentId)]);
        }
        var history = await market.CurrentAsync(cancellationToken);
        var windows = shown.Select(s => Window(bars.GetValueOrDefault(s.InstrumentId), start)).ToList();
        var stocks = new List<StockRisk>(shown.Count);
        for (var i = 0; i < shown.Count; i++)
        {
            var (dates, closes) = windows[i];
            var levels = new List<double>(dates.Length);
            var aligned = new List<double>(dates.Length);
            for (var k = 0; k < dates.Length; k++)
            {
                var m = history.IndexOnOrBefore(dates[k]);
                if (m >= 0 && history.Dates[m] == dates[k] && history.Masi[m] > 0)
                {
                    levels.Add(history.Masi[m]);
                    aligned.Add(closes[k]);
                }
            }
            var beta = aligned.Count >= 3 ? Indicators.Beta([.. aligned], [.. levels])?.Beta : null;
            stocks.Add(new StockRisk(shown[i].Ticker, shown[i].Name, Indicators.Volatility(closes), beta, Math.Max(0, dates.Length - 1)));
        }
        var matrix = new double?[shown.Count][];
        for (var i = 0; i < shown.Count; i++)
        {
            matrix[i] = new double?[shown.Count];
        }
        for (var i = 0; i < shown.Count; i++)
        {
            matrix[i][i] = windows[i].Closes.Length >= 3 ? 1 : null;
            for (var j = i + 1; j < shown.Count; j++)
            {
                var (a, b) = Align(windows[i], windows[j]);
                matrix[i][j] = matrix[j][i] = a.Length >= 3 ? Indicators.Correlation(a, b) : null;
            }
        }
        return new WatchlistAnalyticsResult(period, start, session, stocks, matrix, items.Count);
    }

    /// <summary>The closes from the last session on or before <paramref name="start"/> (the first return's base) to the last closed one.</summary>
    public static (DateOnly[] Dates, double[] Closes) Window(InstrumentBars? bars, DateOnly start)
    {
        if (bars is null || bars.Dates.Length == 0)
        {
            return ([], []);
        }
        var from = Math.Max(0, MetricsCalculator.OnOrBefore(bars.Dates, start));
        return (bars.Dates[from..], bars.Closes[from..]);
    }

    /// <summary>Two close series on the dates both have (both sorted by date).</summary>
    public static (double[] A, double[] B) Align((DateOnly[] Dates, double[] Closes) a, (DateOnly[] Dates, double[] Closes) b)
    {
        var x = new List<double>(Math.Min(a.Dates.Length, b.Dates.Length));
        var y = new List<double>(x.Capacity);
        int i = 0, j = 0;
        while (i < a.Dates.Length && j < b.Dates.Length)
        {
            var c = a.Dates[i].CompareTo(b.Dates[j]);
            if (c == 0)
            {
                x.Add(a.Closes[i++]);
                y.Add(b.Closes[j++]);
            }
            else if (c < 0)
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return ([.. x], [.. y]);
    }

    /// <summary>The colour step of a correlation on the heatmap's scale: 0 at −1, 5 at 0, 10 at +1.</summary>
    public static int Step(double value) => (int)Math.Round((Math.Clamp(value, -1, 1) + 1) * 5, MidpointRounding.AwayFromZero);
}
