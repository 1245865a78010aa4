using MarketWatch.Web.Features.Market;
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
    decimal Realized, decimal Dividends);

/// <summary>
/// A portfolio valued now. <see cref="Holdings"/>: what is held, by value, largest first; <see cref="Closed"/>: sold-out
/// positions with their realized P/L and dividends. <see cref="Value"/> = holdings + cash when <see cref="TracksCash"/>.
/// <see cref="Invested"/>: net money put in (deposits − withdrawals with cash tracked; otherwise buys with their fees and
/// portfolio fees − what sales and dividends paid out). <see cref="TotalReturn"/> = value − invested. Percentages in percent.
/// </summary>
public sealed record PortfolioSnapshot(Portfolio Portfolio, IReadOnlyList<HoldingRow> Holdings, IReadOnlyList<HoldingRow> Closed, decimal Value,
    decimal HoldingsValue, decimal Cash, bool TracksCash, decimal Invested, decimal DayChange, decimal DayChangePercent, decimal TotalReturn,
    decimal TotalReturnPercent, decimal Realized, decimal Dividends, decimal Fees, decimal Taxes);

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
    private sealed record Replayed(Ledger Ledger, decimal Invested, decimal Fees, decimal Taxes,
        IReadOnlyDictionary<int, (string Ticker, string Name, string Sector)> Instruments);

    public async Task<PortfolioSnapshot?> GetAsync(string userId, int id, CancellationToken cancellationToken)
    {
        var portfolio = await db.Portfolios.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.UserId == userId, cancellationToken);
        return portfolio is null ? null : await ForAsync(portfolio, cancellationToken);
    }

    /// <summary>The portfolio valued now, whoever asks (the share page): the caller has checked who may see it.</summary>
    public async Task<PortfolioSnapshot> ForAsync(Portfolio portfolio, CancellationToken cancellationToken)
    {
        var replayed = await ReplayedAsync(portfolio, cancellationToken);
        var held = replayed.Ledger.Positions.Values.Where(p => p.Quantity > 0).Select(p => p.InstrumentId).ToList();
        var quotes = held.Count == 0 ? [] : await db.Set<Quote>().AsNoTracking().Where(q => held.Contains(q.InstrumentId)).ToDictionaryAsync(q => q.InstrumentId, cancellationToken);
        var ledger = replayed.Ledger;
        var rows = ledger.Positions.Values.Select(p =>
        {
            var (ticker, name, sector) = replayed.Instruments.GetValueOrDefault(p.InstrumentId, ("", "", ""));
            return new HoldingRow(p.InstrumentId, ticker, name, sector, p.Quantity, Math.Round(p.AverageCost, 4), Math.Round(p.Cost, 2),
                null, null, null, 0, 0, 0, 0, 0, 0, Math.Round(p.Realized, 2), Math.Round(p.DividendsNet, 2));
        }).ToList();
        var open = rows.Where(r => r.Quantity > 0).Select(r => Priced(r, quotes.GetValueOrDefault(r.InstrumentId))).ToList();
        var closed = rows.Where(r => r.Quantity == 0).Select(r => r with { MarketValue = 0 }).OrderBy(r => r.Ticker, StringComparer.Ordinal).ToList();
        var empty = new PortfolioSnapshot(portfolio, [], closed, 0, 0, Math.Round(ledger.Cash, 2), ledger.TracksCash, Math.Round(replayed.Invested, 2),
            0, 0, 0, 0, Math.Round(ledger.Positions.Values.Sum(p => p.Realized), 2), Math.Round(ledger.Positions.Values.Sum(p => p.DividendsNet), 2),
            Math.Round(replayed.Fees, 2), Math.Round(replayed.Taxes, 2));
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
        decimal invested = 0, fees = 0, taxes = 0;
        foreach (var t in transactions)
        {
            invested += Ledger.ExternalFlow(t, ledger.TracksCash);
            fees += t.Type == TransactionType.Fee ? t.Amount : t.Fees;
            taxes += t.Taxes;
        }
        var ids = ledger.Positions.Keys.ToList();
        var instruments = await db.Instruments.AsNoTracking().Where(i => ids.Contains(i.Id))
            .Select(i => new { i.Id, i.Ticker, i.Name, i.Sector }).ToDictionaryAsync(i => i.Id, i => (i.Ticker, i.Name, i.Sector), cancellationToken);
        replayed = new Replayed(ledger, invested, fees, taxes, instruments);
        cache.Set(key, replayed, new MemoryCacheEntryOptions { SlidingExpiration = KeepFor });
        return replayed;
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
        var day = previous is { } p ? Math.Round(r.Quantity * (last - p), 2) : 0;
        return r with
        {
            Last = last,
            PreviousClose = previous,
            QuoteTime = quote.Time,
            MarketValue = value,
            UnrealizedPnl = pnl,
            UnrealizedPercent = r.Cost > 0 ? Math.Round(pnl / r.Cost * 100, 2) : 0,
            DayChange = day,
            DayChangePercent = previous is { } pc ? Math.Round((last - pc) / pc * 100, 2) : 0,
        };
    }

    /// <summary>Weights, order and the portfolio's totals from priced holdings.</summary>
    private static PortfolioSnapshot Totals(PortfolioSnapshot snapshot, List<HoldingRow> holdings)
    {
        var holdingsValue = holdings.Sum(r => r.MarketValue);
        var sorted = holdings
            .Select(r => r with { Weight = holdingsValue > 0 ? Math.Round(r.MarketValue / holdingsValue * 100, 2) : 0 })
            .OrderByDescending(r => r.MarketValue).ThenBy(r => r.Ticker, StringComparer.Ordinal).ToList();
        var dayChange = holdings.Sum(r => r.DayChange);
        var value = holdingsValue + (snapshot.TracksCash ? snapshot.Cash : 0);
        var totalReturn = value - snapshot.Invested;
        var previousValue = holdingsValue - dayChange;
        return snapshot with
        {
            Holdings = sorted,
            Value = value,
            HoldingsValue = holdingsValue,
            DayChange = dayChange,
            DayChangePercent = previousValue > 0 ? Math.Round(dayChange / previousValue * 100, 2) : 0,
            TotalReturn = totalReturn,
            TotalReturnPercent = snapshot.Invested > 0 ? Math.Round(totalReturn / snapshot.Invested * 100, 2) : 0,
        };
    }
}
