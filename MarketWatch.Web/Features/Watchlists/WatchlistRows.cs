using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Watchlists;

/// <summary>One row of a watchlist: the item, its latest quote, the 52-week range and today's sparkline.</summary>
public sealed record WatchlistRow(
    string Ticker, string Name, int Position, string? Note, decimal? TargetPrice,
    decimal? Last, decimal? Change, decimal? ChangePercent, long? Volume, decimal? Low, decimal? High,
    decimal? YearLow, decimal? YearHigh, IReadOnlyList<decimal> Spark, DateTimeOffset? Time, DateTimeOffset? AddedAt = null)
{
    /// <summary>How far the price has to go to reach the target, in % of the last price.</summary>
    public decimal? DistanceToTarget => TargetPrice is { } target && Last is > 0 ? Math.Round((target - Last.Value) / Last.Value * 100, 2) : null;

    /// <summary>The row after a tick: the quote's fields change, the sparkline's last point follows the price.</summary>
    public WatchlistRow With(QuoteRow quote)
    {
        var spark = Spark.ToList();
        if (quote.Last is { } last)
        {
            if (spark.Count == 0)
            {
                spark.Add(last);
            }
            spark[^1] = last;
        }
        return this with
        {
            Last = quote.Last, Change = quote.Change, ChangePercent = quote.ChangePercent, Volume = quote.Volume,
            Low = quote.Low, High = quote.High, Time = quote.Time, Spark = spark,
            YearLow = quote.Low is { } low ? YearLow is { } yl ? Math.Min(low, yl) : low : YearLow,
            YearHigh = quote.High is { } high ? YearHigh is { } yh ? Math.Max(high, yh) : high : YearHigh,
        };
    }
}

/// <summary>
/// How the list as a whole did today: the equal-weighted average change % (every stock counts the same, whatever its
/// price), how many rose, fell or did not move, and the best and worst. Rows without a quote are left out.
/// </summary>
public sealed record WatchlistDay(decimal? AverageChangePercent, int Advancers, int Decliners, int Unchanged, WatchlistRow? Best, WatchlistRow? Worst, DateTimeOffset? Time)
{
    public static WatchlistDay Of(IEnumerable<WatchlistRow> rows)
    {
        var quoted = rows.Where(r => r.ChangePercent is not null).ToList();
        if (quoted.Count == 0)
        {
            return new WatchlistDay(null, 0, 0, 0, null, null, null);
        }
        var best = quoted.MaxBy(r => r.ChangePercent);
        var worst = quoted.MinBy(r => r.ChangePercent);
        return new WatchlistDay(
            Math.Round(quoted.Average(r => r.ChangePercent!.Value), 2),
            quoted.Count(r => r.ChangePercent > 0), quoted.Count(r => r.ChangePercent < 0), quoted.Count(r => r.ChangePercent == 0),
            best, worst == best ? null : worst, quoted.Max(r => r.Time));
    }
}

/// <summary>Reads a watchlist's rows in one query, whatever its length; 52-week ranges and sparklines come from <see cref="SessionFigures"/>.</summary>
public sealed class WatchlistRows(DbContext db, SessionFigures figures)
{
    public async Task<List<WatchlistRow>> LoadAsync(int watchlistId, string sortColumn, bool descending, CancellationToken cancellationToken)
    {
        var items = await (from item in db.Set<WatchlistItem>().AsNoTracking()
                           where item.WatchlistId == watchlistId
                           join q in db.Quotes.AsNoTracking() on item.InstrumentId equals q.InstrumentId into quotes
                           from q in quotes.DefaultIfEmpty()
                           select new
                           {
                               item.InstrumentId, item.Instrument.Ticker, item.Instrument.Name, item.Position, item.Note, item.TargetPrice, item.AddedAt,
                               Last = q == null ? (decimal?)null : q.Last, Change = q == null ? (decimal?)null : q.Change,
                               ChangePercent = q == null ? (decimal?)null : q.ChangePercent, Volume = q == null ? (long?)null : q.Volume,
                               Low = q == null ? (decimal?)null : q.Low, High = q == null ? (decimal?)null : q.High,
                               Time = q == null ? (DateTimeOffset?)null : q.Time,
                           })
            .ToListAsync(cancellationToken);
        if (items.Count == 0)
        {
            return [];
        }
        var ranges = await figures.YearRangesAsync(cancellationToken);
        var sparks = await figures.SparklinesAsync(cancellationToken);

        var rows = items.Select(i => new WatchlistRow(
            i.Ticker, i.Name, i.Position, i.Note, i.TargetPrice, i.Last, i.Change, i.ChangePercent, i.Volume, i.Low, i.High,
            ranges.TryGetValue(i.InstrumentId, out var r) ? Math.Min(r.Low, i.Low ?? r.Low) : i.Low,
            ranges.TryGetValue(i.InstrumentId, out r) ? Math.Max(r.High, i.High ?? r.High) : i.High,
            sparks.GetValueOrDefault(i.InstrumentId) ?? [], i.Time, i.AddedAt));
        return Sort(rows, sortColumn, descending).ToList();
    }

    public static IEnumerable<WatchlistRow> Sort(IEnumerable<WatchlistRow> rows, string column, bool descending)
    {
        Func<WatchlistRow, object?> key = column switch
        {
            "ticker" => r => r.Ticker,
            "last" => r => r.Last,
            "change" => r => r.Change,
            "changePercent" => r => r.ChangePercent,
            "volume" => r => r.Volume,
            "target" => r => r.DistanceToTarget,
            _ => r => r.Position,
        };
        // Rows without a value go last whichever the direction.
        var (known, unknown) = (rows.Where(r => key(r) is not null), rows.Where(r => key(r) is null));
        return (descending ? known.OrderByDescending(key) : known.OrderBy(key)).ThenBy(r => r.Position).Concat(unknown.OrderBy(r => r.Position));
    }
}
