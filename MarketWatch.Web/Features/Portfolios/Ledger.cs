namespace MarketWatch.Web.Features.Portfolios;

/// <summary>One instrument's position as the ledger has replayed it so far. Amounts in the portfolio's currency.</summary>
public sealed class PositionState(int instrumentId)
{
    public int InstrumentId { get; } = instrumentId;
    public decimal Quantity { get; internal set; }
    /// <summary>What the shares held cost, buy fees included (weighted average cost × quantity).</summary>
    public decimal Cost { get; internal set; }
    /// <summary>Realized P/L of every sale so far: proceeds − sell fees − weighted average cost of the shares sold (before tax).</summary>
    public decimal Realized { get; internal set; }
    /// <summary>Capital-gains tax recorded on the sales.</summary>
    public decimal RealizedTaxes { get; internal set; }
    public decimal DividendsGross { get; internal set; }
    /// <summary>Dividends received: gross − withholding − fees.</summary>
    public decimal DividendsNet { get; internal set; }
    /// <summary>Everything paid in fees on this instrument (buys, sells, dividends).</summary>
    public decimal Fees { get; internal set; }
    /// <summary>The weighted average cost per share (coût moyen pondéré), buy fees included; 0 when nothing is held.</summary>
    public decimal AverageCost => Quantity == 0 ? 0 : Cost / Quantity;

    public PositionState Clone() => (PositionState)MemberwiseClone();
}

/// <summary>A sale with its realized P/L at weighted average cost: what a tax return needs.</summary>
public sealed record RealizedSale(long TransactionId, int InstrumentId, DateOnly Date, decimal Quantity, decimal Proceeds, decimal CostOfSold,
    decimal Fees, decimal Taxes)
{
    /// <summary>Proceeds − fees − cost of the shares sold, before tax.</summary>
    public decimal Gain => Proceeds - Fees - CostOfSold;
    public decimal GainAfterTax => Gain - Taxes;
}

/// <summary>A sell that needs more shares than were held at its date (the consistency rule's refusal names it).</summary>
public sealed record SellShortfall(PortfolioTransaction Sell, decimal Held);

/// <summary>
/// The portfolio's history replayed in order, one transaction at a time (O(1) each): positions at weighted average
/// cost, realized P/L per sale, dividends, fees and cash. Pure: it reads no database and no clock, so the consistency
/// check, the figures, the benchmark and the tests all run the same arithmetic. Feed it transactions in
/// <see cref="Order"/>; <see cref="Clone"/> keeps a checkpoint from which a later change can be replayed.
/// </summary>
public sealed class Ledger
{
    private Dictionary<int, PositionState> positions = [];
    private List<RealizedSale> sales = [];

    /// <param name="tracksCash">The portfolio records deposits or withdrawals (<see cref="TracksCashOf"/>): cash is part of its value.</param>
    public Ledger(bool tracksCash) => TracksCash = tracksCash;

    public bool TracksCash { get; }
    /// <summary>Cash: deposits − withdrawals − buys + sells + dividends − fees (meaningful when <see cref="TracksCash"/>).</summary>
    public decimal Cash { get; private set; }
    public decimal Deposits { get; private set; }
    public decimal Withdrawals { get; private set; }
    /// <summary>Portfolio-level fees (Fee transactions), apart from the fees of trades and dividends.</summary>
    public decimal OtherFees { get; private set; }
    /// <summary>The first sell that needed more shares than were held; null when the history is consistent.</summary>
    public SellShortfall? FirstShortfall { get; private set; }
    /// <summary>The date of the last transaction applied.</summary>
    public DateOnly? LastDate { get; private set; }
    public IReadOnlyDictionary<int, PositionState> Positions => positions;
    public IReadOnlyList<RealizedSale> Sales => sales;

    /// <summary>Cash is tracked once the user records a deposit or a withdrawal; otherwise the portfolio is its holdings.</summary>
    public static bool TracksCashOf(IEnumerable<PortfolioTransaction> transactions) =>
        transactions.Any(t => t.Type is TransactionType.Deposit or TransactionType.Withdrawal);

    /// <summary>
    /// The order history is replayed in: by date; within a day corporate actions first (an ex-date's trades are at
    /// the new quantity), then what brings shares or cash in before what takes them out, so a sell counts every share
    /// bought that day ("held at its date"); then by time where given, then by entry.
    /// </summary>
    public static IOrderedEnumerable<PortfolioTransaction> Order(IEnumerable<PortfolioTransaction> transactions) =>
        transactions.OrderBy(t => t.Date).ThenBy(t => Rank(t.Type)).ThenBy(t => t.Time ?? TimeOnly.MinValue).ThenBy(t => t.Id);

    public static int Rank(TransactionType type) => type switch
    {
        TransactionType.Deposit => 0,
        TransactionType.Split or TransactionType.Bonus => 1,
        TransactionType.Buy => 2,
        TransactionType.Dividend => 3,
        TransactionType.Sell => 4,
        TransactionType.Fee => 5,
        _ => 6,
    };

    /// <summary>Replays <paramref name="transactions"/> (any order; they are sorted here).</summary>
    public static Ledger Replay(IReadOnlyCollection<PortfolioTransaction> transactions)
    {
        var ledger = new Ledger(TracksCashOf(transactions));
        foreach (var t in Order(transactions))
        {
            ledger.Apply(t);
        }
        return ledger;
    }

    /// <summary>
    /// Money the investor put in (+) or took out (−) with this transaction, as time-weighted and money-weighted
    /// returns count it. With cash tracked only deposits and withdrawals cross the portfolio's border; without, every
    /// buy is money in and every sale or dividend money out, and a fee is money in that buys nothing (a loss).
    /// </summary>
    public static decimal ExternalFlow(PortfolioTransaction t, bool tracksCash) => tracksCash
        ? t.Type switch
        {
            TransactionType.Deposit => t.Amount,
            TransactionType.Withdrawal => -t.Amount,
            _ => 0m,
        }
        : t.Type switch
        {
            TransactionType.Buy => t.Amount + t.Fees + t.Taxes,
            TransactionType.Sell => -(t.Amount - t.Fees - t.Taxes),
            TransactionType.Dividend => -(t.Amount - t.Fees - t.Taxes),
            TransactionType.Fee => t.Amount,
            _ => 0m,
        };

    /// <summary>Applies one transaction (call in <see cref="Order"/>).</summary>
    public void Apply(PortfolioTransaction t)
    {
        LastDate = t.Date;
        switch (t.Type)
        {
            case TransactionType.Deposit:
                Deposits += t.Amount;
                Cash += t.Amount;
                break;
            case TransactionType.Withdrawal:
                Withdrawals += t.Amount;
                Cash -= t.Amount;
                break;
            case TransactionType.Fee:
                OtherFees += t.Amount;
                Cash -= t.Amount;
                break;
            case TransactionType.Buy:
            {
                var p = Position(t.InstrumentId);
                p.Quantity += t.Quantity;
                p.Cost += t.Amount + t.Fees + t.Taxes;
                p.Fees += t.Fees;
                Cash -= t.Amount + t.Fees + t.Taxes;
                break;
            }
            case TransactionType.Sell:
            {
                var p = Position(t.InstrumentId);
                var sold = t.Quantity;
                if (sold > p.Quantity)
                {
                    FirstShortfall ??= new SellShortfall(t, p.Quantity);
                    sold = p.Quantity;
                }
                // The whole position sold: its whole cost goes, so no rounding residue stays behind.
                var costOfSold = sold == p.Quantity ? p.Cost : Math.Round(p.AverageCost * sold, 6);
                var sale = new RealizedSale(t.Id, p.InstrumentId, t.Date, t.Quantity, t.Amount, costOfSold, t.Fees, t.Taxes);
                sales.Add(sale);
                p.Quantity -= sold;
                p.Cost -= costOfSold;
                p.Realized += sale.Gain;
                p.RealizedTaxes += t.Taxes;
                p.Fees += t.Fees;
                Cash += t.Amount - t.Fees - t.Taxes;
                break;
            }
            case TransactionType.Dividend:
            {
                var p = Position(t.InstrumentId);
                var net = t.Amount - t.Taxes - t.Fees;
                p.DividendsGross += t.Amount;
                p.DividendsNet += net;
                p.Fees += t.Fees;
                Cash += net;
                break;
            }
            case TransactionType.Split:
            {
                var p = Position(t.InstrumentId);
                Resize(p, p.Quantity * (t.Ratio ?? 1m));
                break;
            }
            case TransactionType.Bonus:
            {
                var p = Position(t.InstrumentId);
                Resize(p, p.Quantity + p.Quantity * (t.Ratio ?? 0m));
                break;
            }
        }
        if (t.InstrumentId is { } held && positions.TryGetValue(held, out var position) && position.Quantity > MaxPositionQuantity)
        {
            FirstOversize ??= t;
        }
    }

    /// <summary>
    /// The most shares one position may reach (repeated splits would otherwise grow it past what a decimal holds, and
    /// every page of the portfolio would fail): a change that makes a position larger is refused.
    /// </summary>
    public const decimal MaxPositionQuantity = 1_000_000_000_000m;

    /// <summary>The first transaction after which a position held more than <see cref="MaxPositionQuantity"/> shares; null when none.</summary>
    public PortfolioTransaction? FirstOversize { get; private set; }

    /// <summary>
    /// A split or bonus: the position becomes <paramref name="unrounded"/> shares, floored, since shares on the exchange
    /// are whole. Brokers settle the dropped fraction in cash; its share of the cost leaves the position as a realized
    /// loss (the cash paid for it is not recorded), so the average cost of the shares kept stays what it was, and a
    /// position floored to 0 keeps no cost.
    /// </summary>
    private static void Resize(PositionState p, decimal unrounded)
    {
        if (unrounded > MaxPositionQuantity)
        {
            // Refused through FirstOversize (a change), or history stored before the bound: held just above it, so
            // later splits cannot overflow and the pages still show.
            p.Quantity = MaxPositionQuantity + 1;
            return;
        }
        var kept = Math.Floor(unrounded);
        if (kept < unrounded)
        {
            var dropped = kept == 0 ? p.Cost : p.Cost - Math.Round(p.Cost * (kept / unrounded), 6);
            p.Cost -= dropped;
            p.Realized -= dropped;
        }
        p.Quantity = kept;
    }

    /// <summary>A copy to continue from (a checkpoint): later transactions applied to one do not change the other.</summary>
    public Ledger Clone()
    {
        var copy = (Ledger)MemberwiseClone();
        copy.positions = positions.ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        copy.sales = [.. sales];
        return copy;
    }

    private PositionState Position(int? instrumentId)
    {
        var id = instrumentId ?? throw new InvalidOperationException("A trade, dividend, split or bonus needs an instrument.");
        if (!positions.TryGetValue(id, out var p))
        {
            positions[id] = p = new PositionState(id);
        }
        return p;
    }
}
