using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// One instrument of a portfolio valued at its latest quote. Amounts in the portfolio's currency; <c>*Percent</c> and
/// <see cref="Weight"/> in percent (1.5 = 1.5 %, as <c>Format.Percent</c> writes them). Without a quote the position is
/// valued at its cost (no P/L, no day change). <see cref="Realized"/>: realized P/L of its sales (after fees, before
/// tax); <see cref="Dividends"/>: dividends received net of withholding and fees.
/// </summary>
public sealed record HoldingRow(int InstrumentId, string Ticker, string Name, string Sector, decimal Quantity, decimal AverageCost,
    decimal Cost, decimal? Last, decimal? PreviousClose, DateTimeOffset? QuoteTime, decimal MarketValue,
    decimal UnrealizedPnl, decimal UnrealizedPercent, decimal DayChange, decimal DayChangePercent, decimal Weight,
    decimal Realized, decimal Dividends)
{
    /// <summary>
    /// The instrument's buys and sells on its latest trading date (from the cached replay): on the quote's date they
    /// count from their price, not from the previous close, in <see cref="DayChange"/>.
    /// </summary>
    public DayTrades? LastTrades { get; init; }

    /// <summary>Σ quantity × price of the sales counted in <see cref="DayChange"/> (today's): value at the previous close = market value − day change + this.</summary>
    public decimal SoldToday { get; init; }
}

/// <summary>An instrument's buys and sells of one date: quantities and Σ quantity × price (fees aside).</summary>
public sealed record DayTrades(DateOnly Date, decimal Bought, decimal BoughtAmount, decimal Sold, decimal SoldAmount);

/// <summary>
/// A portfolio valued now. <see cref="Holdings"/>: what is held, by value, largest first; <see cref="Closed"/>: sold-out
/// positions with their realized P/L and dividends. <see cref="Value"/> = holdings + cash when <see cref="TracksCash"/>.
/// <see cref="Invested"/>: net money put in (deposits − withdrawals with cash tracked; otherwise buys with their fees and
/// portfolio fees − what sales and dividends paid out). <see cref="TotalReturn"/> = value − invested. Percentages in percent.
/// </summary>
public sealed record PortfolioSnapshot(Portfolio Portfolio, IReadOnlyList<HoldingRow> Holdings, IReadOnlyList<HoldingRow> Closed, decimal Value,
    decimal HoldingsValue, decimal Cash, bool TracksCash, decimal Invested, decimal DayChange, decimal DayChangePercent, decimal TotalReturn,
    decimal TotalReturnPercent, decimal Realized, decimal Dividends, decimal Fees, decimal Taxes)
{
    /// <summary>
    /// All money put in, never netted: deposits with cash tracked, otherwise buys with their fees and taxes and portfolio
    /// fees. <see cref="TotalReturnPercent"/> = <see cref="TotalReturn"/> / this (net <see cref="Invested"/> can be
    /// zero or negative once sales paid more out than was put in).
    /// </summary>
    public decimal MoneyIn { get; init; }
}

/// <summary>
/// Holdings and the portfolio's figures now. The history is replayed once per <see cref="Portfolio.Version"/> and kept
/// in memory (<see cref="LedgerAsync"/>); a request then costs one quote query, and a tick (<see cref="Revalue"/>)
/// touches only the holdings, however many transactions made them.
/// </summary>
public sealed class PortfolioHoldings(DbContext db, IMemoryCache cache)
{
    /// <summary>How long an unused replayed history stays in memory.</summary>
    public static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(10);

    /// <summary>A version of a portfolio replayed, with what the figures need besides the positions.</summary>
    private sealed record Replayed(Ledger Ledger, decimal Invested, decimal MoneyIn, decimal Fees, decimal Taxes,
        IReadOnlyDictionary<int, (string Ticker, string Name, string Sector)> Instruments, IReadOnlyDictionary<int, DayTrades> LastTrades);

    public async Task<PortfolioSnapshot?> GetAsync(string userId, int id, CancellationToken cancellationToken)
    {
        var portfolio = await db.Portfolios.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.UserId == userId, cancellationToken);
        return portfolio is null ? null : await ForAsync(portfolio, cancellationToken);
    }

    /// <summary>The portfolio valued now, whoever asks (the share page): the caller has checked who may see it.</summary>
    public async Task<PortfolioSnapshot> ForAsync(Portfolio portfolio, CancellationToken cancellationToken)
    {
        var replayed = await ReplayedAsync(portfolio, cancellationToken);
        // Held instruments, and sold-out ones (a sale today counts in today's change from the previous close).
        var held = replayed.Ledger.Positions.Values
            .Where(p => p.Quantity > 0 || replayed.LastTrades.ContainsKey(p.InstrumentId))
            .Select(p => p.InstrumentId).ToList();
        var quotes = held.Count == 0 ? [] : await db.Set<Quote>().AsNoTracking().Where(q => held.Contains(q.InstrumentId)).ToDictionaryAsync(q => q.InstrumentId, cancellationToken);
        var ledger = replayed.Ledger;
        var rows = ledger.Positions.Values.Select(p =>
        {
            var (ticker, name, sector) = replayed.Instruments.GetValueOrDefault(p.InstrumentId, ("", "", ""));
            return new HoldingRow(p.InstrumentId, ticker, name, sector, p.Quantity, Math.Round(p.AverageCost, 4), Math.Round(p.Cost, 2),
                null, null, null, 0, 0, 0, 0, 0, 0, Math.Round(p.Realized, 2), Math.Round(p.DividendsNet, 2))
            { LastTrades = replayed.LastTrades.GetValueOrDefault(p.InstrumentId) };
        }).ToList();
        var open = rows.Where(r => r.Quantity > 0).Select(r => Priced(r, quotes.GetValueOrDefault(r.InstrumentId))).ToList();
        var closed = rows.Where(r => r.Quantity == 0)
            .Select(r => Priced(r, quotes.GetValueOrDefault(r.InstrumentId)) with { MarketValue = 0, Last = null, PreviousClose = null, QuoteTime = null, UnrealizedPnl = 0, UnrealizedPercent = 0 })
            .OrderBy(r => r.Ticker, StringComparer.Ordinal).ToList();
        var empty = new PortfolioSnapshot(portfolio, [], closed, 0, 0, Math.Round(ledger.Cash, 2), ledger.TracksCash, Math.Round(replayed.Invested, 2),
            0, 0, 0, 0, Math.Round(ledger.Positions.Values.Sum(p => p.Realized), 2), Math.Round(ledger.Positions.Values.Sum(p => p.DividendsNet), 2),
            Math.Round(replayed.Fees, 2), Math.Round(replayed.Taxes, 2)) { MoneyIn = Math.Round(replayed.MoneyIn, 2) };
        return Totals(empty, open);
    }

    /// <summary>
    /// The snapshot at new quotes (a tick): each holding whose instrument is in <paramref name="quotes"/> re-priced, the
    /// others kept, then weights and totals. Pure and O(holdings).
    /// </summary>
    public static PortfolioSnapshot Revalue(PortfolioSnapshot snapshot, IReadOnlyDictionary<int, Quote> quotes) =>
        Totals(snapshot, snapshot.Holdings.Select(r => quotes.TryGetValue(r.InstrumentId, out var q) ? Priced(r, q) : r).ToList());

    /// <summary>
    /// The portfolio's history replayed up to its <see cref="Portfolio.Version"/> (cached per id and version). Shared:
    /// never <see cref="Ledger.Apply"/> to it; <see cref="Ledger.Clone"/> it first.
    /// </summary>
    public async Task<Ledger> LedgerAsync(Portfolio portfolio, CancellationToken cancellationToken) =>
        (await ReplayedAsync(portfolio, cancellationToken)).Ledger;

    private async Task<Replayed> ReplayedAsync(Portfolio portfolio, CancellationToken cancellationToken)
    {
        var key = ("portfolio-replayed", portfolio.Id, portfolio.Version);
        if (cache.TryGetValue(key, out Replayed? replayed) && replayed is not null)
        {
            return replayed;
        }
        // Only the ledger's columns (no note, no timestamps): the cold read of a 10,000-transaction portfolio is most of its cost.
        var transactions = await db.PortfolioTransactions.AsNoTracking().Where(t => t.PortfolioId == portfolio.Id)
            .Select(t => new PortfolioTransaction
            {
                Id = t.Id, PortfolioId = t.PortfolioId, Type = t.Type, Date = t.Date, Time = t.Time, InstrumentId = t.InstrumentId,
                Quantity = t.Quantity, Price = t.Price, Amount = t.Amount, Fees = t.Fees, Taxes = t.Taxes, Ratio = t.Ratio,
            })
            .ToListAsync(cancellationToken);
        var ledger = Ledger.Replay(transactions);
        decimal invested = 0, moneyIn = 0, fees = 0, taxes = 0;
        foreach (var t in transactions)
        {
            var flow = Ledger.ExternalFlow(t, ledger.TracksCash);
            invested += flow;
            moneyIn += Math.Max(flow, 0);
            fees += t.Type == TransactionType.Fee ? t.Amount : t.Fees;
            taxes += t.Taxes;
        }
        var ids = ledger.Positions.Keys.ToList();
        var instruments = await db.Instruments.AsNoTracking().Where(i => ids.Contains(i.Id))
            .Select(i => new { i.Id, i.Ticker, i.Name, i.Sector }).ToDictionaryAsync(i => i.Id, i => (i.Ticker, i.Name, i.Sector), cancellationToken);
        replayed = new Replayed(ledger, invested, moneyIn, fees, taxes, instruments, LastTradesOf(transactions));
        cache.Set(key, replayed, new MemoryCacheEntryOptions { SlidingExpiration = KeepFor });
        return replayed;
    }

    /// <summary>
    /// Per instrument, its buys and sells on the latest date it had any (none when a split or bonus fell that date: the
    /// previous close is then on another share count, and the day change falls back to quantity × move).
    /// </summary>
    private static Dictionary<int, DayTrades> LastTradesOf(List<PortfolioTransaction> transactions)
    {
        var result = new Dictionary<int, DayTrades>();
        foreach (var g in transactions.Where(t => t.InstrumentId is not null && t.Type is TransactionType.Buy or TransactionType.Sell)
                     .GroupBy(t => t.InstrumentId!.Value))
        {
            var date = g.Max(t => t.Date);
            if (transactions.Any(t => t.InstrumentId == g.Key && t.Date == date && t.Type is TransactionType.Split or TransactionType.Bonus))
            {
                continue;
            }
            var day = g.Where(t => t.Date == date).ToList();
            result[g.Key] = new DayTrades(date,
                day.Where(t => t.Type == TransactionType.Buy).Sum(t => t.Quantity), day.Where(t => t.Type == TransactionType.Buy).Sum(t => t.Quantity * t.Price),
                day.Where(t => t.Type == TransactionType.Sell).Sum(t => t.Quantity), day.Where(t => t.Type == TransactionType.Sell).Sum(t => t.Quantity * t.Price));
        }
        return result;
    }

    /// <summary>A holding at a quote (its last price, or the previous close before the first trade of the day).</summary>
    private static HoldingRow Priced(HoldingRow r, Quote? quote)
    {
        if (quote is null)
        {
            return r with { Last = null, PreviousClose = null, QuoteTime = null, MarketValue = r.Cost, UnrealizedPnl = 0, UnrealizedPercent = 0, DayChange = 0, DayChangePercent = 0 };
        }
        var last = quote.Last > 0 ? quote.Last : quote.PreviousClose;
        decimal? previous = quote.PreviousClose > 0 ? quote.PreviousClose : null;
        var value = Math.Round(r.Quantity * last, 2);
        var pnl = value - r.Cost;
        // Day change: now − (held at the previous close × that close) − today's buys + today's sales; a share bought
        // today counts from its price, a share sold today from the close to its sale price.
        var today = r.LastTrades is { } t && t.Date >= ExchangeCalendar.ExchangeDate(quote.Time) ? t : null;
        var heldAtClose = r.Quantity - (today?.Bought ?? 0) + (today?.Sold ?? 0);
        var day = previous is { } p
            ? Math.Round(r.Quantity * last - heldAtClose * p - (today?.BoughtAmount ?? 0) + (today?.SoldAmount ?? 0), 2)
            : 0;
        return r with
        {
            Last = last,
            PreviousClose = previous,
            QuoteTime = quote.Time,
            MarketValue = value,
            UnrealizedPnl = pnl,
            UnrealizedPercent = r.Cost > 0 ? Math.Round(pnl / r.Cost * 100, 2) : 0,
            DayChange = day,
            DayChangePercent = value - day + (today?.SoldAmount ?? 0) is > 0 and var dayBase ? Math.Round(day / dayBase * 100, 2) : 0,
            SoldToday = today?.SoldAmount ?? 0,
        };
    }

    /// <summary>Weights, order and the portfolio's totals from priced holdings.</summary>
    private static PortfolioSnapshot Totals(PortfolioSnapshot snapshot, List<HoldingRow> holdings)
    {
        var holdingsValue = holdings.Sum(r => r.MarketValue);
        var sorted = holdings
            .Select(r => r with { Weight = holdingsValue > 0 ? Math.Round(r.MarketValue / holdingsValue * 100, 2) : 0 })
            .OrderByDescending(r => r.MarketValue).ThenBy(r => r.Ticker, StringComparer.Ordinal).ToList();
        var dayChange = holdings.Sum(r => r.DayChange) + snapshot.Closed.Sum(r => r.DayChange);
        var value = holdingsValue + (snapshot.TracksCash ? snapshot.Cash : 0);
        var totalReturn = value - snapshot.Invested;
        // Worth at the previous close, plus today's buys: what the day's change is measured against.
        var previousValue = holdingsValue - dayChange + holdings.Sum(r => r.SoldToday) + snapshot.Closed.Sum(r => r.SoldToday);
        return snapshot with
        {
            Holdings = sorted,
            Value = value,
            HoldingsValue = holdingsValue,
            DayChange = dayChange,
            DayChangePercent = previousValue > 0 ? Math.Round(dayChange / previousValue * 100, 2) : 0,
            TotalReturn = totalReturn,
            TotalReturnPercent = snapshot.MoneyIn > 0 ? Math.Round(totalReturn / snapshot.MoneyIn * 100, 2) : 0,
        };
    }
}
