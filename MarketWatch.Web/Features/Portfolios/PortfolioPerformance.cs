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
        var (series, prices) = await SeriesAsync(portfolio, market, live: true, ct);
        var today = ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
        if (series.Transactions.Length == 0)
        {
            return PerformanceReports.Empty(range, market.Session);
        }
        return PerformanceReports.Build(series, market, Live(series, market, prices!), range, today);
    }

    public async Task OnChangedAsync(int portfolioId, DateOnly from, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
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
    public async Task<PerformanceSeries> SeriesAsync(Portfolio portfolio, MarketHistory market, CancellationToken ct) =>
        (await SeriesAsync(portfolio, market, live: false, ct)).Series;

    private async Task<(PerformanceSeries Series, SessionPrices? Prices)> SeriesAsync(Portfolio portfolio, MarketHistory market, bool live, CancellationToken ct)
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
        // What to read: nothing (the cached transactions are current), the transactions from a date on, or all of them.
        DateOnly? readFrom;
        if (cached is not null && cached.Version == portfolio.Version)
        {
            readFrom = null;
        }
        else if (cached is not null && pendingFrom is { } from && pendingVersion == portfolio.Version && marketFrom != DateOnly.MinValue)
        {
            readFrom = marketFrom is { } m && m < from ? m : from;
        }
        else
        {
            cached = null;
            readFrom = DateOnly.MinValue;
        }
        var (transactions, prices) = await ReadAsync(portfolio.Id, readFrom, live ? market : null, ct);
        PerformanceSeries series;
        if (cached is null)
        {
            series = PerformanceSeries.Compute(portfolio.Version, transactions!, market);
        }
        else if (readFrom is { } start)
        {
            series = cached.Recompute(portfolio.Version, transactions!, start, market);
        }
        else
        {
            series = marketFrom is null ? cached
                : marketFrom == DateOnly.MinValue ? PerformanceSeries.Compute(cached.Version, cached.Transactions, market)
                : cached.Revalue(marketFrom.Value, market);
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
        return (series, prices);
    }

    /// <summary>The latest quotes and the current session's daily bars (the ingest keeps today's bar up to date).</summary>
    private sealed record SessionPrices(Dictionary<int, (decimal Last, DateTimeOffset Time)> Quotes, Dictionary<int, decimal> Bars);

    /// <summary>
    /// One round trip: the transactions dated <paramref name="from"/> or later (only the fields the ledger reads; none
    /// when null), and, with <paramref name="market"/>, the session's prices: every latest quote and every instrument's
    /// bar of the session (by primary key).
    /// </summary>
    private async Task<(List<PortfolioTransaction>? Transactions, SessionPrices? Prices)> ReadAsync(int portfolioId, DateOnly? from, MarketHistory? market,
        CancellationToken ct)
    {
        if (from is null && market is null)
        {
            return (null, null);
        }
        await using var batch = dataSource.CreateBatch();
        if (from is { } start)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                SELECT id, type, date, time, instrument_id, quantity, price, amount, fees, taxes, ratio
                FROM portfolio_transactions WHERE portfolio_id = $1 AND date >= $2
                """)
            {
                Parameters = { new NpgsqlParameter<int> { TypedValue = portfolioId }, new NpgsqlParameter<DateOnly> { TypedValue = start } },
            });
        }
        if (market is not null)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT instrument_id, last, time FROM quotes"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT instrument_id, close FROM daily_bars WHERE instrument_id = ANY($1) AND date = $2")
            {
                Parameters = { new NpgsqlParameter<int[]> { TypedValue = market.Instruments }, new NpgsqlParameter<DateOnly> { TypedValue = market.Session } },
            });
        }
        await using var reader = await batch.ExecuteReaderAsync(ct);
        List<PortfolioTransaction>? transactions = null;
        if (from is not null)
        {
            transactions = [];
            while (await reader.ReadAsync(ct))
            {
                transactions.Add(new PortfolioTransaction
                {
                    Id = reader.GetInt64(0), PortfolioId = portfolioId, Type = (TransactionType)reader.GetInt32(1),
                    Date = reader.GetFieldValue<DateOnly>(2), Time = reader.IsDBNull(3) ? null : reader.GetFieldValue<TimeOnly>(3),
                    InstrumentId = reader.IsDBNull(4) ? null : reader.GetInt32(4), Quantity = reader.GetDecimal(5), Price = reader.GetDecimal(6),
                    Amount = reader.GetDecimal(7), Fees = reader.GetDecimal(8), Taxes = reader.GetDecimal(9),
                    Ratio = reader.IsDBNull(10) ? null : reader.GetDecimal(10),
                });
            }
            await reader.NextResultAsync(ct);
        }
        if (market is null)
        {
            return (transactions, null);
        }
        var quotes = new Dictionary<int, (decimal Last, DateTimeOffset Time)>();
        var bars = new Dictionary<int, decimal>();
        while (await reader.ReadAsync(ct))
        {
            quotes[reader.GetInt32(0)] = (reader.GetDecimal(1), reader.GetFieldValue<DateTimeOffset>(2));
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            bars[reader.GetInt32(0)] = reader.GetDecimal(1);
        }
        return (transactions, new SessionPrices(quotes, bars));
    }

    /// <summary>
    /// The current session valued at the last prices: an instrument's quote, or its session bar when that is newer
    /// than the quote (or there is no quote), or its last close.
    /// </summary>
    private static LivePoint Live(PerformanceSeries series, MarketHistory market, SessionPrices session)
    {
        var prices = new Dictionary<int, decimal>();
        foreach (var p in series.Final.Positions.Values)
        {
            if (p.Quantity == 0)
            {
                continue;
            }
            var id = p.InstrumentId;
            var hasQuote = session.Quotes.TryGetValue(id, out var quote);
            if (session.Bars.TryGetValue(id, out var close) && (!hasQuote || ExchangeCalendar.ExchangeDate(quote.Time) < market.Session))
            {
                prices[id] = close;
            }
            else if (hasQuote)
            {
                prices[id] = quote.Last;
            }
        }
        var (flow, inflow) = series.LiveFlows();
        return new LivePoint(market.Session, series.LiveValue(prices, market), flow, MasiRatio(market, session.Bars), inflow);
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
