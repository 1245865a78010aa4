using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// A transaction as the user enters it (form, API, import row). <see cref="Ticker"/> is a ticker or an ISIN.
/// <see cref="Fees"/>/<see cref="Taxes"/> null take the fee schedule's default (buy/sell fees; a sell's capital-gains
/// tax on its gain at weighted average cost; a dividend's withholding), 0 means none. Field errors are reported on these
/// property names, camel-cased ("ticker", "quantity").
/// </summary>
public sealed record TransactionInput(TransactionType? Type, DateOnly? Date, TimeOnly? Time, string? Ticker, decimal? Quantity, decimal? Price,
    decimal? Amount, decimal? Fees, decimal? Taxes, decimal? Ratio, string? Note);

/// <summary>Which transactions to list; <see cref="Ticker"/> matches a ticker or an ISIN, any case; dates inclusive.</summary>
public sealed record TransactionFilter(TransactionType? Type = null, string? Ticker = null, DateOnly? From = null, DateOnly? To = null);

/// <summary>One instrument's position: quantity, weighted average cost per share, the cost of the shares held, realized P/L so far.</summary>
public sealed record PositionSnapshot(decimal Quantity, decimal AverageCost, decimal Cost, decimal Realized)
{
    internal static PositionSnapshot Of(PositionState? p) =>
        p is null ? new(0, 0, 0, 0) : new(p.Quantity, Math.Round(p.AverageCost, 4), Math.Round(p.Cost, 2), Math.Round(p.Realized, 2));
}

/// <summary>
/// What a transaction would do, computed before saving: the instrument's position just before and just after it (at its
/// place in the history), the fees and taxes it would carry (defaults included), a sale's realized gain (after fees,
/// before tax), and the cash just before and after it when the portfolio tracks cash.
/// </summary>
public sealed record TransactionPreview(string? Ticker, PositionSnapshot? Before, PositionSnapshot? After, decimal Fees, decimal Taxes,
    decimal? RealizedGain, decimal? CashBefore, decimal? CashAfter);

/// <summary>A refused row of a batch: its 0-based index in the input list and why.</summary>
public sealed record RowError(int Row, FieldError Error);

/// <summary>A batch's result: all rows added, or none (<see cref="Errors"/> says why, row by row).</summary>
public sealed record BatchOutcome(bool Found, int Added, IReadOnlyList<RowError> Errors);

/// <summary>
/// Told after a portfolio's transactions changed (after the commit): caches of figures drop what they hold from
/// <c>from</c>, the earliest date the change affects. Declared here; higher folders and the performance cache implement it.
/// </summary>
public interface IPortfolioChangeHandler
{
    Task OnChangedAsync(int portfolioId, DateOnly from, CancellationToken cancellationToken);
}

/// <summary>
/// A portfolio's transactions: list, add, edit, delete, preview, add many. Every change runs in one database
/// transaction under the portfolio's advisory lock (changes of one portfolio take turns, on any instance), replays the
/// history as it would become, and is refused whole when a sell would need more shares than are held at its date;
/// then <see cref="Portfolio.Version"/> is bumped and every <see cref="IPortfolioChangeHandler"/> is told.
/// Another user's portfolio or transaction is not found.
/// </summary>
public sealed class PortfolioTransactions(DbContext db, FeeSchedules feeSchedules, IOptions<PortfolioOptions> options, TimeProvider clock,
    IServiceProvider services, ILogger<PortfolioTransactions> logger)
{
    public const decimal MaxQuantity = 1_000_000_000m;
    public const decimal MaxPrice = 10_000_000m;
    /// <summary>The largest amount (a deposit, or quantity × price) and fee or tax: far above any account, inside the columns' precision.</summary>
    public const decimal MaxAmount = 1_000_000_000_000m;
    public const decimal MaxRatio = 1000m;
    public static readonly DateOnly EarliestDate = new(1990, 1, 1);

    /// <summary>Ids given to new rows while their history is replayed: above every stored id, in input order, as they will be stored.</summary>
    private const long TemporaryIds = long.MaxValue / 2;

    /// <summary>The matching transactions, newest first; with <paramref name="take"/>, only that many (the limit runs in SQL).</summary>
    public async Task<List<PortfolioTransaction>?> ListAsync(string userId, int portfolioId, TransactionFilter? filter, CancellationToken cancellationToken,
        int? take = null)
    {
        if (!await db.Portfolios.AnyAsync(p => p.Id == portfolioId && p.UserId == userId, cancellationToken))
        {
            return null;
        }
        var ordered = Filtered(portfolioId, filter).Include(t => t.Instrument)
            .OrderByDescending(t => t.Date).ThenByDescending(t => t.Time).ThenByDescending(t => t.Id);
        return await (take is { } n ? ordered.Take(n) : ordered).ToListAsync(cancellationToken);
    }

    /// <summary>How many transactions match (0 for another user's portfolio), counted in SQL.</summary>
    public Task<int> CountAsync(string userId, int portfolioId, TransactionFilter? filter, CancellationToken cancellationToken) =>
        Filtered(portfolioId, filter).Where(t => db.Set<Portfolio>().Any(p => p.Id == portfolioId && p.UserId == userId)).CountAsync(cancellationToken);

    private IQueryable<PortfolioTransaction> Filtered(int portfolioId, TransactionFilter? filter)
    {
        var query = db.PortfolioTransactions.AsNoTracking().Where(t => t.PortfolioId == portfolioId);
        if (filter?.Type is { } type)
        {
            query = query.Where(t => t.Type == type);
        }
        if (filter?.Ticker?.Trim().ToUpperInvariant() is { Length: > 0 } ticker)
        {
            query = query.Where(t => t.Instrument != null && (t.Instrument.Ticker.ToUpper() == ticker || (t.Instrument.Isin != null && t.Instrument.Isin.ToUpper() == ticker)));
        }
        if (filter?.From is { } from)
        {
            query = query.Where(t => t.Date >= from);
        }
        if (filter?.To is { } to)
        {
            query = query.Where(t => t.Date <= to);
        }
        return query;
    }

    public Task<PortfolioTransaction?> FindAsync(string userId, int portfolioId, long transactionId, CancellationToken cancellationToken) =>
        db.PortfolioTransactions.AsNoTracking().Include(t => t.Instrument)
            .Where(t => t.Id == transactionId && t.PortfolioId == portfolioId && db.Set<Portfolio>().Any(p => p.Id == portfolioId && p.UserId == userId))
            .SingleOrDefaultAsync(cancellationToken);

    public async Task<Outcome<PortfolioTransaction>> AddAsync(string userId, int portfolioId, TransactionInput input, CancellationToken cancellationToken)
    {
        var result = await ChangeAsync(userId, portfolioId, null, [input], delete: false, cancellationToken);
        return !result.Found ? Outcome<PortfolioTransaction>.Missing
            : result.Errors.Count > 0 ? new Outcome<PortfolioTransaction>(default, result.Errors[0].Error, true)
            : Outcome<PortfolioTransaction>.Done(result.Saved!);
    }

    public async Task<Outcome<PortfolioTransaction>> UpdateAsync(string userId, int portfolioId, long transactionId, TransactionInput input,
        CancellationToken cancellationToken)
    {
        var result = await ChangeAsync(userId, portfolioId, transactionId, [input], delete: false, cancellationToken);
        return !result.Found ? Outcome<PortfolioTransaction>.Missing
            : result.Errors.Count > 0 ? new Outcome<PortfolioTransaction>(default, result.Errors[0].Error, true)
            : Outcome<PortfolioTransaction>.Done(result.Saved!);
    }

    public async Task<Outcome<bool>> DeleteAsync(string userId, int portfolioId, long transactionId, CancellationToken cancellationToken)
    {
        var result = await ChangeAsync(userId, portfolioId, transactionId, [], delete: true, cancellationToken);
        return !result.Found ? Outcome<bool>.Missing
            : result.Errors.Count > 0 ? new Outcome<bool>(false, result.Errors[0].Error, true)
            : Outcome<bool>.Done(true);
    }

    /// <summary>All rows or none: any refused row (each reported with its index) stores nothing.</summary>
    public async Task<BatchOutcome> AddManyAsync(string userId, int portfolioId, IReadOnlyList<TransactionInput> inputs, CancellationToken cancellationToken)
    {
        var result = await ChangeAsync(userId, portfolioId, null, inputs, delete: false, cancellationToken);
        return new BatchOutcome(result.Found, result.Errors.Count == 0 ? inputs.Count : 0, result.Errors);
    }

    /// <summary>What adding (or, with <paramref name="transactionId"/>, editing) would do; nothing is saved.</summary>
    public async Task<Outcome<TransactionPreview>> PreviewAsync(string userId, int portfolioId, long? transactionId, TransactionInput input,
        CancellationToken cancellationToken)
    {
        var portfolio = await db.Portfolios.AsNoTracking().SingleOrDefaultAsync(p => p.Id == portfolioId && p.UserId == userId, cancellationToken);
        if (portfolio is null)
        {
            return Outcome<TransactionPreview>.Missing;
        }
        var plan = await PlanAsync(portfolio, transactionId, [input], delete: false, wholeHistory: true, cancellationToken);
        if (!plan.Found)
        {
            return Outcome<TransactionPreview>.Missing;
        }
        if (plan.Errors.Count > 0)
        {
            return new Outcome<TransactionPreview>(default, plan.Errors[0].Error, true);
        }
        var tx = plan.Added[0];
        var ledger = new Ledger(Ledger.TracksCashOf(plan.History));
        PositionSnapshot? before = null, after = null;
        decimal? cashBefore = null, cashAfter = null, gain = null;
        foreach (var t in Ledger.Order(plan.History))
        {
            if (!ReferenceEquals(t, tx))
            {
                ledger.Apply(t);
                continue;
            }
            var position = t.InstrumentId is { } id ? ledger.Positions.GetValueOrDefault(id) : null;
            before = t.InstrumentId is null ? null : PositionSnapshot.Of(position);
            cashBefore = ledger.TracksCash ? ledger.Cash : null;
            ledger.Apply(t);
            after = t.InstrumentId is { } held ? PositionSnapshot.Of(ledger.Positions.GetValueOrDefault(held)) : null;
            cashAfter = ledger.TracksCash ? ledger.Cash : null;
            gain = t.Type == TransactionType.Sell ? Math.Round(ledger.Sales[^1].Gain, 2) : null;
            break;
        }
        return Outcome<TransactionPreview>.Done(new TransactionPreview(tx.Instrument?.Ticker, before, after, tx.Fees, tx.Taxes, gain, cashBefore, cashAfter));
    }

    /// <summary>Why a paper account's transactions cannot be added, edited, deleted or imported by hand.</summary>
    public static readonly FieldError PaperRefusal = new("",
        new Text("This is a paper-trading account: its transactions are the fills of its orders. Trade from its paper-trading page instead."));

    private sealed record ChangeResult(bool Found, IReadOnlyList<RowError> Errors, PortfolioTransaction? Saved, DateOnly? From);

    /// <summary>The history as it would become, replayed; its errors; what to save.</summary>
    private sealed record Plan(bool Found, IReadOnlyList<RowError> Errors, List<PortfolioTransaction> History, List<PortfolioTransaction> Added,
        PortfolioTransaction? Old, DateOnly? From, List<PortfolioTransaction> Retaxed)
    {
        public static Plan Missing { get; } = new(false, [], [], [], null, null, []);
        public static Plan Refused(IReadOnlyList<RowError> errors) => new(true, errors, [], [], null, null, []);
    }

    private async Task<ChangeResult> ChangeAsync(string userId, int portfolioId, long? transactionId, IReadOnlyList<TransactionInput> inputs, bool delete,
        CancellationToken cancellationToken)
    {
        // Another user's portfolio is missing before any lock is taken for it.
        var kind = await db.Portfolios.Where(p => p.Id == portfolioId && p.UserId == userId).Select(p => (PortfolioKind?)p.Kind).SingleOrDefaultAsync(cancellationToken);
        if (kind is null)
        {
            return new ChangeResult(false, [], null, null);
        }
        // A paper account's transactions are its fills (and its starting deposit): only paper trading writes them.
        if (kind == PortfolioKind.Paper)
        {
            return new ChangeResult(true, [new RowError(0, PaperRefusal)], null, null);
        }
        var result = await AdvisoryLock.InTransactionAsync(db, "portfolio:" + portfolioId, async () =>
        {
            var portfolio = await db.Portfolios.SingleOrDefaultAsync(p => p.Id == portfolioId && p.UserId == userId, cancellationToken);
            if (portfolio is null)
            {
                return new ChangeResult(false, [], null, null);
            }
            var plan = await PlanAsync(portfolio, transactionId, inputs, delete, wholeHistory: false, cancellationToken);
            if (!plan.Found || plan.Errors.Count > 0 || (plan.Added.Count == 0 && !delete))
            {
                return new ChangeResult(plan.Found, plan.Errors, null, null);
            }
            var now = clock.GetUtcNow();
            if (delete)
            {
                await db.PortfolioTransactions.Where(t => t.Id == transactionId && t.PortfolioId == portfolioId).ExecuteDeleteAsync(cancellationToken);
            }
            else if (plan.Old is { } old)
            {
                var tx = plan.Added[0];
                tx.CreatedAt = old.CreatedAt;
                db.Update(tx);
            }
            else
            {
                foreach (var tx in plan.Added)
                {
                    tx.Id = 0;
                    tx.CreatedAt = now;
                }
                db.AddRange(plan.Added);
            }
            foreach (var sell in plan.Retaxed)
            {
                await db.PortfolioTransactions.Where(t => t.Id == sell.Id && t.PortfolioId == portfolioId)
                    .ExecuteUpdateAsync(u => u.SetProperty(t => t.Taxes, sell.Taxes), cancellationToken);
            }
            portfolio.Version++;
            await db.SaveChangesAsync(cancellationToken);
            return new ChangeResult(true, [], plan.Added.FirstOrDefault(), plan.From);
        }, cancellationToken);
        if (result.From is { } from)
        {
            await NotifyAsync(portfolioId, from, cancellationToken);
        }
        return result;
    }

    private async Task NotifyAsync(int portfolioId, DateOnly from, CancellationToken cancellationToken)
    {
        // Resolved here rather than injected: a handler (the performance cache) may itself use the portfolio services.
        foreach (var handler in services.GetServices<IPortfolioChangeHandler>())
        {
            try
            {
                await handler.OnChangedAsync(portfolioId, from, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The change is committed; a cache keyed by the portfolio's version is not stale, only slower to refresh.
                logger.LogError(e, "{Handler} failed after portfolio {PortfolioId} changed from {From}", handler.GetType().Name, portfolioId, from);
            }
        }
    }

    /// <summary>
    /// Validates the inputs, resolves instruments and default fees and taxes, replays the history as it would become and
    /// checks every sell against the shares held at its date. Reads only.
    /// </summary>
    private async Task<Plan> PlanAsync(Portfolio portfolio, long? transactionId, IReadOnlyList<TransactionInput> inputs, bool delete,
        bool wholeHistory, CancellationToken cancellationToken)
    {
        PortfolioTransaction? old = null;
        if (transactionId is { } id)
        {
            old = await db.PortfolioTransactions.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id && t.PortfolioId == portfolio.Id, cancellationToken);
            if (old is null)
            {
                return Plan.Missing;
            }
        }
        if (!delete && transactionId is null)
        {
            var count = await db.PortfolioTransactions.CountAsync(t => t.PortfolioId == portfolio.Id, cancellationToken);
            if (count + inputs.Count > options.Value.MaxTransactions)
            {
                var row = Math.Max(0, options.Value.MaxTransactions - count);
                return Plan.Refused([new RowError(Math.Min(row, inputs.Count - 1), new FieldError("",
                    new Text("A portfolio can hold at most {0} transactions.", options.Value.MaxTransactions), LimitReached: true))]);
            }
        }

        var instruments = await InstrumentsAsync(inputs, cancellationToken);
        var today = ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
        var schedule = await feeSchedules.GetAsync(cancellationToken);
        var errors = new List<RowError>();
        var added = new List<PortfolioTransaction>();
        var pendingTaxes = new HashSet<PortfolioTransaction>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var (tx, rowErrors) = Build(inputs[i], instruments, today);
            if (rowErrors.Count > 0)
            {
                errors.AddRange(rowErrors.Select(e => new RowError(i, e)));
                continue;
            }
            tx!.PortfolioId = portfolio.Id;
            tx.Id = old?.Id ?? TemporaryIds + i;
            var given = inputs[i];
            tx.Fees = tx.Type is TransactionType.Buy or TransactionType.Sell or TransactionType.Dividend
                ? given.Fees is { } fees ? Math.Round(fees, 2) : tx.Type == TransactionType.Dividend ? 0 : schedule.TradeFees(tx.Amount, portfolio.AccountAtBank)
                : 0;
            tx.Taxes = tx.Type switch
            {
                TransactionType.Sell or TransactionType.Dividend when given.Taxes is { } taxes => Math.Round(taxes, 2),
                TransactionType.Dividend => schedule.DividendWithholding(tx.Amount),
                TransactionType.Buy => Math.Round(given.Taxes ?? 0, 2),
                _ => 0,
            };
            tx.FeesDefaulted = tx.Type is TransactionType.Buy or TransactionType.Sell && given.Fees is null;
            tx.TaxesDefaulted = tx.Type is TransactionType.Sell or TransactionType.Dividend && given.Taxes is null;
            if (tx.Type == TransactionType.Sell && given.Taxes is null)
            {
                pendingTaxes.Add(tx);
            }
            added.Add(tx);
        }
        if (errors.Count > 0)
        {
            return Plan.Refused(errors);
        }

        // A sell's shares and gain depend only on its own instrument's history: a change reads those instruments' rows
        // (a deposit reads none), the preview everything, for the cash around the transaction.
        var affected = added.Select(t => t.InstrumentId).Append(old?.InstrumentId).OfType<int>().Distinct().ToList();
        var history = wholeHistory
            ? await db.PortfolioTransactions.AsNoTracking().Where(t => t.PortfolioId == portfolio.Id).ToListAsync(cancellationToken)
            : affected.Count == 0 ? []
            : await db.PortfolioTransactions.AsNoTracking()
                .Where(t => t.PortfolioId == portfolio.Id && t.InstrumentId != null && affected.Contains(t.InstrumentId.Value)).ToListAsync(cancellationToken);
        if (old is not null)
        {
            history.RemoveAll(t => t.Id == old.Id);
        }
        history.AddRange(added);
        var ledger = Ledger.Replay(history);
        if (ledger.FirstShortfall is { } shortfall)
        {
            var ticker = await db.Instruments.Where(i => i.Id == shortfall.Sell.InstrumentId).Select(i => i.Ticker).SingleOrDefaultAsync(cancellationToken);
            var message = new Text("The sell of {0} {1} on {2} would need {0} shares; {3} are held then.",
                new Shares(shortfall.Sell.Quantity), ticker ?? "", new LocalDate(shortfall.Sell.Date), new Shares(shortfall.Held));
            // The row that caused it: the short sell itself when it is new, else the earliest new row of that instrument.
            var culprit = added.IndexOf(shortfall.Sell);
            if (culprit < 0)
            {
                culprit = added.Select((t, index) => (t, index)).Where(x => x.t.InstrumentId == shortfall.Sell.InstrumentId)
                    .OrderBy(x => x.t.Date).Select(x => x.index).DefaultIfEmpty(0).First();
            }
            var field = old is not null && added.Count == 1 && added[0].Date != old.Date ? "date" : "quantity";
            return Plan.Refused([new RowError(culprit, new FieldError(field, message))]);
        }
        if (ledger.FirstOversize is { } oversize)
        {
            var culprit = added.IndexOf(oversize);
            if (culprit < 0)
            {
                culprit = added.Select((t, index) => (t, index)).Where(x => x.t.InstrumentId == oversize.InstrumentId)
                    .OrderBy(x => x.t.Date).Select(x => x.index).DefaultIfEmpty(0).First();
            }
            var field = culprit < added.Count && added.Count > 0 && added[culprit].Type is TransactionType.Split or TransactionType.Bonus ? "ratio" : "quantity";
            return Plan.Refused([new RowError(culprit, new FieldError(field,
                new Text("A position can hold at most {0} shares.", new Shares(Ledger.MaxPositionQuantity))))]);
        }
        // A defaulted capital-gains tax follows its sale's gain: the new sells get theirs, and the stored sells of the
        // instruments changed whose gain moved (a back-dated buy, an edit, a delete changes the average cost) get theirs
        // again. A tax is not part of the cost, so no gain depends on another sale's tax. Only those instruments' sales
        // can move, and exactly those are in the history read.
        var sells = history.Where(t => t.Type == TransactionType.Sell && t.TaxesDefaulted).ToDictionary(t => t.Id);
        var retaxed = new List<PortfolioTransaction>();
        foreach (var sale in ledger.Sales)
        {
            if (sells.GetValueOrDefault(sale.TransactionId) is not { } sell)
            {
                continue;
            }
            var tax = schedule.CapitalGainsTax(sale.Gain);
            if (pendingTaxes.Contains(sell))
            {
                sell.Taxes = tax;
            }
            else if (sell.Taxes != tax)
            {
                sell.Taxes = tax;
                retaxed.Add(sell);
            }
        }
        var from = new[] { old?.Date }.Concat(added.Select(t => (DateOnly?)t.Date)).Min();
        return new Plan(true, [], history, added, old, from, retaxed);
    }

    /// <summary>The instruments the inputs name, by upper-case ticker and ISIN (one query for a whole batch; tracked, so a new row can point at one).</summary>
    private async Task<Dictionary<string, Instrument>> InstrumentsAsync(IReadOnlyList<TransactionInput> inputs, CancellationToken cancellationToken)
    {
        var keys = inputs.Select(i => Normalize(i.Ticker)).OfType<string>().Distinct().ToList();
        var found = new Dictionary<string, Instrument>();
        if (keys.Count == 0)
        {
            return found;
        }
        foreach (var instrument in await db.Instruments.Where(i => keys.Contains(i.Ticker.ToUpper()) || (i.Isin != null && keys.Contains(i.Isin.ToUpper())))
                     .ToListAsync(cancellationToken))
        {
            found.TryAdd(instrument.Ticker.ToUpperInvariant(), instrument);
            if (instrument.Isin is { } isin)
            {
                found.TryAdd(isin.ToUpperInvariant(), instrument);
            }
        }
        return found;
    }

    /// <summary>A ticker or ISIN as looked up; null when empty or longer than any (not worth a query).</summary>
    private static string? Normalize(string? ticker) =>
        ticker?.Trim().ToUpperInvariant() is { Length: > 0 and <= Instrument.TickerMaxLength } t ? t : null;

    /// <summary>The transaction the input describes, or every field error it has (fees and taxes left for the caller).</summary>
    private static (PortfolioTransaction? Transaction, List<FieldError> Errors) Build(TransactionInput input, IReadOnlyDictionary<string, Instrument> instruments,
        DateOnly today)
    {
        var errors = new List<FieldError>();
        if (input.Type is not { } type || !Enum.IsDefined(type))
        {
            errors.Add(new FieldError("type", new Text("Choose the type of transaction.")));
            return (null, errors);
        }
        if (input.Date is not { } date)
        {
            errors.Add(new FieldError("date", new Text("Enter the date.")));
        }
        else if (date > today)
        {
            errors.Add(new FieldError("date", new Text("The date cannot be in the future.")));
        }
        else if (date < EarliestDate)
        {
            errors.Add(new FieldError("date", new Text("The date cannot be before {0}.", new LocalDate(EarliestDate))));
        }

        var trade = type is TransactionType.Buy or TransactionType.Sell or TransactionType.Dividend;
        var needsInstrument = trade || type is TransactionType.Split or TransactionType.Bonus;
        Instrument? instrument = null;
        var ticker = input.Ticker?.Trim();
        if (type is TransactionType.Deposit or TransactionType.Withdrawal)
        {
            ticker = null;
        }
        if (string.IsNullOrEmpty(ticker))
        {
            if (needsInstrument)
            {
                errors.Add(new FieldError("ticker", new Text("Enter a ticker or an ISIN.")));
            }
        }
        else if (Normalize(ticker) is not { } key || !instruments.TryGetValue(key, out instrument))
        {
            errors.Add(new FieldError("ticker", new Text("Unknown ticker or ISIN: {0}.", ticker.Length > 20 ? ticker[..20] + "…" : ticker)));
        }

        decimal quantity = 0, price = 0, amount = 0;
        decimal? ratio = null;
        if (trade)
        {
            quantity = Math.Round(input.Quantity ?? 0, 4);
            price = Math.Round(input.Price ?? 0, 4);
            if (input.Quantity is null || quantity <= 0 || input.Quantity > MaxQuantity)
            {
                errors.Add(new FieldError("quantity", new Text("The quantity must be more than 0 and at most {0}.", new Shares(MaxQuantity))));
            }
            if (input.Price is null || price <= 0 || input.Price > MaxPrice)
            {
                errors.Add(new FieldError("price", new Text("The price must be more than 0 and at most {0}.", new Shares(MaxPrice))));
            }
            // Multiplied only once both are in range: quantity × price of unchecked input can overflow a decimal (a 500, not a 400).
            var inRange = input.Quantity is > 0 and <= MaxQuantity && input.Price is > 0 and <= MaxPrice;
            amount = inRange ? Math.Round(quantity * price, 4) : 0;
            if (inRange && amount > MaxAmount)
            {
                errors.Add(new FieldError("quantity", new Text("The amount (quantity × price) can be at most {0}.", new Shares(MaxAmount))));
            }
        }
        else if (type is TransactionType.Deposit or TransactionType.Withdrawal or TransactionType.Fee)
        {
            amount = Math.Round(input.Amount ?? 0, 2);
            if (input.Amount is null || amount <= 0 || input.Amount > MaxAmount)
            {
                errors.Add(new FieldError("amount", new Text("The amount must be more than 0 and at most {0}.", new Shares(MaxAmount))));
            }
        }
        else
        {
            ratio = Math.Round(input.Ratio ?? 0, 8);
            if (input.Ratio is null || ratio <= 0 || input.Ratio > MaxRatio)
            {
                errors.Add(new FieldError("ratio", new Text("The ratio must be more than 0 and at most {0}.", new Shares(MaxRatio))));
            }
        }
        if (trade && input.Fees is { } fees && (fees < 0 || fees > MaxAmount))
        {
            errors.Add(new FieldError("fees", new Text("The fees must be 0 or more (at most {0}).", new Shares(MaxAmount))));
        }
        if (trade && input.Taxes is { } taxes && (taxes < 0 || taxes > MaxAmount))
        {
            errors.Add(new FieldError("taxes", new Text("The taxes must be 0 or more (at most {0}).", new Shares(MaxAmount))));
        }
        var note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim();
        if (note is { Length: > PortfolioTransaction.NoteMaxLength })
        {
            errors.Add(new FieldError("note", new Text("The note can be at most {0} characters long.", PortfolioTransaction.NoteMaxLength)));
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        return (new PortfolioTransaction
        {
            Type = type,
            Date = input.Date!.Value,
            Time = input.Time,
            InstrumentId = instrument?.Id,
            Instrument = instrument,
            Quantity = quantity,
            Price = price,
            Amount = amount,
            Ratio = ratio,
            Note = note,
        }, errors);
    }
}
