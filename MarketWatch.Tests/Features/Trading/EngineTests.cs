using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Trading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MarketWatch.Tests.Features.Trading.EngineScenario;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>
/// The order engine on a real app (demo mode: continuous trading all the time): ticks go through the ingest path, the
/// engine matches them against the live orders and claims the fills. Each test trades its own instrument.
/// </summary>
public sealed class EngineTests : AppTest
{
    private static readonly FeeSchedule Fees = FeeSchedule.Defaults;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["MarketData:Simulated:DemoMode"] = "true" };

    private EngineScenario Scenario => new(DatabaseName);
    private TradeEngine Engine => App.Services.GetRequiredService<TradeEngine>();

    /// <summary>Places the orders and waits until the engine holds them (a tick written after this reaches them).</summary>
    private async Task<List<long>> PlaceAsync(params Order[] orders)
    {
        var ids = await Scenario.PlaceAsync(orders);
        await Eventually.TrueAsync(() => Engine.Listening && ids.All(Engine.Holds), "the engine to hold the new orders");
        return ids;
    }

    /// <summary>Writes a tick and waits until the engine has evaluated it and claimed what it filled.</summary>
    private async Task TickAsync(string ticker, decimal price, long volume)
    {
        var time = await Ticks.WriteAsync(App, (ticker, price, volume));
        await Eventually.TrueAsync(() => Engine.EvaluatedThrough >= time, $"the engine to evaluate {ticker} at {price}");
    }

    private async Task<OrderRow> OrderAsync(long id) => (await Scenario.OrdersAsync([id])).Single();

    [Test]
    public async Task A_market_buy_fills_at_the_next_trade_the_portfolio_holds_it_and_one_in_app_notice_tells_it()
    {
        await Ticks.WriteAsync(App, ("IAM", 121m, 10_000L));
        var account = (await Scenario.AccountsAsync(1, 100_000m))[0];
        var order = (await PlaceAsync(new Order(account.Id, "IAM", OrderSide.Buy, OrderType.Market, 100, ReservationPrice: 133.1m)))[0];
        var fills = Engine.Fills;

        await TickAsync("IAM", 121.5m, 12_000);

        var row = await OrderAsync(order);
        Assert.That(row.State, Is.EqualTo(OrderState.Filled));
        Assert.That(row.FilledAmount, Is.EqualTo(100 * 121.5m), "at the trade's price");
        Assert.That(row.Fees, Is.EqualTo(Fees.TradeFees(12_150m, false)));
        Assert.That(Engine.Fills, Is.GreaterThan(fills));
        await using var scope = App.Services.CreateAsyncScope();
        var snapshot = await scope.ServiceProvider.GetRequiredService<PortfolioHoldings>().GetAsync(account.UserId, account.Id, CancellationToken.None);
        var holding = snapshot!.Holdings.Single();
        Assert.That(holding.Ticker, Is.EqualTo("IAM"));
        Assert.That(holding.Quantity, Is.EqualTo(100m));
        Assert.That(snapshot.Cash, Is.EqualTo(100_000m - 12_150m - Fees.TradeFees(12_150m, false)), "the portfolio's cash is the account's free cash");
        var notices = await App.WithDbAsync(db => db.Set<InAppNotification>().Where(n => n.UserId == account.UserId).ToListAsync());
        Assert.That(notices, Has.Count.EqualTo(1));
        Assert.That(notices[0].EventSource, Is.EqualTo(TradingChannels.NoticeSource));
        Assert.That(Engine.Holds(order), Is.False, "a filled order leaves the book");
        Assert.That(await Scenario.ReconcileAsync(), Is.Empty);
    }

    [Test]
    public async Task A_limit_buy_below_the_market_fills_only_when_a_trade_comes_at_or_below_its_limit()
    {
        await Ticks.WriteAsync(App, ("ATW", 762m, 1_000L));
        var account = (await Scenario.AccountsAsync(1, 100_000m))[0];
        var order = (await PlaceAsync(new Order(account.Id, "ATW", OrderSide.Buy, OrderType.Limit, 10, Limit: 750m)))[0];

        await TickAsync("ATW", 755m, 2_000);
        Assert.That((await OrderAsync(order)).State, Is.EqualTo(OrderState.Open), "755 is above the limit");
        await TickAsync("ATW", 750m, 3_000);

        var row = await OrderAsync(order);
        Assert.That(row.State, Is.EqualTo(OrderState.Filled), "at the limit");
        Assert.That(row.FilledAmount, Is.EqualTo(7_500m));
        Assert.That(await Scenario.ReconcileAsync(), Is.Empty);
    }

    [Test]
    public async Task A_sell_limit_fills_only_at_or_above_its_limit()
    {
        await Ticks.WriteAsync(App, ("CIH", 429m, 1_000L));
        var account = (await Scenario.AccountsAsync(1, 1_000m))[0];
        await Scenario.HoldAsync(account.Id, "CIH", 50, 400m);
        var order = (await PlaceAsync(new Order(account.Id, "CIH", OrderSide.Sell, OrderType.Limit, 50, Limit: 435m)))[0];

        await TickAsync("CIH", 430m, 2_000);
        Assert.That((await OrderAsync(order)).State, Is.EqualTo(OrderState.Open));
        await TickAsync("CIH", 436m, 3_000);

        var row = await OrderAsync(order);
        Assert.That(row.State, Is.EqualTo(OrderState.Filled));
        Assert.That(row.FilledAmount, Is.EqualTo(50 * 436m), "at the trade's (better) price");
        var position = await App.WithDbAsync(db => db.Set<PaperPosition>().AsNoTracking().SingleAsync(p => p.AccountId == account.Id));
        Assert.That((position.Quantity, position.Reserved), Is.EqualTo((0L, 0L)));
        Assert.That(await Scenario.ReconcileAsync(), Is.Empty);
    }

    [Test]
    public async Task Stops_trigger_when_a_trade_reaches_them_a_stop_then_fills_at_market_a_stop_limit_only_within_its_limit()
    {
        await Ticks.WriteAsync(App, ("HPS", 594m, 1_000L));
        var account = (await Scenario.AccountsAsync(1, 100_000m))[0];
        await Scenario.HoldAsync(account.Id, "HPS", 10, 500m);
        var orders = await PlaceAsync(
            new Order(account.Id, "HPS", OrderSide.Buy, OrderType.Stop, 10, Stop: 600m, ReservationPrice: 653m),
            new Order(account.Id, "HPS", OrderSide.Sell, OrderType.StopLimit, 10, Limit: 588m, Stop: 590m));

        await TickAsync("HPS", 597m, 2_000);
        Assert.That((await Scenario.OrdersAsync(orders)).Select(o => (o.State, o.Triggered)), Is.All.EqualTo((OrderState.Open, false)));

        await TickAsync("HPS", 601m, 3_000);
        var buy = await OrderAsync(orders[0]);
        Assert.That((buy.State, buy.Triggered, buy.FilledAmount), Is.EqualTo((OrderState.Filled, true, 6_010m)), "reached, then a market order");

        await TickAsync("HPS", 585m, 4_000);
        var sell = await OrderAsync(orders[1]);
        Assert.That((sell.State, sell.Triggered), Is.EqualTo((OrderState.Open, true)), "reached at 585, but 585 is below its limit");

        await TickAsync("HPS", 588.5m, 5_000);
        sell = await OrderAsync(orders[1]);
        Assert.That((sell.State, sell.FilledAmount), Is.EqualTo((OrderState.Filled, 5_885m)), "triggered, it fills as a limit order");
        var events = await Scenario.EventsAsync(orders);
        Assert.That(events[orders[0]], Is.EqualTo(new[] { OrderEventKind.Triggered, OrderEventKind.Fill }));
        Assert.That(events[orders[1]], Is.EqualTo(new[] { OrderEventKind.Triggered, OrderEventKind.Fill }));
        Assert.That(await Scenario.ReconcileAsync(), Is.Empty);
    }

    [Test]
    public async Task The_participation_cap_splits_a_large_order_across_trades_as_the_volume_accumulates()
    {
        await Ticks.WriteAsync(App, ("LHM", 1958m, 1_000L));
        var account = (await Scenario.AccountsAsync(1, 1_000_000m))[0];
        var order = (await PlaceAsync(new Order(account.Id, "LHM", OrderSide.Buy, OrderType.Market, 300, ReservationPrice: 2153m)))[0];

        await TickAsync("LHM", 1960m, 1_500);
        Assert.That((await OrderAsync(order)).Filled, Is.EqualTo(50), "10 % of the 500 shares traded since it became active");
        Assert.That((await OrderAsync(order)).State, Is.EqualTo(OrderState.PartiallyFilled));
        await TickAsync("LHM", 1961m, 3_000);
        Assert.That((await OrderAsync(order)).Filled, Is.EqualTo(200), "10 % of 2,000");
        await TickAsync("LHM", 1962m, 10_000);

        var row = await OrderAsync(order);
        Assert.That(row.State, Is.EqualTo(OrderState.Filled), "the cap (900) is past the remaining 100");
        Assert.That(row.Filled, Is.EqualTo(300));
        Assert.That(row.FilledAmount, Is.EqualTo(50 * 1960m + 150 * 1961m + 100 * 1962m));
        Assert.That(row.Reserved, Is.Zero);
        var fills = await App.WithDbAsync(db => db.Set<PaperOrderEvent>().Where(e => e.OrderId == order && e.Kind == OrderEventKind.Fill).Select(e => e.Quantity).ToListAsync());
        Assert.That(fills, Is.EqualTo(new long?[] { 50, 150, 100 }));
        Assert.That(await App.WithDbAsync(db => db.Set<InAppNotification>().CountAsync(n => n.UserId == account.UserId)), Is.EqualTo(2),
            "the first partial fill and the last");
        Assert.That(await Scenario.ReconcileAsync(), Is.Empty);
    }

    [Test]
    public async Task A_pending_order_is_activated_by_the_first_trade_of_its_session_and_counts_the_whole_day_volume()
    {
        await Ticks.WriteAsync(App, ("BCI", 611m, 100L));
        var account = (await Scenario.AccountsAsync(1, 100_000m))[0];
        var order = (await PlaceAsync(new Order(account.Id, "BCI", OrderSide.Buy, OrderType.Limit, 50, Limit: 600m, State: OrderState.Pending)))[0];

        await TickAsync("BCI", 612m, 200);
        Assert.That((await OrderAsync(order)).State, Is.EqualTo(OrderState.Open), "activated, not filled (above its limit)");
        await TickAsync("BCI", 599m, 600);

        var row = await OrderAsync(order);
        Assert.That((row.State, row.Filled), Is.EqualTo((OrderState.Filled, 50L)), "10 % of the day's 600 shares");
        Assert.That((await Scenario.EventsAsync([order]))[order], Is.EqualTo(new[] { OrderEventKind.Activated, OrderEventKind.Fill }));
    }

    [Test]
    public async Task A_buy_that_cannot_be_paid_when_it_fills_is_rejected_with_its_reason_and_its_reservation_released()
    {
        await Ticks.WriteAsync(App, ("ADH", 39.67m, 1_000L));
        var account = (await Scenario.AccountsAsync(1, 1_000m))[0];
        var order = (await PlaceAsync(new Order(account.Id, "ADH", OrderSide.Buy, OrderType.Market, 20, ReservationPrice: 40m)))[0];
        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("UPDATE paper_accounts SET cash = 0, starting_cash = starting_cash - cash WHERE id = {0}", account.Id));

        await TickAsync("ADH", 43m, 2_000);

        var row = await Eventually.ValueAsync(() => OrderAsync(order), o => o.State != OrderState.Open, "the order to be rejected");
        Assert.That(row.State, Is.EqualTo(OrderState.Rejected));
        Assert.That(row.RejectReason, Is.EqualTo(TradeClaims.NotEnoughCash.Key));
        Assert.That(row.Reserved, Is.Zero);
        Assert.That(await App.WithDbAsync(db => db.Set<PaperAccount>().Where(a => a.Id == account.Id).Select(a => a.Cash).SingleAsync()),
            Is.EqualTo(800m + Fees.TradeFees(800m, false)));
        Assert.That(await Scenario.ReconcileAsync(), Is.Empty);
    }
}
