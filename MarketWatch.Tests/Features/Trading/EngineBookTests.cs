using System.Diagnostics;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Trading;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>The engine's in-memory index (<see cref="OrderBook"/>) and its fill sizing (<see cref="FillPlanner"/>), without a database.</summary>
public sealed class EngineBookTests
{
    private static readonly DateTimeOffset Active = new(2026, 6, 10, 9, 40, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Active.AddMinutes(5);
    private static readonly DateOnly Session = ExchangeCalendar.ExchangeDate(Active);
    private static long _nextId;

    private static LiveOrder Order(OrderSide side, OrderType type, decimal? limit = null, decimal? stop = null, long quantity = 100, long filled = 0,
        OrderState state = OrderState.Open, bool triggered = false, string ticker = "ATW", long volumeBase = 1_000, long filledAtBase = 0,
        DateOnly? volumeDate = null, DateTimeOffset? expiresAt = null) => new()
    {
        Id = Interlocked.Increment(ref _nextId), AccountId = 1, Ticker = ticker, Side = side, Type = type, Quantity = quantity, Filled = filled,
        Limit = limit, Stop = stop, State = state, Triggered = triggered,
        ActiveSince = state == OrderState.Pending ? null : Active,
        VolumeDate = state == OrderState.Pending ? null : volumeDate ?? Session, VolumeBase = state == OrderState.Pending ? 0 : volumeBase,
        FilledAtBase = filledAtBase, ExpiresAt = expiresAt ?? Active.AddDays(1),
    };

    private static OrderBook Book(params LiveOrder[] orders)
    {
        var book = new OrderBook();
        foreach (var order in orders)
        {
            book.Add(order);
        }
        return book;
    }

    private static List<Match> Reached(OrderBook book, decimal price, string ticker = "ATW")
    {
        var matches = new List<Match>();
        book.Reached(ticker, price, matches);
        return matches;
    }

    private static FillRequest? Plan(Match match, decimal price = 100m, long volume = 2_000, DateTimeOffset? at = null, DateTimeOffset? now = null) =>
        FillPlanner.Plan(match, price, at ?? Later, volume, 0.10m, now ?? Later, amount => Math.Round(amount * 0.005m, 2));

    [Test]
    public void A_pending_order_is_activated_only_by_a_trade_after_its_entry_of_the_session_in_progress()
    {
        var pending = Order(OrderSide.Buy, OrderType.Market, state: OrderState.Pending);
        var order = new LiveOrder
        {
            Id = pending.Id, AccountId = 1, Ticker = "ATW", Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 100,
            State = OrderState.Pending, ExpiresAt = Active.AddDays(1), CreatedAt = Active,
        };
        var match = Reached(Book(order), 100m).Single();
        Assert.That(match.Activates, Is.True);

        Assert.That(Plan(match, at: Active.AddDays(-1)), Is.Null, "yesterday's last quote (a resync) neither activates nor fills it");
        Assert.That(Plan(match, at: Active.AddMinutes(-1)), Is.Null, "a trade of the session but before the order existed");
        Assert.That(Plan(match, at: Active), Is.Null, "a trade at its entry");
        var request = Plan(match, at: Later);
        Assert.That(request, Is.Not.Null);
        Assert.That(request!.Activates, Is.True);
        Assert.That(request.Quantity, Is.EqualTo(100));
    }

    [Test]
    public void A_trade_reaches_the_limits_it_satisfies_and_no_others()
    {
        var buys = new[] { 98m, 99m, 100m, 101m }.Select(l => Order(OrderSide.Buy, OrderType.Limit, limit: l)).ToArray();
        var sells = new[] { 99m, 100m, 101m }.Select(l => Order(OrderSide.Sell, OrderType.Limit, limit: l)).ToArray();
        var book = Book([.. buys, .. sells]);

        var matches = Reached(book, 100m);

        Assert.That(matches.Where(m => m.Order.Side == OrderSide.Buy).Select(m => m.Order.Limit), Is.EquivalentTo(new decimal?[] { 100m, 101m }));
        Assert.That(matches.Where(m => m.Order.Side == OrderSide.Sell).Select(m => m.Order.Limit), Is.EquivalentTo(new decimal?[] { 99m, 100m }));
        Assert.That(matches.Select(m => m.PriceAllows), Is.All.True);
        Assert.That(Reached(book, 100m, "IAM"), Is.Empty, "another instrument");
    }

    [Test]
    public void Stops_are_reached_from_their_side_and_a_stop_limit_beyond_its_limit_is_triggered_without_a_fill()
    {
        var buyStop = Order(OrderSide.Buy, OrderType.Stop, stop: 105m);
        var sellStop = Order(OrderSide.Sell, OrderType.Stop, stop: 95m);
        var sellStopLimit = Order(OrderSide.Sell, OrderType.StopLimit, stop: 95m, limit: 94m);
        var book = Book(buyStop, sellStop, sellStopLimit);

        Assert.That(Reached(book, 100m), Is.Empty);
        Assert.That(Reached(book, 105m).Select(m => m.Order), Is.EqualTo(new[] { buyStop }));
        var down = Reached(book, 93m);
        Assert.That(down.Select(m => m.Order), Is.EquivalentTo(new[] { sellStop, sellStopLimit }));
        Assert.That(down.All(m => m.Triggers), Is.True);
        var limited = down.Single(m => m.Order == sellStopLimit);
        Assert.That(limited.PriceAllows, Is.False, "93 is below its limit 94");
        var request = Plan(limited, 93m)!;
        Assert.That((request.Quantity, request.Triggers), Is.EqualTo((0L, true)), "triggered, nothing filled");
        Assert.That(Plan(down.Single(m => m.Order == sellStop), 93m)!.Quantity, Is.EqualTo(100), "a stop is then a market order");
    }

    [Test]
    public void A_triggered_stop_limit_sits_at_its_limit_and_a_market_order_is_reached_by_any_trade()
    {
        var triggered = Order(OrderSide.Buy, OrderType.StopLimit, stop: 105m, limit: 106m, triggered: true);
        var market = Order(OrderSide.Sell, OrderType.Market);
        var book = Book(triggered, market);
        Assert.That(Reached(book, 107m).Select(m => m.Order), Is.EqualTo(new[] { market }));
        Assert.That(Reached(book, 90m).Select(m => m.Order), Is.EquivalentTo(new[] { triggered, market }));
    }

    [Test]
    public void Pending_orders_are_all_activated_by_a_trade_whether_or_not_it_fills_them()
    {
        var low = Order(OrderSide.Buy, OrderType.Limit, limit: 90m, state: OrderState.Pending);
        var stop = Order(OrderSide.Buy, OrderType.Stop, stop: 99m, state: OrderState.Pending);
        var book = Book(low, stop);
        var matches = Reached(book, 100m);
        Assert.That(matches.Select(m => m.Activates), Is.All.True);
        var requests = matches.Select(m => Plan(m, 100m, volume: 300)!).ToDictionary(r => r.OrderId);
        Assert.That(requests[low.Id].Quantity, Is.Zero, "activated only: 100 is above its limit");
        Assert.That(requests[stop.Id].Triggers, Is.True);
        Assert.That(requests[stop.Id].Quantity, Is.EqualTo(30), "the whole day's volume counts: 10 % of 300");
    }

    [Test]
    public void The_fill_is_sized_by_the_participation_cap_of_the_volume_since_activation()
    {
        var order = Order(OrderSide.Buy, OrderType.Market, quantity: 1_000, filled: 100, filledAtBase: 0, volumeBase: 1_000);
        var match = new Match(order, false, false, true);
        Assert.That(Plan(match, volume: 2_000)?.Quantity, Is.Null, "10 % of 1,000 is the 100 already filled: nothing to do");
        Assert.That(Plan(match, volume: 3_500)!.Quantity, Is.EqualTo(150));
        Assert.That(Plan(match, volume: 1_000_000)!.Quantity, Is.EqualTo(900), "never more than the remaining");
        var yesterday = Order(OrderSide.Buy, OrderType.Market, quantity: 1_000, filled: 100, filledAtBase: 0, volumeBase: 50_000, volumeDate: Session.AddDays(-1));
        Assert.That(Plan(new Match(yesterday, false, false, true), volume: 2_000)!.Quantity, Is.EqualTo(200), "a new session counts from 0");
        var request = Plan(match, price: 101m, volume: 3_500)!;
        Assert.That((request.ExpectedFilled, request.Price, request.Fees, request.Session, request.DayVolume),
            Is.EqualTo((100L, 101m, Math.Round(150 * 101m * 0.005m, 2), Session, 3_500L)));
    }

    [Test]
    public void Only_trades_newer_than_the_activation_count_and_an_expired_order_is_left_to_the_sweep()
    {
        var order = Order(OrderSide.Buy, OrderType.Market);
        var match = new Match(order, false, false, true);
        Assert.That(Plan(match, at: Active), Is.Null, "the trade the order was entered on");
        Assert.That(Plan(match, at: Active.AddTicks(-10)), Is.Null);
        Assert.That(Plan(match, at: Active.AddTicks(10)), Is.Not.Null);
        var expired = Order(OrderSide.Buy, OrderType.Market, expiresAt: Later);
        Assert.That(Plan(new Match(expired, false, false, true), now: Later), Is.Null);
    }

    [Test]
    public void Replacing_or_finishing_an_order_moves_or_drops_it_and_an_empty_instrument_leaves_the_book()
    {
        var order = Order(OrderSide.Buy, OrderType.Limit, limit: 100m);
        var book = Book(order);
        book.Add(new LiveOrder { Id = order.Id, AccountId = 1, Ticker = "ATW", Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 100, Limit = 90m,
            State = OrderState.Open, ActiveSince = Active, VolumeDate = Session });
        Assert.That(Reached(book, 95m), Is.Empty, "modified to 90");
        Assert.That(Reached(book, 90m), Has.Count.EqualTo(1));
        book.Add(new LiveOrder { Id = order.Id, AccountId = 1, Ticker = "ATW", Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 100, Filled = 100,
            Limit = 90m, State = OrderState.Filled });
        Assert.That(book.Count, Is.Zero);
        Assert.That(Reached(book, 90m), Is.Empty);
    }

    [Test]
    public void A_trade_among_a_hundred_thousand_orders_touches_only_those_it_reaches()
    {
        var random = new Random(14);
        var tickers = Enumerable.Range(0, 70).Select(i => $"T{i:D2}").ToArray();
        var book = new OrderBook();
        for (var n = 0; n < 100_000; n++)
        {
            var side = random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
            // Limits within ±10 % of 100, two decimals; buys below the market, sells above (as a live book stands).
            var offset = random.Next(1, 1_000) / 100m;
            book.Add(Order(side, OrderType.Limit, limit: side == OrderSide.Buy ? 100m - offset : 100m + offset, ticker: tickers[random.Next(tickers.Length)]));
        }
        var matches = new List<Match>();
        var clock = Stopwatch.StartNew();
        const int trades = 10_000;
        var reached = 0;
        for (var n = 0; n < trades; n++)
        {
            matches.Clear();
            // A trade a little off the market: it reaches the few levels between.
            book.Reached(tickers[n % tickers.Length], 100m + (n % 2 == 0 ? 0.05m : -0.05m), matches);
            reached += matches.Count;
        }
        clock.Stop();
        TestContext.Out.WriteLine($"measured: {trades} trades against 100,000 live orders over 70 instruments: {clock.Elapsed.TotalMicroseconds / trades:0.0} µs per trade, "
                                  + $"{(double)reached / trades:0.0} orders reached per trade");
        Assert.That(reached, Is.LessThan(trades * 10), "a trade near the market reaches a handful of levels, not the instrument's 1,400 orders");
        Assert.That(book.Count, Is.EqualTo(100_000));
    }
}
