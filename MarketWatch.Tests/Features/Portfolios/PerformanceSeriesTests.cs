using MarketWatch.Web.Features.Portfolios;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>The series, TWR, MASI and the incremental recomputation on small markets built by hand (no database).</summary>
public sealed class PerformanceSeriesTests
{
    private static readonly DateOnly D0 = new(2026, 1, 5), D1 = new(2026, 1, 6), D2 = new(2026, 1, 7), D3 = new(2026, 1, 8), D4 = new(2026, 1, 9);
    private const int A = 1, B = 2;
    private long _ids;

    /// <summary>A held (A: 100, 110, 99, 108.9) and B (always 50) not held; both weigh 1,000 shares in the computed MASI.</summary>
    private static MarketHistory Market() => MarketOf(D4, new()
    {
        [A] = [(D0, 100m), (D1, 110m), (D2, 99m), (D3, 108.9m)],
        [B] = [(D0, 50m), (D1, 50m), (D2, 50m), (D3, 50m)],
    });

    internal static MarketHistory MarketOf(DateOnly session, Dictionary<int, (DateOnly Date, decimal Close)[]> bars, MarketHistory? previous = null) =>
        MarketHistory.Build(session,
            bars.SelectMany(kv => kv.Value.Select(b => (kv.Key, b.Date.DayNumber, b.Close))).OrderBy(r => r.DayNumber).ThenBy(r => r.Key).ToList(),
            bars.Keys.ToDictionary(id => id, _ => 1_000L), previous);

    private PortfolioTransaction Tx(TransactionType type, DateOnly date, int? instrument = null, decimal quantity = 0, decimal price = 0,
        decimal amount = 0, decimal fees = 0) => new()
    {
        Id = ++_ids, Type = type, Date = date, InstrumentId = instrument, Quantity = quantity, Price = price,
        Amount = instrument is null ? amount : quantity * price, Fees = fees,
    };

    [Test]
    public void Twr_with_a_deposit_and_a_withdrawal_mid_period_is_chain_linked()
    {
        var market = Market();
        List<PortfolioTransaction> txs =
        [
            Tx(TransactionType.Deposit, D1, amount: 1000), Tx(TransactionType.Buy, D1, A, 10, 100),
            Tx(TransactionType.Deposit, D2, amount: 495), Tx(TransactionType.Buy, D2, A, 5, 99),
            Tx(TransactionType.Sell, D3, A, 1, 108.9m), Tx(TransactionType.Withdrawal, D3, amount: 108.9m),
        ];
        var series = PerformanceSeries.Compute(1, txs, market);
        // Cash is tracked (deposits), so only deposits and withdrawals are flows; money in counts from the START of the
        // day (it joins the previous close as the base), money out at the END (it adds to the close).
        // D0 (base): nothing held, V = 0.
        // D1: deposit 1000, buy 10 × 100 → cash 0, V = 10 × 110 = 1100, in 1000; nothing held before: r = 1100 / 1000 − 1 = +10 %.
        // D2: deposit 495, buy 5 × 99 → cash 0, V = 15 × 99 = 1485, in 495: r = 1485 / (1100 + 495) − 1 = 1485 / 1595 − 1
        //     = 27 / 29 − 1 = −6.8966 % (with flows at the end of the day it was (1485 − 495) / 1100 − 1 = −10 %: the 495
        //     now counts as having been there from the previous close, so the fall from 110 to 99 weighs on less money).
        // D3: sell 1 × 108.9, withdraw 108.9 → cash 0, V = 14 × 108.9 = 1524.6, out −108.9: r = (1524.6 + 108.9) / 1485 − 1 = +10 %.
        Assert.That(series.Days, Is.EqualTo(new[] { D0, D1, D2, D3 }));
        Assert.That(series.Value, Is.EqualTo(new[] { 0m, 1100m, 1485m, 1524.6m }));
        Assert.That(series.Flow, Is.EqualTo(new[] { 0m, 1000m, 495m, -108.9m }));
        Assert.That(series.Inflow, Is.EqualTo(new[] { 0m, 1000m, 495m, 0m }));
        Assert.That(series.DailyReturn, Is.EqualTo(new[] { 0, 0.1, 27.0 / 29 - 1, 0.1 }).Within(1e-12));
        // TWR = 1.1 × 27/29 × 1.1 − 1 = 32.67 / 29 − 1 = 12.6552 %, whatever the deposits (the money-weighted return differs).
        var report = PerformanceReports.Build(series, market, new LivePoint(D4, 1524.6m, 0, 1), PerformanceRange.All, D4);
        var all = report.Figures;
        Assert.That(all.From, Is.EqualTo(D0));
        Assert.That(all.To, Is.EqualTo(D4));
        Assert.That((double)all.Twr!, Is.EqualTo(32.67 / 29 - 1).Within(1e-8));
        // MASI over the same sessions: every member traded each day, so the chain telescopes to the capitalisations:
        // (108.9 + 50) × 1000 / ((100 + 50) × 1000) − 1 = 158.9 / 150 − 1 = 5.9333 %.
        Assert.That((double)all.MasiTwr!, Is.EqualTo(158.9 / 150 - 1).Within(1e-8));
        // Growth 1, 1.1, 1.1 × 27/29, 1.21 × 27/29: the deepest fall is 27/29 − 1 = −6.8966 %.
        Assert.That((double)all.MaxDrawdown!, Is.EqualTo(27.0 / 29 - 1).Within(1e-8));
        Assert.That((double)all.Volatility!, Is.EqualTo(PerformanceMath.Volatility([0.1, 27.0 / 29 - 1, 0.1, 0])).Within(1e-8));
        // The money-weighted return: the investor paid 1000 (D1) and 495 (D2), received 108.9 (D3) and holds 1524.6 (D4).
        // The range D0–D4 is 4 days, under a year: the period's return, not annualised — the rate over 4 days, which is
        // the annual XIRR brought back to the period: (1 + XIRR)^(4 / 365) − 1.
        List<(DateOnly, double)> flows = [(D1, -1000), (D2, -495), (D3, 108.9), (D4, 1524.6)];
        var annual = PerformanceMath.Xirr(flows)!.Value;
        Assert.That((double)all.Xirr!, Is.EqualTo(Math.Pow(1 + annual, 4.0 / 365) - 1).Within(1e-7));
        Assert.That((double)all.Xirr!, Is.EqualTo(PerformanceMath.Xirr(flows, periodDays: 4)!.Value).Within(1e-8));
        Assert.That((double)all.Xirr!, Is.InRange(0.0, 0.15), "a few percent over 4 days, not thousands of percent a year");
        Assert.That(report.Series.Select(p => (double)p.PortfolioIndex),
            Is.EqualTo(new[] { 100, 110, 110 * 27.0 / 29, 121 * 27.0 / 29, 121 * 27.0 / 29 }).Within(1e-6));
        Assert.That(report.Series.Select(p => p.Invested), Is.EqualTo(new[] { 0m, 1000m, 1495m, 1386.1m, 1386.1m }));
        Assert.That((double)report.Series[2].MasiIndex!, Is.EqualTo(100 * 149.0 / 150).Within(1e-6), "(99 + 50) / (100 + 50)");
        // 1W from D4 reaches back before the first transaction: clipped to it, like ALL.
        Assert.That(report.Ranges[(int)PerformanceRange.W1].From, Is.EqualTo(D0));
        // 1D: the live session against the previous one, unchanged price: 0.
        var day = report.Ranges[(int)PerformanceRange.D1];
        Assert.That((day.From, day.To, day.Twr, day.MasiTwr), Is.EqualTo((D3, D4, 0m, 0m)));
    }

    [Test]
    public void Without_cash_every_trade_is_a_flow_and_the_first_day_counts_from_the_buys_cost()
    {
        var market = Market();
        List<PortfolioTransaction> txs = [Tx(TransactionType.Buy, D1, A, 10, 100, fees: 10), Tx(TransactionType.Sell, D2, A, 5, 105)];
        var series = PerformanceSeries.Compute(1, txs, market);
        // D1: bought for 1000 + 10 fees (F = +1010), worth 10 × 110 = 1100: r = 1100 / 1010 − 1.
        // D2: sold 5 × 105 (F = −525), 5 × 99 = 495 left: r = (495 + 525) / 1100 − 1 = 1020 / 1100 − 1.
        // D3: r = 5 × 108.9 / 495 − 1 = +10 %.   TWR = 1100/1010 × 1020/1100 × 1.1 − 1 = 1122 / 1010 − 1 = 11.0891 %.
        Assert.That(series.Value, Is.EqualTo(new[] { 0m, 1100m, 495m, 544.5m }));
        Assert.That(series.DailyReturn, Is.EqualTo(new[] { 0, 1100.0 / 1010 - 1, 1020.0 / 1100 - 1, 0.1 }).Within(1e-12));
        var report = PerformanceReports.Build(series, market, new LivePoint(D4, 544.5m, 0, 1), PerformanceRange.All, D4);
        Assert.That((double)report.Figures.Twr!, Is.EqualTo(1122.0 / 1010 - 1).Within(1e-8));
    }

    [Test]
    public void Without_cash_a_buy_at_a_price_other_than_the_close_counts_from_what_was_paid()
    {
        // The review's case: A closes at 100 every day. Hold 10 bought at 100 on D1 (1,000 on D1's evening), then buy
        // 1,000 more at 98 on D2. No deposit, so every buy is money in, from the start of its day:
        // D1: in 1,000, V = 1,000: r = 1,000 / 1,000 − 1 = 0.
        // D2: in 98,000, V = 1,010 × 100 = 101,000: r = 101,000 / (1,000 + 98,000) − 1 = 2,000 / 99,000 = +2.0202 %
        //     (flows at the end of the day made it (101,000 − 98,000) / 1,000 − 1 = +200 %).
        // At 102 instead: r = 101,000 / (1,000 + 102,000) − 1 = −1.9417 % (it was −301 %, the index below zero).
        var market = MarketOf(D4, new() { [A] = [(D0, 100m), (D1, 100m), (D2, 100m), (D3, 100m)] });
        foreach (var (price, expected) in new[] { (98m, 2000.0 / 99_000), (102m, 101_000.0 / 103_000 - 1) })
        {
            List<PortfolioTransaction> txs = [Tx(TransactionType.Buy, D1, A, 10, 100), Tx(TransactionType.Buy, D2, A, 1000, price)];
            var series = PerformanceSeries.Compute(1, txs, market);
            Assert.That(series.Value, Is.EqualTo(new[] { 0m, 1000m, 101_000m, 101_000m }));
            Assert.That(series.DailyReturn, Is.EqualTo(new[] { 0, 0, expected, 0 }).Within(1e-12), $"bought at {price}");
            var report = PerformanceReports.Build(series, market, new LivePoint(D4, 101_000m, 0, 1), PerformanceRange.All, D4);
            Assert.That((double)report.Figures.Twr!, Is.EqualTo(expected).Within(1e-8));
            Assert.That(report.Series.Select(p => p.PortfolioIndex), Has.All.GreaterThan(0m));
        }
        // The same buy at 98 made in the live session counts the same way: the live point carries the day's money in.
        var live = PerformanceSeries.Compute(1, [Tx(TransactionType.Buy, D1, A, 10, 100), Tx(TransactionType.Buy, D4, A, 1000, 98m)], market);
        var (flow, inflow) = live.LiveFlows();
        Assert.That((flow, inflow), Is.EqualTo((98_000m, 98_000m)));
        var day = PerformanceReports.Build(live, market, new LivePoint(D4, 101_000m, flow, 1, inflow), PerformanceRange.D1, D4);
        Assert.That((double)day.Figures.Twr!, Is.EqualTo(2000.0 / 99_000).Within(1e-8));
    }

    [Test]
    public void The_live_session_moves_with_its_prices_and_flows()
    {
        var market = Market();
        List<PortfolioTransaction> txs = [Tx(TransactionType.Deposit, D1, amount: 1000), Tx(TransactionType.Buy, D1, A, 10, 100)];
        var series = PerformanceSeries.Compute(1, txs, market);
        // Last close 108.9 × 10 = 1089; the live price 119.79 (+10 %): 1197.9.
        var value = series.LiveValue(new Dictionary<int, decimal> { [A] = 119.79m }, market);
        Assert.That(value, Is.EqualTo(1197.9m));
        Assert.That(series.LiveValue(new Dictionary<int, decimal>(), market), Is.EqualTo(1089m), "no live price: the last close");
        var report = PerformanceReports.Build(series, market, new LivePoint(D4, value, 0, 1.02), PerformanceRange.D1, D4);
        Assert.That(report.Figures.Twr, Is.EqualTo(0.1m));
        Assert.That(report.Figures.MasiTwr, Is.EqualTo(0.02m));
        Assert.That(report.Series, Has.Count.EqualTo(2));
    }

    /// <summary>Weekdays from <paramref name="from"/>, and a deterministic wave of closes per instrument.</summary>
    private static (MarketHistory Market, DateOnly[] Days) BigMarket(int days, int instruments, Func<int, int, decimal>? price = null,
        MarketHistory? previous = null)
    {
        var dates = new List<DateOnly>();
        for (var d = new DateOnly(2024, 1, 1); dates.Count < days + 1; d = d.AddDays(1))
        {
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                dates.Add(d);
            }
        }
        price ??= (id, i) => Math.Round(100m + 20m * (decimal)Math.Sin(i / 9.0 + id), 2);
        var bars = Enumerable.Range(1, instruments).ToDictionary(id => id, id => dates.Take(days).Select((d, i) => (d, price(id, i))).ToArray());
        return (MarketOf(dates[^1], bars, previous), dates.Take(days).ToArray());
    }

    private List<PortfolioTransaction> History(DateOnly[] days, int instruments)
    {
        var txs = new List<PortfolioTransaction> { Tx(TransactionType.Deposit, days[1], amount: 1_000_000) };
        for (var i = 2; i < days.Length; i += 3)
        {
            var id = 1 + i % instruments;
            txs.Add(Tx(TransactionType.Buy, days[i], id, 10, 100, fees: 1));
            if (i % 7 == 0)
            {
                txs.Add(Tx(TransactionType.Sell, days[i], id, 5, 101));
            }
            if (i % 30 == 0)
            {
                txs.Add(Tx(TransactionType.Withdrawal, days[i], amount: 500));
            }
        }
        return txs;
    }

    [Test]
    public void A_back_dated_insert_recomputes_from_its_date_and_keeps_what_came_before()
    {
        var (market, days) = BigMarket(300, 4);
        var txs = History(days, 4);
        var before = PerformanceSeries.Compute(1, txs, market);
        var date = days[200];
        var inserted = Tx(TransactionType.Buy, date, 2, 50, 95, fees: 3);
        var after = before.Recompute(2, [.. txs.Where(t => t.Date >= date), inserted], date, market);
        var cold = PerformanceSeries.Compute(2, [.. txs, inserted], market);

        Assert.That(after.Days, Is.EqualTo(cold.Days));
        Assert.That(after.Value, Is.EqualTo(cold.Value));
        Assert.That(after.Invested, Is.EqualTo(cold.Invested));
        Assert.That(after.Growth, Is.EqualTo(cold.Growth));
        Assert.That(after.Final.Positions[2].Quantity, Is.EqualTo(cold.Final.Positions[2].Quantity));
        var firstChanged = Array.IndexOf(after.Days, date);
        Assert.That(after.RecomputedDays, Is.EqualTo(after.Days.Length - firstChanged), "only the sessions from its date on");
        Assert.That(cold.RecomputedDays, Is.EqualTo(cold.Days.Length));
        Assert.That(after.Value[..firstChanged], Is.EqualTo(before.Value[..firstChanged]));
        Assert.That(after.Value[firstChanged], Is.Not.EqualTo(before.Value[firstChanged]));
        // The checkpoints before the date are the very same objects: kept, not replayed.
        var kept = before.Checkpoints.Where(c => c.Day <= firstChanged).ToList();
        Assert.That(kept, Has.Count.GreaterThan(5));
        Assert.That(kept.Select((c, i) => ReferenceEquals(c, after.Checkpoints[i])), Is.All.True);
        Assert.That(after.Checkpoints.Select(c => c.Day), Is.EqualTo(cold.Checkpoints.Select(c => c.Day)));
    }

    [Test]
    public void A_deleted_transaction_and_changed_closes_recompute_like_a_cold_start()
    {
        var (market, days) = BigMarket(120, 3);
        var txs = History(days, 3);
        var before = PerformanceSeries.Compute(1, txs, market);
        var removed = txs.Last(t => t.Type == TransactionType.Buy && t.Date < days[60] && t.Date > days[40]);
        var remaining = txs.Where(t => t != removed && !(t.Type == TransactionType.Sell && t.Date == removed.Date)).ToList();
        var after = before.Recompute(2, remaining.Where(t => t.Date >= removed.Date).ToList(), removed.Date, market);
        Assert.That(after.Value, Is.EqualTo(PerformanceSeries.Compute(2, remaining, market).Value));

        // An admin re-imports closes from session 90 on: the next snapshot says so, and the series follows from there.
        var (changed, _) = BigMarket(120, 3, (id, i) => i >= 90 ? 80m + id : Math.Round(100m + 20m * (decimal)Math.Sin(i / 9.0 + id), 2), market);
        Assert.That(changed.Generation, Is.EqualTo(market.Generation + 1));
        Assert.That(changed.ChangedFrom, Is.EqualTo(days[90]));
        var revalued = after.Revalue(changed.ChangedFrom!.Value, changed);
        Assert.That(revalued.Value, Is.EqualTo(PerformanceSeries.Compute(2, remaining, changed).Value));
        Assert.That(revalued.RecomputedDays, Is.EqualTo(revalued.Days.Length - Array.IndexOf(revalued.Days, days[90])));
        var (same, _) = BigMarket(120, 3, previous: market);
        Assert.That(same, Is.SameAs(market), "the same closes keep the snapshot and its generation");
    }
}
