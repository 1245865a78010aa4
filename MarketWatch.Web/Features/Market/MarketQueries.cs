using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Market;

/// <summary>An instrument with its latest quote (null before the first tick).</summary>
public sealed record QuoteRow(
    string Ticker, string Name, string Sector, decimal? Last, decimal? Change, decimal? ChangePercent, long? Volume,
    decimal? ValueTraded, decimal? Open, decimal? High, decimal? Low, decimal? PreviousClose, DateTimeOffset? Time, string? Source,
    long? Shares, bool SharesEstimated)
{
    public decimal? MarketCap => Last is { } last && Shares is { } shares ? last * shares : null;
}

public sealed record IndexRow(string Name, decimal? Level, decimal? Change, decimal? ChangePercent, DateTimeOffset? Time, bool IsComputed, string? Source);

public sealed record SectorRow(string Sector, decimal ChangePercent, int Instruments, decimal MarketCap);

public sealed record Movers(IReadOnlyList<QuoteRow> Gainers, IReadOnlyList<QuoteRow> Losers, IReadOnlyList<QuoteRow> MostActive);

public sealed record InstrumentDetail(Instrument Instrument, QuoteRow Quote, decimal? YearLow, decimal? YearHigh);

public sealed record ChartPoint(long Time, decimal Open, decimal High, decimal Low, decimal Close, long Volume);

public enum ChartRange { D1, W1, M1, M3, M6, Y1, Y5 }

/// <summary>One step of a capitalisation-weighted index: Σ(close × shares) / Σ(previous close × shares), null on the first step.</summary>
public sealed record IndexStep(long Time, decimal? Ratio);

/// <summary>The read side of the market: one set-based query per question, for the pages and the API alike.</summary>
public sealed class MarketQueries(DbContext db, SessionFigures figures, TimeProvider clock)
{
    public const int MoversCount = 5;

    public static readonly IReadOnlyDictionary<string, ChartRange> Ranges = new Dictionary<string, ChartRange>(StringComparer.OrdinalIgnoreCase)
    {
        ["1D"] = ChartRange.D1, ["1W"] = ChartRange.W1, ["1M"] = ChartRange.M1, ["3M"] = ChartRange.M3,
        ["6M"] = ChartRange.M6, ["1Y"] = ChartRange.Y1, ["5Y"] = ChartRange.Y5,
    };

    /// <summary>Intervals each range allows (the first is the default).</summary>
    public static IReadOnlyList<string> IntervalsFor(ChartRange range) => range switch
    {
        ChartRange.D1 => ["1m", "5m"],
        ChartRange.W1 => ["30m", "1d"],
        ChartRange.Y5 => ["1w", "1d"],
        _ => ["1d", "1w"],
    };

    /// <summary>An instrument and its quote, before projection, so filters and sorts translate to SQL.</summary>
    private sealed class Joined
    {
        public required Instrument Instrument { get; init; }
        public Quote? Quote { get; init; }
    }

    private static readonly System.Linq.Expressions.Expression<Func<Joined, QuoteRow>> ToRow = j => new QuoteRow(
        j.Instrument.Ticker, j.Instrument.Name, j.Instrument.Sector,
        j.Quote == null ? null : j.Quote.Last, j.Quote == null ? null : j.Quote.Change, j.Quote == null ? null : j.Quote.ChangePercent,
        j.Quote == null ? null : j.Quote.Volume, j.Quote == null ? null : j.Quote.ValueTraded, j.Quote == null ? null : j.Quote.Open,
        j.Quote == null ? null : j.Quote.High, j.Quote == null ? null : j.Quote.Low, j.Quote == null ? null : j.Quote.PreviousClose,
        j.Quote == null ? null : j.Quote.Time, j.Quote == null ? null : j.Quote.Source,
        j.Instrument.SharesOutstanding ?? j.Instrument.EstimatedShares,
        j.Instrument.SharesOutstanding == null && j.Instrument.EstimatedShares != null);

    private IQueryable<Joined> Joins(bool activeOnly = true) =>
        from i in db.Instruments.AsNoTracking()
        where !activeOnly || i.IsActive
        join q in db.Quotes.AsNoTracking() on i.Id equals q.InstrumentId into quotes
        from q in quotes.DefaultIfEmpty()
        select new Joined { Instrument = i, Quote = q };

    public Task<List<QuoteRow>> AllAsync(CancellationToken cancellationToken) =>
        Joins().OrderBy(j => j.Instrument.Ticker).Select(ToRow).ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<QuoteRow>> QuotesAsync(IReadOnlyCollection<string> tickers, CancellationToken cancellationToken)
    {
        var upper = tickers.Select(t => t.ToUpperInvariant()).ToList();
        return await Joins(activeOnly: false).Where(j => upper.Contains(j.Instrument.Ticker)).Select(ToRow).ToListAsync(cancellationToken);
    }

    public async Task<Movers> MoversAsync(CancellationToken cancellationToken)
    {
        var traded = Joins().Where(j => j.Quote != null);
        var gainers = await traded.Where(j => j.Quote!.ChangePercent > 0).OrderByDescending(j => j.Quote!.ChangePercent).ThenBy(j => j.Instrument.Ticker)
            .Take(MoversCount).Select(ToRow).ToListAsync(cancellationToken);
        var losers = await traded.Where(j => j.Quote!.ChangePercent < 0).OrderBy(j => j.Quote!.ChangePercent).ThenBy(j => j.Instrument.Ticker)
            .Take(MoversCount).Select(ToRow).ToListAsync(cancellationToken);
        var active = await traded.Where(j => j.Quote!.ValueTraded > 0).OrderByDescending(j => j.Quote!.ValueTraded).ThenBy(j => j.Instrument.Ticker)
            .Take(MoversCount).Select(ToRow).ToListAsync(cancellationToken);
        return new Movers(gainers, losers, active);
    }

    /// <summary>Each sector's change, weighted by market capitalisation.</summary>
    public async Task<IReadOnlyList<SectorRow>> SectorsAsync(CancellationToken cancellationToken)
    {
        var rows = await Joins()
            .Where(j => j.Quote != null && j.Quote.PreviousClose > 0 && (j.Instrument.SharesOutstanding != null || j.Instrument.EstimatedShares != null))
            .Select(ToRow).ToListAsync(cancellationToken);
        return rows
            .GroupBy(r => r.Sector)
            .Select(g =>
            {
                var previousCap = g.Sum(r => r.PreviousClose!.Value * r.Shares!.Value);
                var cap = g.Sum(r => r.Last!.Value * r.Shares!.Value);
                return new SectorRow(g.Key, previousCap == 0 ? 0 : Math.Round((cap - previousCap) / previousCap * 100, 2), g.Count(), cap);
            })
            .OrderByDescending(s => s.ChangePercent)
            .ToList();
    }

    public Task<List<IndexRow>> IndicesAsync(bool withLevelOnly, CancellationToken cancellationToken) =>
        (from i in db.MarketIndices.AsNoTracking()
         join l in db.IndexLevels.AsNoTracking() on i.Id equals l.IndexId into levels
         from l in levels.DefaultIfEmpty()
         where !withLevelOnly || l != null
         orderby i.SortOrder
         select new IndexRow(i.Name, l == null ? null : l.Level, l == null ? null : l.Change, l == null ? null : l.ChangePercent,
             l == null ? null : l.Time, l != null && l.IsComputed, l == null ? null : l.Source))
        .ToListAsync(cancellationToken);

    public async Task<InstrumentDetail?> DetailAsync(string ticker, CancellationToken cancellationToken)
    {
        var instrument = await db.Instruments.AsNoTracking().SingleOrDefaultAsync(i => i.Ticker == ticker.ToUpper(), cancellationToken);
        if (instrument is null)
        {
            return null;
        }
        var quote = await Joins(activeOnly: false).Where(j => j.Instrument.Id == instrument.Id).Select(ToRow).SingleAsync(cancellationToken);
        var ranges = await figures.YearRangesAsync(cancellationToken);
        (decimal Low, decimal High)? range = ranges.TryGetValue(instrument.Id, out var r) ? r : null;
        return new InstrumentDetail(instrument, quote,
            range is { } y ? Math.Min(y.Low, quote.Low ?? y.Low) : quote.Low,
            range is { } z ? Math.Max(z.High, quote.High ?? z.High) : quote.High);
    }

    /// <summary>
    /// Bars for a chart: minute bars (bucketed) for 1D and 1W, daily or weekly bars beyond. Times are seconds of
    /// exchange wall-clock time (the chart library draws UTC), so the axis reads 09:30 when Casablanca opens.
    /// </summary>
    public async Task<IReadOnlyList<ChartPoint>> HistoryAsync(int instrumentId, ChartRange range, string interval, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        List<ChartPoint> points;
        if (interval.EndsWith('m'))
        {
            var minutes = int.Parse(interval[..^1], System.Globalization.CultureInfo.InvariantCulture);
            var since = range == ChartRange.D1 ? await SessionStartAsync(instrumentId, cancellationToken) : now.AddDays(-7);
            var bucket = TimeSpan.FromMinutes(minutes);
            points = await db.Database.SqlQuery<ChartPoint>($"""
                SELECT extract(epoch from date_bin({bucket}, time, TIMESTAMPTZ '2000-01-01'))::bigint AS "Time",
                       (array_agg(open ORDER BY time))[1] AS "Open", max(high) AS "High", min(low) AS "Low",
                       (array_agg(close ORDER BY time DESC))[1] AS "Close", sum(volume)::bigint AS "Volume"
                FROM minute_bars WHERE instrument_id = {instrumentId} AND time >= {since}
                GROUP BY 1 ORDER BY 1
                """).ToListAsync(cancellationToken);
            return points.Select(p => p with { Time = ExchangeCalendar.WallClockSeconds(DateTimeOffset.FromUnixTimeSeconds(p.Time)) }).ToList();
        }
        var from = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-(range switch
        {
            ChartRange.W1 => 7, ChartRange.M1 => 31, ChartRange.M3 => 92, ChartRange.M6 => 183, ChartRange.Y1 => 366, _ => 5 * 366,
        }));
        if (interval == "1w")
        {
            return await db.Database.SqlQuery<ChartPoint>($"""
                SELECT extract(epoch from date_trunc('week', date::timestamp))::bigint AS "Time",
                       (array_agg(open ORDER BY date))[1] AS "Open", max(high) AS "High", min(low) AS "Low",
                       (array_agg(close ORDER BY date DESC))[1] AS "Close", sum(volume)::bigint AS "Volume"
                FROM daily_bars WHERE instrument_id = {instrumentId} AND date >= {from}
                GROUP BY 1 ORDER BY 1
                """).ToListAsync(cancellationToken);
        }
        var bars = await db.DailyBars.AsNoTracking()
            .Where(b => b.InstrumentId == instrumentId && b.Date >= from)
            .OrderBy(b => b.Date)
            .Select(b => new { b.Date, b.Open, b.High, b.Low, b.Close, b.Volume })
            .ToListAsync(cancellationToken);
        return bars.Select(b => new ChartPoint(
            new DateTimeOffset(b.Date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds(), b.Open, b.High, b.Low, b.Close, b.Volume)).ToList();
    }

    /// <summary>
    /// The computed MASI's history for a chart, chain-linked from the members' own bars: each step moves the level by
    /// Σ(close × shares) / Σ(previous close × shares) over the members that traded in both steps (an illiquid stock
    /// that did not trade does not drag the level to zero), ending at the index's current level when it has one.
    /// Times are stamped like <see cref="HistoryAsync"/>'s, so both series line up on the chart.
    /// </summary>
    public async Task<IReadOnlyList<ChartPoint>> IndexHistoryAsync(string name, ChartRange range, string interval, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        List<IndexStep> steps;
        if (interval.EndsWith('m'))
        {
            var minutes = int.Parse(interval[..^1], System.Globalization.CultureInfo.InvariantCulture);
            var last = await db.MinuteBars.AsNoTracking().OrderByDescending(b => b.Time).Select(b => (DateTimeOffset?)b.Time).FirstOrDefaultAsync(cancellationToken);
            var since = range == ChartRange.D1
                ? ExchangeCalendar.At(ExchangeCalendar.ExchangeDate(last ?? now), TimeOnly.MinValue).ToUniversalTime()
                : now.AddDays(-7);
            var bucket = TimeSpan.FromMinutes(minutes);
            steps = await db.Database.SqlQuery<IndexStep>($"""
                SELECT t.bucket AS "Time", sum(t.close * t.shares) FILTER (WHERE t.prev IS NOT NULL)
                       / NULLIF(sum(t.prev * t.shares) FILTER (WHERE t.prev IS NOT NULL), 0) AS "Ratio"
                FROM (SELECT m.bucket, m.close, lag(m.close) OVER (PARTITION BY m.instrument_id ORDER BY m.bucket) AS prev, m.shares
                      FROM (SELECT extract(epoch from date_bin({bucket}, b.time, TIMESTAMPTZ '2000-01-01'))::bigint AS bucket, b.instrument_id,
                                   (array_agg(b.close ORDER BY b.time DESC))[1] AS close,
                                   max(coalesce(i.shares_outstanding, i.estimated_shares)) AS shares
                            FROM minute_bars b JOIN instruments i ON i.id = b.instrument_id
                            WHERE b.time >= {since} AND coalesce(i.shares_outstanding, i.estimated_shares) IS NOT NULL
                            GROUP BY 1, 2) m) t
                GROUP BY 1 ORDER BY 1
                """).ToListAsync(cancellationToken);
            steps = steps.Select(p => p with { Time = ExchangeCalendar.WallClockSeconds(DateTimeOffset.FromUnixTimeSeconds(p.Time)) }).ToList();
        }
        else
        {
            var from = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-(range switch
            {
                ChartRange.W1 => 7, ChartRange.M1 => 31, ChartRange.M3 => 92, ChartRange.M6 => 183, ChartRange.Y1 => 366, _ => 5 * 366,
            }));
            steps = await db.Database.SqlQuery<IndexStep>($"""
                SELECT extract(epoch from t.date::timestamp)::bigint AS "Time", sum(t.close * t.shares) FILTER (WHERE t.prev IS NOT NULL)
                       / NULLIF(sum(t.prev * t.shares) FILTER (WHERE t.prev IS NOT NULL), 0) AS "Ratio"
                FROM (SELECT b.date, b.close, lag(b.close) OVER (PARTITION BY b.instrument_id ORDER BY b.date) AS prev,
                             coalesce(i.shares_outstanding, i.estimated_shares) AS shares
                      FROM daily_bars b JOIN instruments i ON i.id = b.instrument_id
                      WHERE b.date >= {from} AND coalesce(i.shares_outstanding, i.estimated_shares) IS NOT NULL) t
                GROUP BY 1 ORDER BY 1
                """).ToListAsync(cancellationToken);
        }
        var levels = new List<(long Time, decimal Level)>(steps.Count);
        var level = 1m;
        foreach (var step in steps)
        {
            level *= step.Ratio ?? 1m;
            levels.Add((step.Time, level));
        }
        if (interval == "1w")
        {
            // Weekly bars start on Monday, like an instrument's; each week keeps its last level.
            levels = levels.GroupBy(l => l.Time - ((int)DateTimeOffset.FromUnixTimeSeconds(l.Time).DayOfWeek + 6) % 7 * 86_400)
                .Select(g => (g.Key, g.Last().Level)).ToList();
        }
        var current = await (from i in db.MarketIndices.AsNoTracking()
                             join l in db.IndexLevels.AsNoTracking() on i.Id equals l.IndexId
                             where i.Name == name
                             select (decimal?)l.Level).FirstOrDefaultAsync(cancellationToken);
        var factor = current is { } c && levels.Count > 0 && levels[^1].Level != 0 ? c / levels[^1].Level : ComputedIndex.Base;
        return levels.Select(l =>
        {
            var value = Math.Round(l.Level * factor, 2);
            return new ChartPoint(l.Time, value, value, value, value, 0);
        }).ToList();
    }

    /// <summary>The start of the instrument's latest session with minute bars (today's, or the last one when closed).</summary>
    private async Task<DateTimeOffset> SessionStartAsync(int instrumentId, CancellationToken cancellationToken)
    {
        var last = await db.MinuteBars.AsNoTracking().Where(b => b.InstrumentId == instrumentId)
            .OrderByDescending(b => b.Time).Select(b => (DateTimeOffset?)b.Time).FirstOrDefaultAsync(cancellationToken);
        var date = ExchangeCalendar.ExchangeDate(last ?? clock.GetUtcNow());
        return ExchangeCalendar.At(date, TimeOnly.MinValue).ToUniversalTime();
    }

    public async Task<IReadOnlyList<QuoteRow>> SearchAsync(string query, int limit, CancellationToken cancellationToken)
    {
        var folded = Catalogue.Fold(query.Trim());
        if (folded.Length == 0)
        {
            return [];
        }
        var upper = folded.ToUpperInvariant();
        return await Joins()
            .Where(j => j.Instrument.SearchText.Contains(folded))
            // Ticker matches first, then names that start with the query, then the rest.
            .OrderBy(j => j.Instrument.Ticker == upper ? 0 : j.Instrument.Ticker.StartsWith(upper) ? 1 : j.Instrument.SearchText.StartsWith(folded) ? 2 : 3)
            .ThenBy(j => j.Instrument.Ticker)
            .Select(ToRow)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }
}
