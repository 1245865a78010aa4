using MarketWatch.Web.Features.Portfolios;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>The replay's arithmetic, with hand-computed values: weighted average cost, fees and VAT, dividends, cash, order.</summary>
public sealed class LedgerTests
{
    private static readonly DateOnly Day = new(2025, 3, 3);
    private static long _ids;

    private static PortfolioTransaction Tx(TransactionType type, int day, decimal quantity = 0, decimal price = 0, decimal fees = 0, decimal taxes = 0,
        decimal? amount = null, decimal? ratio = null, int instrument = 1) => new()
    {
        Id = Interlocked.Increment(ref _ids),
        Type = type,
        Date = Day.AddDays(day),
        InstrumentId = type is TransactionType.Deposit or TransactionType.Withdrawal or TransactionType.Fee ? null : instrument,
        Quantity = quantity,
        Price = price,
        Amount = amount ?? quantity * price,
        Fees = fees,
        Taxes = taxes,
        Ratio = ratio,
    };

    [Test]
    public void Weighted_average_cost_through_buys_a_partial_sell_a_split_and_bonus_shares()
    {
        var ledger = Ledger.Replay([
            Tx(TransactionType.Buy, 0, 100, 50, fees: 38.50m),   // cost 5,038.50
            Tx(TransactionType.Buy, 1, 50, 62, fees: 23.87m),    // + 3,123.87 = 8,162.37 for 150: 54.4158 each
            Tx(TransactionType.Sell, 2, 60, 70, fees: 32.34m),   // cost of 60 = 3,264.948; gain 4,200 − 32.34 − 3,264.948 = 902.712
            Tx(TransactionType.Split, 3, ratio: 2),             // 180 shares, cost unchanged 4,897.422
            Tx(TransactionType.Bonus, 4, ratio: 0.1m),          // + 18 = 198 shares
        ]);
        var p = ledger.Positions[1];
        Assert.Multiple(() =>
        {
            Assert.That(p.Quantity, Is.EqualTo(198m));
            Assert.That(p.Cost, Is.EqualTo(4897.422m));
            Assert.That(Math.Round(p.AverageCost, 6), Is.EqualTo(24.734455m));
            Assert.That(p.Realized, Is.EqualTo(902.712m));
            Assert.That(ledger.Sales.Single().CostOfSold, Is.EqualTo(3264.948m));
            Assert.That(p.Fees, Is.EqualTo(38.50m + 23.87m + 32.34m));
            Assert.That(ledger.FirstShortfall, Is.Null);
        });

        // Selling everything takes the whole remaining cost: no residue.
        ledger.Apply(Tx(TransactionType.Sell, 5, 198, 30));
        Assert.That(p.Quantity, Is.Zero);
        Assert.That(p.Cost, Is.Zero);
        Assert.That(p.Realized, Is.EqualTo(902.712m + 5940m - 4897.422m));
    }

    [Test]
    public void A_reverse_split_drops_the_fraction_of_a_share_with_its_share_of_the_cost_as_a_realized_loss()
    {
        // 105 shares at 10 = 1,050; 1-for-10: 10.5 → 10 shares at 100 each = 1,000; the half share's 50 is a realized loss.
        var ledger = Ledger.Replay([Tx(TransactionType.Buy, 0, 105, 10), Tx(TransactionType.Split, 1, ratio: 0.1m)]);
        Assert.That(ledger.Positions[1].Quantity, Is.EqualTo(10m));
        Assert.That(ledger.Positions[1].Cost, Is.EqualTo(1000m));
        Assert.That(ledger.Positions[1].AverageCost, Is.EqualTo(100m));
        Assert.That(ledger.Positions[1].Realized, Is.EqualTo(-50m));
    }

    [Test]
    public void A_reverse_split_to_no_share_leaves_no_cost_behind_for_the_next_buy()
    {
        // 5 shares at 100, 1-for-10: 0.5 → 0 shares; the 500 are a realized loss; a buy of 10 at 20 averages 20, not 70.
        var ledger = Ledger.Replay([Tx(TransactionType.Buy, 0, 5, 100), Tx(TransactionType.Split, 1, ratio: 0.1m), Tx(TransactionType.Buy, 2, 10, 20)]);
        Assert.That(ledger.Positions[1].Quantity, Is.EqualTo(10m));
        Assert.That(ledger.Positions[1].AverageCost, Is.EqualTo(20m));
        Assert.That(ledger.Positions[1].Realized, Is.EqualTo(-500m));
    }

    [Test]
    public void A_bonus_floors_the_new_shares_and_keeps_the_average_cost_of_those_kept()
    {
        // 15 shares at 10 = 150; 1 for 10 → 16.5 → 16; cost 150 × 16 / 16.5 = 145.454545…, 9.0909 a share.
        var ledger = Ledger.Replay([Tx(TransactionType.Buy, 0, 15, 10), Tx(TransactionType.Bonus, 1, ratio: 0.1m)]);
        Assert.That(ledger.Positions[1].Quantity, Is.EqualTo(16m));
        Assert.That(ledger.Positions[1].Cost, Is.EqualTo(145.454545m));
        Assert.That(ledger.Positions[1].Realized, Is.EqualTo(-4.545455m));
    }

    [Test]
    public void Repeated_large_splits_are_held_at_the_bound_and_named_not_overflowed()
    {
        var splits = Enumerable.Range(1, 8).Select(d => Tx(TransactionType.Split, d, ratio: 1000m)).ToList();
        var ledger = Ledger.Replay([Tx(TransactionType.Buy, 0, 1_000_000_000m, 1), .. splits]);
        Assert.That(ledger.FirstOversize, Is.SameAs(splits[1]));
        Assert.That(ledger.Positions[1].Quantity, Is.EqualTo(Ledger.MaxPositionQuantity + 1));
    }

    [Test]
    public void Trade_fees_are_the_commissions_plus_vat_to_the_centime()
    {
        var schedule = FeeSchedule.Defaults;
        Assert.Multiple(() =>
        {
            // 5,000 × (0.6 % + 0.1 %) = 35.00; + 10 % VAT = 38.50.
            Assert.That(schedule.TradeFees(5000m, accountAtBank: false), Is.EqualTo(38.50m));
            // At a bank + 0.2 %: 5,000 × 0.9 % = 45.00; + 10 % = 49.50.
            Assert.That(schedule.TradeFees(5000m, accountAtBank: true), Is.EqualTo(49.50m));
            // 1,234.56 × 0.7 % = 8.64192; × 1.1 = 9.506112 → 9.51.
            Assert.That(schedule.TradeFees(1234.56m, accountAtBank: false), Is.EqualTo(9.51m));
        });
        schedule.VatRate = 0.20m;
        Assert.That(schedule.TradeFees(5000m, accountAtBank: false), Is.EqualTo(42.00m));
    }

    [Test]
    public void Capital_gains_tax_on_a_gain_only_and_dividend_withholding_on_the_gross()
    {
        var schedule = FeeSchedule.Defaults;
        Assert.Multiple(() =>
        {
            Assert.That(schedule.CapitalGainsTax(366.12m), Is.EqualTo(54.92m)); // 54.918
            Assert.That(schedule.CapitalGainsTax(-100m), Is.Zero);
            Assert.That(schedule.DividendWithholding(1000m), Is.EqualTo(100m));
            Assert.That(schedule.DividendWithholding(333.33m), Is.EqualTo(33.33m));
        });
    }

    [Test]
    public void Dividends_are_counted_net_of_withholding_and_cash_follows_every_movement()
    {
        var ledger = Ledger.Replay([
            Tx(TransactionType.Deposit, 0, amount: 10_000m),
            Tx(TransactionType.Buy, 1, 100, 50, fees: 38.50m),          // cash 10,000 − 5,038.50 = 4,961.50
            Tx(TransactionType.Dividend, 2, 100, 10, taxes: 100m),     // gross 1,000, withholding 10 %: +900
            Tx(TransactionType.Sell, 3, 40, 60, fees: 18.48m, taxes: 54.92m), // +2,400 − 18.48 − 54.92 = 2,326.60
            Tx(TransactionType.Fee, 4, amount: 25m),                   // −25
            Tx(TransactionType.Withdrawal, 5, amount: 1_000m),         // −1,000
        ]);
        var p = ledger.Positions[1];
        Assert.Multiple(() =>
        {
            Assert.That(ledger.TracksCash, Is.True);
            Assert.That(p.DividendsGross, Is.EqualTo(1000m));
            Assert.That(p.DividendsNet, Is.EqualTo(900m));
            Assert.That(p.RealizedTaxes, Is.EqualTo(54.92m));
            Assert.That(ledger.Cash, Is.EqualTo(4961.50m + 900m + 2326.60m - 25m - 1000m));
            Assert.That(ledger.Deposits, Is.EqualTo(10_000m));
            Assert.That(ledger.Withdrawals, Is.EqualTo(1_000m));
            Assert.That(ledger.OtherFees, Is.EqualTo(25m));
            Assert.That(ledger.Sales.Single().GainAfterTax, Is.EqualTo(2400m - 18.48m - 40 * 50.385m - 54.92m));
        });
    }

    [Test]
    public void A_sell_counts_the_shares_bought_the_same_day_and_a_split_on_that_day_comes_first()
    {
        // Entered out of order: the sell first, then the buy of the same day.
        var sell = Tx(TransactionType.Sell, 1, 30, 60);
        var ledger = Ledger.Replay([Tx(TransactionType.Buy, 0, 10, 50), sell, Tx(TransactionType.Split, 1, ratio: 2), Tx(TransactionType.Buy, 1, 10, 30)]);
        Assert.That(ledger.FirstShortfall, Is.Null);
        // 10 shares split to 20, + 10 bought = 30, all sold.
        Assert.That(ledger.Positions[1].Quantity, Is.Zero);
    }

    [Test]
    public void A_sell_beyond_the_shares_held_at_its_date_is_reported_with_what_was_held()
    {
        var late = Tx(TransactionType.Sell, 1, 15, 60);
        var ledger = Ledger.Replay([Tx(TransactionType.Buy, 0, 10, 50), late, Tx(TransactionType.Buy, 2, 10, 50)]);
        Assert.That(ledger.FirstShortfall, Is.Not.Null);
        Assert.That(ledger.FirstShortfall!.Sell, Is.SameAs(late));
        Assert.That(ledger.FirstShortfall.Held, Is.EqualTo(10m));
    }

    [Test]
    public void A_clone_is_a_checkpoint_later_transactions_do_not_change()
    {
        var ledger = Ledger.Replay([Tx(TransactionType.Buy, 0, 10, 50)]);
        var checkpoint = ledger.Clone();
        ledger.Apply(Tx(TransactionType.Sell, 1, 4, 60));
        Assert.That(checkpoint.Positions[1].Quantity, Is.EqualTo(10m));
        Assert.That(checkpoint.Sales, Is.Empty);
        Assert.That(ledger.Positions[1].Quantity, Is.EqualTo(6m));
    }

    [Test]
    public void External_flows_are_deposits_with_cash_tracked_and_trades_without()
    {
        var buy = Tx(TransactionType.Buy, 0, 10, 50, fees: 3.85m);
        var sell = Tx(TransactionType.Sell, 1, 10, 60, fees: 4.62m, taxes: 10m);
        Assert.Multiple(() =>
        {
            Assert.That(Ledger.ExternalFlow(Tx(TransactionType.Deposit, 0, amount: 100m), tracksCash: true), Is.EqualTo(100m));
            Assert.That(Ledger.ExternalFlow(buy, tracksCash: true), Is.Zero);
            Assert.That(Ledger.ExternalFlow(buy, tracksCash: false), Is.EqualTo(503.85m));
            Assert.That(Ledger.ExternalFlow(sell, tracksCash: false), Is.EqualTo(-(600m - 4.62m - 10m)));
        });
    }
}
