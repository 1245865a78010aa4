using MarketWatch.Web.Features.Trading;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>
/// The order's state machine (<see cref="OrderStates"/>), the participation cap (<see cref="Participation"/>, 10% by
/// default: <see cref="TradingOptions.ParticipationRate"/>) and what a trade does to an order (<see cref="OrderMatching"/>).
/// </summary>
public sealed class RulesStateTests
{
    /// <summary>Every move the issue's states allow; any other pair of states is refused.</summary>
    private static readonly HashSet<(OrderState From, OrderState To)> Allowed =
    [
        // Waiting for the session: activated at its start, or cancelled (user, expiry, reset), or rejected.
        (OrderState.Pending, OrderState.Open),
        (OrderState.Pending, OrderState.Cancelled),
        (OrderState.Pending, OrderState.Rejected),
        // Live: a fill (partial or whole), cancelled, rejected.
        (OrderState.Open, OrderState.PartiallyFilled),
        (OrderState.Open, OrderState.Filled),
        (OrderState.Open, OrderState.Cancelled),
        (OrderState.Open, OrderState.Rejected),
        // Partial fills accumulate.
        (OrderState.PartiallyFilled, OrderState.PartiallyFilled),
        (OrderState.PartiallyFilled, OrderState.Filled),
        (OrderState.PartiallyFilled, OrderState.Cancelled),
        (OrderState.PartiallyFilled, OrderState.Rejected),
    ];

    public static IEnumerable<TestCaseData> EveryPair() =>
        from before in Enum.GetValues<OrderState>()
        from after in Enum.GetValues<OrderState>()
        let allowed = Allowed.Contains((before, after))
        select new TestCaseData(before, after, allowed).SetName($"{before} to {after}: {(allowed ? "allowed" : "refused")}");

    [TestCaseSource(nameof(EveryPair))]
    public void A_state_change_is_allowed_exactly_when_the_machine_has_it(OrderState from, OrderState to, bool allowed) =>
        Assert.That(OrderStates.CanMove(from, to), Is.EqualTo(allowed));

    [Test]
    public void Every_state_is_in_the_table()
    {
        Assert.That(EveryPair().Count(), Is.EqualTo(36), "six states, every ordered pair");
        Assert.That(Enum.GetValues<OrderState>(), Has.Length.EqualTo(6));
    }

    [Test]
    public void Done_orders_never_move_again()
    {
        foreach (var done in new[] { OrderState.Filled, OrderState.Cancelled, OrderState.Rejected })
        {
            Assert.That(Enum.GetValues<OrderState>().Where(to => OrderStates.CanMove(done, to)), Is.Empty, $"{done} is final");
            Assert.That(OrderStates.IsLive(done) || OrderStates.CanChange(done), Is.False, $"{done} cannot be cancelled or modified");
        }
    }

    [TestCase(OrderState.Pending, true)]
    [TestCase(OrderState.Open, true)]
    [TestCase(OrderState.PartiallyFilled, true)]
    [TestCase(OrderState.Filled, false)]
    [TestCase(OrderState.Cancelled, false)]
    [TestCase(OrderState.Rejected, false)]
    public void Only_live_orders_may_be_cancelled_or_modified(OrderState state, bool live)
    {
        Assert.That(OrderStates.CanChange(state), Is.EqualTo(live));
        Assert.That(OrderStates.IsLive(state), Is.EqualTo(live));
        Assert.That(new PaperOrder { UserId = "u", State = state }.IsLive, Is.EqualTo(live), "the entity says the same");
    }

    // Participation: floor(rate × (day volume − base)) − filled since the base, within [0, remaining].
    [TestCase(1000, 0, 0, 5000, 100, Description = "10% of the volume since the session's start")]
    [TestCase(1000, 500, 0, 5000, 50, Description = "only the volume since the order became active")]
    [TestCase(1005, 0, 0, 5000, 100, Description = "whole shares: 100.5 rounds down")]
    [TestCase(1000, 0, 30, 5000, 70, Description = "fills since the base use up the cap")]
    [TestCase(1000, 0, 100, 5000, 0, Description = "the cap used up")]
    [TestCase(1000, 0, 120, 5000, 0, Description = "more filled than the cap (a base moved): never negative")]
    [TestCase(1000, 0, 0, 40, 40, Description = "at most the remaining quantity")]
    [TestCase(1000, 0, 0, 0, 0, Description = "nothing remaining")]
    [TestCase(1000, 0, 0, -5, 0, Description = "a negative remainder allows nothing")]
    [TestCase(400, 500, 0, 5000, 0, Description = "a volume below the base (a new session's counter): nothing")]
    [TestCase(0, 0, 0, 5000, 0, Description = "no volume, no fill")]
    [TestCase(9, 0, 0, 5000, 0, Description = "under ten shares traded: not one share yet")]
    public void The_participation_cap(long dayVolume, long volumeBase, long filledSinceBase, long remaining, long allowed) =>
        Assert.That(Participation.Allowed(0.10m, dayVolume, volumeBase, filledSinceBase, remaining), Is.EqualTo(allowed));

    [Test]
    public void A_million_share_order_in_an_illiquid_stock_fills_a_little_at_a_time()
    {
        // The issue's example: 2,500 shares traded since activation allow 250 of a 1,000,000-share order.
        Assert.That(Participation.Allowed(0.10m, 2_500, 0, 0, 1_000_000), Is.EqualTo(250));
        Assert.That(Participation.Allowed(0.25m, 2_500, 0, 250, 1_000_000 - 250), Is.EqualTo(375), "the rate is configurable");
        Assert.That(Participation.Allowed(1m, 2_500, 0, 0, 1_000_000), Is.EqualTo(2_500));
    }

    [TestCase(OrderSide.Buy, 100, 99.9, false)]
    [TestCase(OrderSide.Buy, 100, 100, true, Description = "a buy stop is reached at the stop")]
    [TestCase(OrderSide.Buy, 100, 100.1, true)]
    [TestCase(OrderSide.Sell, 100, 100.1, false)]
    [TestCase(OrderSide.Sell, 100, 100, true, Description = "a sell stop is reached at the stop")]
    [TestCase(OrderSide.Sell, 100, 99.9, true)]
    public void A_stop_is_reached_at_or_beyond_it_in_its_direction(OrderSide side, decimal stop, decimal trade, bool reached) =>
        Assert.That(OrderMatching.StopReached(side, stop, trade), Is.EqualTo(reached));

    [TestCase(OrderType.Market, OrderSide.Buy, null, 1000, true, Description = "a market order takes any trade")]
    [TestCase(OrderType.Market, OrderSide.Sell, null, 0.01, true)]
    [TestCase(OrderType.Stop, OrderSide.Buy, null, 1000, true, Description = "a triggered stop is a market order")]
    [TestCase(OrderType.Stop, OrderSide.Sell, null, 0.01, true)]
    [TestCase(OrderType.Limit, OrderSide.Buy, 100, 99.9, true)]
    [TestCase(OrderType.Limit, OrderSide.Buy, 100, 100, true, Description = "a buy limit fills at the limit")]
    [TestCase(OrderType.Limit, OrderSide.Buy, 100, 100.1, false)]
    [TestCase(OrderType.Limit, OrderSide.Sell, 100, 100.1, true)]
    [TestCase(OrderType.Limit, OrderSide.Sell, 100, 100, true, Description = "a sell limit fills at the limit")]
    [TestCase(OrderType.Limit, OrderSide.Sell, 100, 99.9, false)]
    [TestCase(OrderType.StopLimit, OrderSide.Buy, 100, 100, true, Description = "a triggered stop-limit is a limit order")]
    [TestCase(OrderType.StopLimit, OrderSide.Buy, 100, 100.1, false)]
    [TestCase(OrderType.StopLimit, OrderSide.Sell, 100, 100, true)]
    [TestCase(OrderType.StopLimit, OrderSide.Sell, 100, 99.9, false)]
    [TestCase(OrderType.Limit, OrderSide.Buy, null, 50, false, Description = "a limit order without a limit never fills")]
    public void The_price_condition_of_an_active_order(OrderType type, OrderSide side, decimal? limit, decimal trade, bool allows) =>
        Assert.That(OrderMatching.PriceAllows(type, side, limit, trade), Is.EqualTo(allows));

    [TestCase(OrderType.Limit, 95.5, 95.5, Description = "a limit buy reserves at its limit")]
    [TestCase(OrderType.StopLimit, 104, 104, Description = "a stop-limit at its limit")]
    [TestCase(OrderType.Market, null, 110, Description = "a market buy cannot fill above the upper threshold")]
    [TestCase(OrderType.Stop, null, 110, Description = "nor can a stop")]
    [TestCase(OrderType.Limit, null, 110, Description = "no limit: the threshold")]
    public void A_buy_reserves_at_its_limit_or_the_day_s_upper_threshold(OrderType type, decimal? limit, decimal price) =>
        Assert.That(OrderMatching.ReservationPrice(type, limit, new PriceBand(90m, 110m)), Is.EqualTo(price));
}
