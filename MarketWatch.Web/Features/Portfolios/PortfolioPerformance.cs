using MarketWatch.Web.Features.Market.Calendar;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// Each portfolio's last computed <see cref="PerformanceSeries"/> in memory, keyed by portfolio id and stamped with
/// its Version, plus the changes it has been told of since (<see cref="IPortfolioChangeHandler"/>): a change from a
/// date on is recomputed from that date. A Version it was not told of (another instance changed the portfolio) means
/// a recomputation from scratch, so it is never wrong, only slower.
/// </summary>
public sealed class PerformanceCache(IMemoryCache cache)
{
    public static readonly TimeSpan Idle = TimeSpan.FromMinutes(30);

    internal sealed class Slot
    {
        public PerformanceSeries? Series;
        /// <summary>The Version the pending changes lead to, and the earliest date they touch.</summary>
        public long PendingVersion;
        public DateOnly? PendingFrom;
    }

    internal Slot For(int portfolioId) =>
        cache.GetOrCreate(("portfolio-performance", portfolioId), entry =>
        {
            entry.SlidingExpiration = Idle;
            return new Slot();
        })!;

    internal Slot? Find(int portfolioId) => cache.TryGetValue(("portfolio-performance", portfolioId), out Slot? slot) ? slot : null;

    /// <summary>Forgets a portfolio's series (the next report computes it from scratch): the benchmark's cold start.</summary>
    public void Forget(int portfolioId) => cache.Remove(("portfolio-performance", portfolioId));

    /// <summary>The portfolio, now at <paramref name="version"/>, changed from <paramref name="from"/> on.</summary>
    internal void Changed(int portfolioId, long version, DateOnly from)
    {
        if (Find(portfolioId) is not { } slot)
        {
            return;
        }
        lock (slot)
        {
            if (slot.Series is null)
            {
                return;
            }
            var known = slot.PendingFrom is null ? slot.Series.Version : slot.PendingVersion;
            if (version == known + 1)
            {
                slot.PendingVersion = version;
                slot.PendingFrom = slot.PendingFrom is { } f && f < from ? f : from;
            }
            else if (version > known)
            {
                // A change in between went unannounced: start again.
                slot.Series = null;
                slot.PendingFrom = null;
            }
        }
    }
}

/// <summary>
/// Portfolio performance: the valuation series over the market's sessions, time- and money-weighted returns for every
/// range, the computed MASI over the same sessions, drawdown and volatility (see docs/portfolios.md, "Performance").
/// </summary>
public sealed class PortfolioPerformance(DbContext db, NpgsqlDataSource dataSource, PerformanceMarket markets, PerformanceCache cache, TimeProvider clock)
    : IPortfolioChangeHandler
{
    /// <summary>The report of the user's portfolio; null when it is not theirs (or does not exist).</summary>
    public async Task<PerformanceReport?> GetAsync(string userId, int id, PerformanceRange range, CancellationToken ct)
    {
        var portfolio = await db.Set<Portfolio>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == id && p.UserId == userId, ct);
        return portfolio is null ? null : await ForAsync(portfolio, range, ct);
    }

    /// <summary>The report of a portfolio already found (no user check: the share page).</summary>
    public async Task<PerformanceReport> ForAsync(Portfolio portfolio, PerformanceRange range, CancellationToken ct)
    {
        var market = await markets.CurrentAsync(ct);
        var series = await SeriesAsync(portfolio, market, ct);
        var today = ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
        if (series.Transactions.Length == 0)
        {
            return PerformanceReports.Empty(range, market.Session);
        }
        var live = await LiveAsync(series, market, ct);
        return PerformanceReports.Build(series, market, live, range, today);
    }

    public async Task OnChangedAsync(int portfolioId, DateOnly from, CancellationToken ct)
    {
        if (cache.Find(portfolioId) is null)
        {
            return;
        }
        var version = await db.Set<Portfolio>().AsNoTracking().Where(p => p.Id == portfolioId).Select(p => (long?)p.Version).FirstOrDefaultAsync(ct);
        if (version is { } v)
        {
            cache.Changed(portfolioId, v, from);
        }
        else
        {
            cache.Forget(portfolioId);
        }
    }

    /// <summary>The cached series brought up to the portfolio's Version and the market's closes, recomputing only what changed.</summary>
    public async Task<PerformanceSeries> SeriesAsync(Portfolio portfolio, MarketHistory market, CancellationToken ct)
    {
        var slot = cache.For(portfolio.Id);
        PerformanceSeries? cached;
        DateOnly? pendingFrom;
        long pendingVersion;
        lock (slot)
        {
            (cached, pendingFrom, pendingVersion) = (slot.Series, slot.PendingFrom, slot.PendingVersion);
        }
        // Where the market's closes changed since the cached series was valued (null: unchanged; MinValue: unknown).
        DateOnly? marketFrom = cached is null || cached.MarketGeneration == market.Generation ? null
            : cached.MarketGeneration == market.Generation - 1 && market.ChangedFrom is { } c ? c : DateOnly.MinValue;
        PerformanceSeries series;
        if (cached is not null && cached.Version == portfolio.Version)
        {
            series = marketFrom is null ? cached
                : marketFrom == DateOnly.MinValue ? PerformanceSeries.Compute(cached.Version, cached.Transactions, market)
                : cached.Revalue(marketFrom.Value, market);
        }
        else if (cached is not null && pendingFrom is { } from && pendingVersion == portfolio.Version && marketFrom != DateOnly.MinValue)
        {
            var start = marketFrom is { } m && m < from ? m : from;
            series = cached.Recompute(portfolio.Version, await TransactionsAsync(portfolio.Id, start, ct), start, market);
        }
        else
        {
            series = PerformanceSeries.Compute(portfolio.Version, await TransactionsAsync(portfolio.Id, null, ct), market);
        }
        if (!ReferenceEquals(series, cached))
        {
            lock (slot)
            {
                if (slot.Series is null || slot.Series.Version <= series.Version)
                {
                    slot.Series = series;
                    if (slot.PendingVersion <= series.Version)
                    {
                        slot.PendingFrom = null;
                    }
                }
            }
        }
        return series;
    }

    /// <summary>The fields the ledger reads (not the notes), dated <paramref name="from"/> or later when given.</summary>
    private Task<List<PortfolioTransaction>> TransactionsAsync(int portfolioId, DateOnly? from, CancellationToken ct) =>
        db.Set<PortfolioTransaction>().AsNoTracking()
            .Where(t => t.PortfolioId == portfolioId && (from == null || t.Date >= from))
            .Select(t => new PortfolioTransaction
            {
                Id = t.Id, PortfolioId = t.PortfolioId, Type = t.Type, Date = t.Date, Time = t.Time, InstrumentId = t.InstrumentId,
                Quantity = t.Quantity, Price = t.Price, Amount = t.Amount, Fees = t.Fees, Taxes = t.Taxes, Ratio = t.Ratio,
            })
            .ToListAsync(ct);

    /// <summary>
    /// The current session's prices in one round trip: the held instruments' latest quotes, and the session's daily bars
    /// (the ingest keeps today's bar up to date) for the computed MASI's move and for instruments without a quote.
    /// </summary>
    private async Task<LivePoint> LiveAsync(PerformanceSeries series, MarketHistory market, CancellationToken ct)
    {
        var held = series.Final.Positions.Values.Where(p => p.Quantity != 0).Select(p => p.InstrumentId).ToArray();
        var quotes = new Dictionary<int, (decimal Last, DateTimeOffset Time)>();
        var bars = new Dictionary<int, decimal>();
        await using (var batch = dataSource.CreateBatch())
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT instrument_id, last, time FROM quotes WHERE instrument_id = ANY($1)")
            {
                Parameters = { new NpgsqlParameter<int[]> { TypedValue = held } },
            });
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT instrument_id, close FROM daily_bars WHERE date = $1")
            {
                Parameters = { new NpgsqlParameter<DateOnly> { TypedValue = market.Session } },
            });
            await using var reader = await batch.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                quotes[reader.GetInt32(0)] = (reader.GetDecimal(1), reader.GetFieldValue<DateTimeOffset>(2));
            }
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                bars[reader.GetInt32(0)] = reader.GetDecimal(1);
            }
        }
        var prices = new Dictionary<int, decimal>();
        foreach (var id in held)
        {
            var hasQuote = quotes.TryGetValue(id, out var quote);
            if (bars.TryGetValue(id, out var close) && (!hasQuote || ExchangeCalendar.ExchangeDate(quote.Time) < market.Session))
            {
                prices[id] = close;
            }
            else if (hasQuote)
            {
                prices[id] = quote.Last;
            }
        }
        return new LivePoint(market.Session, series.LiveValue(prices, market), series.LiveFlow(), MasiRatio(market, bars));
    }

    /// <summary>The computed MASI's move over the session, as MarketQueries.IndexHistoryAsync steps it.</summary>
    public static double MasiRatio(MarketHistory market, IReadOnlyDictionary<int, decimal> sessionCloses)
    {
        decimal numerator = 0, denominator = 0;
        foreach (var (id, close) in sessionCloses)
        {
            var previous = market.LastClose(id);
            if (market.Shares.TryGetValue(id, out var shares) && previous > 0)
            {
                numerator += close * shares;
                denominator += previous * shares;
            }
        }
        return denominator == 0 ? 1 : (double)(numerator / denominator);
    }
}
