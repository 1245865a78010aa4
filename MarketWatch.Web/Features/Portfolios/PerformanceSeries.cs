namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// A portfolio's valuation over the market's closed sessions, from the session before its first transaction up to the
/// one before the current session, with what a recomputation starts from: ledger checkpoints at the first session of
/// every month. Immutable: <see cref="Recompute"/> makes a new series that shares nothing mutable with this one, so
/// readers never see a half-made series. Pure (the market's closes and the transactions come in).
/// </summary>
public sealed class PerformanceSeries
{
    private PerformanceSeries(long version, long marketGeneration, bool tracksCash, PortfolioTransaction[] transactions, DateOnly[] days,
        int[] marketIndex, decimal[] value, decimal[] flow, decimal[] inflow, decimal[] invested, double[] dailyReturn, double[] growth,
        List<Checkpoint> checkpoints, Ledger final, IReadOnlyDictionary<int, decimal> fallbackPrices, int recomputedDays)
    {
        Version = version;
        MarketGeneration = marketGeneration;
        TracksCash = tracksCash;
        Transactions = transactions;
        Days = days;
        MarketIndex = marketIndex;
        Value = value;
        Flow = flow;
        Inflow = inflow;
        Invested = invested;
        DailyReturn = dailyReturn;
        Growth = growth;
        Checkpoints = checkpoints;
        Final = final;
        FallbackPrices = fallbackPrices;
        RecomputedDays = recomputedDays;
    }

    /// <summary>A ledger as it stood before the transactions of session <see cref="Day"/>; the first <see cref="Applied"/> transactions are in it.</summary>
    public sealed record Checkpoint(int Day, int Applied, Ledger Ledger);

    /// <summary>The portfolio's Version the series was computed for.</summary>
    public long Version { get; }
    public long MarketGeneration { get; }
    public bool TracksCash { get; }
    /// <summary>Every transaction, in <see cref="Ledger.Order"/>.</summary>
    public PortfolioTransaction[] Transactions { get; }
    /// <summary>The closed sessions: [0] is the base (the market's last session before the first transaction, nothing held).</summary>
    public DateOnly[] Days { get; }
    /// <summary>Each day's index into <see cref="MarketHistory.Dates"/>; −1 for a base before the market's first bar.</summary>
    public int[] MarketIndex { get; }
    public decimal[] Value { get; }
    /// <summary>The day's external flows (<see cref="Ledger.ExternalFlow"/>: + money in, − money out).</summary>
    public decimal[] Flow { get; }
    /// <summary>The day's money in alone (≥ 0; <see cref="Flow"/> minus it is the money out): it counts from the day's start.</summary>
    public decimal[] Inflow { get; }
    public decimal[] Invested { get; }
    public double[] DailyReturn { get; }
    /// <summary>Time-weighted growth since the base (1 on the base).</summary>
    public double[] Growth { get; }
    public IReadOnlyList<Checkpoint> Checkpoints { get; }
    /// <summary>The ledger after every transaction (the current session's too): what the live value is made of.</summary>
    public Ledger Final { get; }
    /// <summary>The price an instrument is valued at before it has any daily bar: its first trade's.</summary>
    public IReadOnlyDictionary<int, decimal> FallbackPrices { get; }
    /// <summary>How many closed sessions the last computation valued (all of them when computed from scratch).</summary>
    public int RecomputedDays { get; }

    /// <summary>The first transaction's date, or null for an empty portfolio.</summary>
    public DateOnly? FirstDate => Transactions.Length == 0 ? null : Transactions[0].Date;

    /// <summary>Computes everything from the first transaction on.</summary>
    public static PerformanceSeries Compute(long version, IReadOnlyCollection<PortfolioTransaction> transactions, MarketHistory market) =>
        Build(version, [.. Ledger.Order(transactions)], market, previous: null, fromDay: 0);

    /// <summary>
    /// A new series after the transactions dated <paramref name="from"/> or later changed (or the market's closes from
    /// that date on): sessions before it keep their values and the last checkpoint before it is replayed from, so the
    /// work is proportional to what changed. Falls back to <see cref="Compute"/> when the change reaches the base
    /// (a transaction before the first one) or switches cash tracking on or off.
    /// </summary>
    /// <param name="transactionsFrom">The transactions dated <paramref name="from"/> or later, as they are now (any order).</param>
    public PerformanceSeries Recompute(long version, IReadOnlyCollection<PortfolioTransaction> transactionsFrom, DateOnly from, MarketHistory market)
    {
        var kept = Transactions.TakeWhile(t => t.Date < from).ToList();
        var all = kept.Concat(Ledger.Order(transactionsFrom)).ToArray();
        var newDays = DaysFor(all, market, out _);
        var sameBase = newDays.Length > 0 && Days.Length > 0 && newDays[0] == Days[0];
        if (!sameBase || Ledger.TracksCashOf(all) != TracksCash || all.Length == 0 || all[0].Date < (FirstDate ?? DateOnly.MaxValue))
        {
            return Build(version, all, market, previous: null, fromDay: 0);
        }
        // The first session the change can reach; everything before it stays (dates, values, checkpoints).
        var fromDay = 0;
        while (fromDay < Days.Length && fromDay < newDays.Length && Days[fromDay] < from && Days[fromDay] == newDays[fromDay])
        {
            fromDay++;
        }
        return Build(version, all, market, this, fromDay);
    }

    /// <summary>The same series with the market's closes from <paramref name="from"/> on re-read (no transaction changed).</summary>
    public PerformanceSeries Revalue(DateOnly from, MarketHistory market) =>
        Recompute(Version, Transactions.SkipWhile(t => t.Date < from).ToList(), from, market);

    private static DateOnly[] DaysFor(PortfolioTransaction[] ordered, MarketHistory market, out int[] marketIndex)
    {
        if (ordered.Length == 0)
        {
            marketIndex = [];
            return [];
        }
        var first = ordered[0].Date;
        var baseIndex = market.IndexOnOrBefore(first.AddDays(-1));
        var start = baseIndex >= 0 ? baseIndex : market.IndexOnOrBefore(DateOnly.MaxValue) < 0 ? market.Dates.Length : FirstOnOrAfter(market, first);
        var count = market.Dates.Length - start;
        if (baseIndex >= 0)
        {
            marketIndex = new int[count];
            var days = new DateOnly[count];
            for (var i = 0; i < count; i++)
            {
                marketIndex[i] = start + i;
                days[i] = market.Dates[start + i];
            }
            return days;
        }
        // No bar before the first transaction: a base the day before it, then the market's sessions from it on.
        marketIndex = new int[count + 1];
        var withBase = new DateOnly[count + 1];
        marketIndex[0] = -1;
        withBase[0] = first.AddDays(-1);
        for (var i = 0; i < count; i++)
        {
            marketIndex[i + 1] = start + i;
            withBase[i + 1] = market.Dates[start + i];
        }
        return withBase;
    }

    private static int FirstOnOrAfter(MarketHistory market, DateOnly date)
    {
        var i = Array.BinarySearch(market.Dates, date);
        return i >= 0 ? i : ~i;
    }

    private static PerformanceSeries Build(long version, PortfolioTransaction[] ordered, MarketHistory market, PerformanceSeries? previous, int fromDay)
    {
        var tracksCash = Ledger.TracksCashOf(ordered);
        var days = DaysFor(ordered, market, out var marketIndex);
        var n = days.Length;
        var value = new decimal[n];
        var flow = new decimal[n];
        var inflow = new decimal[n];
        var invested = new decimal[n];
        var dailyReturn = new double[n];
        var growth = new double[n];
        var checkpoints = new List<Checkpoint>();
        var fallback = new Dictionary<int, decimal>();
        foreach (var t in ordered)
        {
            if (t.InstrumentId is { } id && t.Type is TransactionType.Buy or TransactionType.Sell && t.Price > 0)
            {
                fallback.TryAdd(id, t.Price);
            }
        }

        Ledger ledger;
        int applied, startDay;
        if (previous is null || fromDay == 0)
        {
            ledger = new Ledger(tracksCash);
            applied = 0;
            startDay = 0;
            fromDay = 0;
        }
        else
        {
            Array.Copy(previous.Value, value, fromDay);
            Array.Copy(previous.Flow, flow, fromDay);
            Array.Copy(previous.Inflow, inflow, fromDay);
            Array.Copy(previous.Invested, invested, fromDay);
            Array.Copy(previous.DailyReturn, dailyReturn, fromDay);
            Array.Copy(previous.Growth, growth, fromDay);
            var checkpoint = previous.Checkpoints.Last(c => c.Day <= fromDay);
            checkpoints.AddRange(previous.Checkpoints.Where(c => c.Day <= fromDay));
            ledger = checkpoint.Ledger.Clone();
            applied = checkpoint.Applied;
            startDay = checkpoint.Day;
        }

        for (var day = startDay; day < n; day++)
        {
            if (day > fromDay && (day == 0 || days[day].Month != days[day - 1].Month || days[day].Year != days[day - 1].Year))
            {
                checkpoints.Add(new Checkpoint(day, applied, ledger.Clone()));
            }
            else if (day == 0 && checkpoints.Count == 0)
            {
                checkpoints.Add(new Checkpoint(0, 0, ledger.Clone()));
            }
            decimal dayFlow = 0m, dayIn = 0m;
            while (applied < ordered.Length && ordered[applied].Date <= days[day])
            {
                var t = ordered[applied++];
                ledger.Apply(t);
                var f = Ledger.ExternalFlow(t, tracksCash);
                dayFlow += f;
                dayIn += Math.Max(f, 0);
            }
            if (day < fromDay)
            {
                continue;
            }
            var v = ValueOf(ledger, market, marketIndex[day], fallback);
            value[day] = v;
            flow[day] = dayFlow;
            inflow[day] = dayIn;
            invested[day] = (day == 0 ? 0 : invested[day - 1]) + dayFlow;
            var r = PerformanceMath.DailyReturn(day == 0 ? 0 : value[day - 1], v, dayIn, dayFlow - dayIn);
            dailyReturn[day] = r;
            growth[day] = (day == 0 ? 1 : growth[day - 1]) * (1 + r);
        }
        while (applied < ordered.Length)
        {
            ledger.Apply(ordered[applied++]);
        }
        return new PerformanceSeries(version, market.Generation, tracksCash, ordered, days, marketIndex, value, flow, inflow, invested, dailyReturn, growth,
            checkpoints, ledger, fallback, n - fromDay);
    }

    private static decimal ValueOf(Ledger ledger, MarketHistory market, int marketIndex, Dictionary<int, decimal> fallback)
    {
        var total = ledger.TracksCash ? ledger.Cash : 0m;
        foreach (var p in ledger.Positions.Values)
        {
            if (p.Quantity == 0)
            {
                continue;
            }
            var close = market.Close(p.InstrumentId, marketIndex);
            total += p.Quantity * (close > 0 ? close : fallback.GetValueOrDefault(p.InstrumentId));
        }
        return total;
    }

    /// <summary>
    /// The current session's value at <paramref name="prices"/> (live last prices by instrument; an instrument without
    /// one is valued at its last close): O(holdings), whatever the number of transactions — what a tick costs.
    /// </summary>
    public decimal LiveValue(IReadOnlyDictionary<int, decimal> prices, MarketHistory market)
    {
        var total = Final.TracksCash ? Final.Cash : 0m;
        foreach (var p in Final.Positions.Values)
        {
            if (p.Quantity == 0)
            {
                continue;
            }
            var price = prices.TryGetValue(p.InstrumentId, out var live) && live > 0 ? live : market.LastClose(p.InstrumentId);
            total += p.Quantity * (price > 0 ? price : FallbackPrices.GetValueOrDefault(p.InstrumentId));
        }
        return total;
    }

    /// <summary>The external flows of the transactions after the last closed session (the current session's).</summary>
    public decimal LiveFlow() => LiveFlows().Flow;

    /// <summary>The current session's external flows: net, and the money in alone (≥ 0).</summary>
    public (decimal Flow, decimal Inflow) LiveFlows()
    {
        var last = Days.Length == 0 ? DateOnly.MinValue : Days[^1];
        decimal total = 0m, inflow = 0m;
        for (var i = Transactions.Length - 1; i >= 0 && Transactions[i].Date > last; i--)
        {
            var f = Ledger.ExternalFlow(Transactions[i], TracksCash);
            total += f;
            inflow += Math.Max(f, 0);
        }
        return (total, inflow);
    }
}
