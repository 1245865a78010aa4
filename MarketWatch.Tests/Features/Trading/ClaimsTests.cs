using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Trading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MarketWatch.Tests.Features.Trading.EngineScenario;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>
/// The one-statement fill claim (<see cref="TradeClaims"/>) called directly, the engine off (Trading:Engine=false, so
/// nothing else fills): exactly once, everything a fill changes, the cash guard, rejection, triggers and activation.
/// </summary>
public sealed class ClaimsTests : AppTest
{
    private const string Ticker = "BCP";
    private static readonly FeeSchedule Fees = FeeSchedule.Defaults;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Simulated:DemoMode"] = "true",
        ["Trading:Engine"] = "false",
    };

    private EngineScenario Scenario => new(DatabaseName);
    private TradeClaims Claims => App.Services.GetRequiredService<TradeClaims>();

    private static FillRequest Fill(long order, long expected, long quantity, decimal price, bool activates = false, bool triggers = false,
        DateTimeOffset? at = null)
    {
        var now = at ?? DateTimeOffset.UtcNow;
        return new FillRequest(order, expected, quantity, price, quantity > 0 ? Fees.TradeFees(quantity * price, false) : 0, now,
            ExchangeCalendar.ExchangeDate(now), 1_000_000, activates, triggers);
    }

    [OneTimeSetUp]
    public Task QuoteAsync() => Ticks.WriteAsync(App, (Ticker, 320m, 1_000L));

    [Test]
    public async Task The_same_fill_claimed_twice_fills_once_and_writes_everything_a_fill_changes()
    {
        var account = (await Scenario.AccountsAsync(1, 100_000m))[0];
        var order = (await Scenario.PlaceAsync(new Order(account.Id, Ticker, OrderSide.Buy, OrderType.Limit, 100, Limit: 321m)))[0];

        var first = await Claims.FillAsync([Fill(order, 0, 100, 320m)], "engine", CancellationToken.None);
        var second = await Claims.FillAsync([Fill(order, 0, 100, 320m)], "engine", CancellationToken.None);

        Assert.That(first.Fills, Is.EqualTo(1));
        Assert.That(first.Accounts, Is.EqualTo(new[] { account.Id }));
        Assert.That(second.Fills, Is.Zero, "the second claim saw filled quantity 0, which is no longer true");
        var row = (await Scenario.OrdersAsync([order])).Single();
        var fees = Fees.TradeFees(32_000m, false);
        Assert.Multiple(() =>
        {
            Assert.That(row.State, Is.EqualTo(OrderState.Filled));
            Assert.That(row.Filled, Is.EqualTo(100));
            Assert.That(row.FilledAmount, Is.EqualTo(32_000m));
            Assert.That(row.Fees, Is.EqualTo(fees));
            Assert.That(row.Reserved, Is.Zero, "the last fill releases the whole reservation");
        });
        var (cash, reserved, version) = await App.WithDbAsync(async db =>
        {
            var a = await db.Set<PaperAccount>().AsNoTracking().SingleAsync(a => a.Id == account.Id);
            var p = await db.Set<Portfolio>().AsNoTracking().SingleAsync(p => p.Id == account.Id);
            return (a.Cash, a.ReservedCash, p.Version);
        });
        Assert.That(cash, Is.EqualTo(100_000m - 32_000m - fees), "paid the real price (320), not the limit (321)");
        Assert.That(reserved, Is.Zero);
        Assert.That(version, Is.EqualTo(2), "the fill bumped the portfolio's version once");
        var tx = await App.WithDbAsync(db => db.Set<PortfolioTransaction>().AsNoTracking().SingleAsync(t => t.PortfolioId == account.Id && t.Type == TransactionType.Buy));
        Assert.Multiple(() =>
        {
            Assert.That(tx.Quantity, Is.EqualTo(100m));
            Assert.That(tx.Price, Is.EqualTo(320m));
            Assert.That(tx.Amount, Is.EqualTo(32_000m));
            Assert.That(tx.Fees, Is.EqualTo(fees));
            Assert.That(tx.Taxes, Is.Zero);
            Assert.That(tx.FeesDefaulted, Is.False);
            Assert.That(tx.Date, Is.EqualTo(ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow)).Or.EqualTo(ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow.AddMinutes(-1))));
        });
        var events = await App.WithDbAsync(db => db.Set<PaperOrderEvent>().AsNoTracking().Where(e => e.OrderId == order).ToListAsync());
        var fill = events.Single(e => e.Kind == OrderEventKind.Fill);
        Assert.That(fill.TransactionId, Is.EqualTo(tx.Id));
        Assert.That(fill.State, Is.EqualTo(OrderState.Filled));
        var notices = await App.WithDbAsync(db => db.Set<InAppNotification>().AsNoTracking().Where(n => n.UserId == account.UserId).ToListAsync());
        Assert.That(notices, Has.Count.EqualTo(1), "one in-app notification for the fill");
        Assert.That(notices[0].SourceEventId, Is.EqualTo(fill.Id));
        Assert.That(notices[0].EventSource, Is.EqualTo(TradingChannels.NoticeSource));
        var deliveries = await App.WithDbAsync(db => db.Set<Delivery>().AsNoTracking().Where(d => d.UserId == account.UserId).Select(d => d.Channel).ToListAsync());
        Assert.That(deliveries, Is.EquivalentTo(new[] { Channel.InApp, Channel.Push }), "the account's channels");
        Assert.That(await Scenario.ReconcileAsync(), Is.Empty);
        var position = await App.WithDbAsync(db => db.Set<PaperPosition>().AsNoTracking().SingleAsync(p => p.AccountId == account.Id));
        Assert.That(position.Quantity, Is.EqualTo(100));
        var engine = App.Services.GetRequiredService<TradeEngine>();
        Assert.That((engine.Listening, engine.Live, engine.FullLoads), Is.EqualTo((false, 0, 0L)), "Trading:Engine=false: no engine on this instance");
    }

    [Test]
    public async Task Several_fills_of_one_account_in_one_batch_add_up_and_only_the_first_and_last_fill_of_an_order_are_told()
    {
        var account = (await Scenario.AccountsAsync(1, 50_000m))[0];
        var orders = await Scenario.PlaceAsync(
            new Order(account.Id, Ticker, OrderSide.Buy, OrderType.Limit, 30, Limit: 325m),
            new Order(account.Id, Ticker, OrderSide.Buy, OrderType.Market, 20, ReservationPrice: 352m),
            new Order(account.Id, Ticker, OrderSide.Buy, OrderType.Limit, 10, Limit: 330m));

        var batch = await Claims.FillAsync([Fill(orders[0], 0, 10, 320m), Fill(orders[1], 0, 20, 321m), Fill(orders[2], 0, 10, 319m)], "engine", CancellationToken.None);
        Assert.That(batch.Fills, Is.EqualTo(3));
        Assert.That(await Scenario.ReconcileAsync(), Is.Empty);

        Assert.That((await Claims.FillAsync([Fill(orders[0], 0, 10, 320m)], "engine", CancellationToken.None)).Fills, Is.Zero, "a stale expected quantity");
        Assert.That((await Claims.FillAsync([Fill(orders[0], 10, 10, 318m)], "engine", CancellationToken.None)).Fills, Is.EqualTo(1));
        Assert.That((await Claims.FillAsync([Fill(orders[0], 20, 10, 317m)], "engine", CancellationToken.None)).Fills, Is.EqualTo(1));
        Assert.That((await Claims.FillAsync([Fill(orders[0], 30, 1, 317m)], "engine", CancellationToken.None)).Fills, Is.Zero, "never more than the quantity");

        var rows = await Scenario.OrdersAsync(orders);
        Assert.That(rows.Select(r => r.State), Is.All.EqualTo(OrderState.Filled));
        Assert.That(rows[0].FilledAmount, Is.EqualTo(10 * 320m + 10 * 318m + 10 * 317m));
        Assert.That(await Scenario.ReconcileAsync(), Is.Empty);
        var told = await App.WithDbAsync(db => db.Set<InAppNotification>().CountAsync(n => n.UserId == account.UserId));
        Assert.That(told, Is.EqualTo(4), "order 1: its first partial fill and its last; orders 2 and 3: one fill each");
        var fillEvents = await App.WithDbAsync(db => db.Set<PaperOrderEvent>().CountAsync(e => e.OrderId == orders[0] && e.Kind == OrderEventKind.Fill));
        Assert.That(fillEvents, Is.EqualTo(3));
        Assert.That(await App.WithDbAsync(db => db.Set<PaperPosition>().Where(p => p.AccountId == account.Id).SumAsync(p => p.Quantity)), Is.EqualTo(60));
    }

    [Test]
    public async Task A_buy_that_cannot_be_paid_is_left_out_without_failing_the_batch_and_its_rejection_releases_the_reservation()
    {
        var accounts = await Scenario.AccountsAsync(2, 10_000m);
        var (poor, other) = (accounts[0], accounts[1]);
        // Reserved at 300 (an earlier day's upper threshold) but reached at 320: the cost exceeds the reservation, and the
        // account has no free cash left.
        var orders = await Scenario.PlaceAsync(
            new Order(poor.Id, Ticker, OrderSide.Buy, OrderType.Stop, 30, Stop: 310m, ReservationPrice: 300m),
            new Order(poor.Id, Ticker, OrderSide.Buy, OrderType.Limit, 1, Limit: 321m),
            new Order(other.Id, Ticker, OrderSide.Buy, OrderType.Limit, 10, Limit: 321m));
        // Its free cash gone (as if withdrawn: the start moves with it, so the reconciliation still holds).
        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            "UPDATE paper_accounts SET cash = 0, starting_cash = starting_cash - cash WHERE id = {0}", poor.Id));

        var result = await Claims.FillAsync([Fill(orders[0], 0, 30, 320m, triggers: true), Fill(orders[2], 0, 10, 320m)], "engine", CancellationToken.None);

        Assert.That(result.Fills, Is.EqualTo(1), "the other account's fill went through");
        Assert.That(result.ShortOfCash, Is.EqualTo(new[] { orders[0] }));
        var rows = await Scenario.OrdersAsync(orders);
        Assert.That(rows[0].State, Is.EqualTo(OrderState.Open), "not claimed: not even triggered");
        Assert.That(rows[0].Triggered, Is.False);
        Assert.That(rows[2].State, Is.EqualTo(OrderState.Filled));

        var rejected = await Claims.RejectAsync(result.ShortOfCash, TradeClaims.NotEnoughCash.Key, CancellationToken.None);
        Assert.That(rejected, Is.EqualTo(new[] { orders[0] }));
        Assert.That(await Claims.RejectAsync(result.ShortOfCash, TradeClaims.NotEnoughCash.Key, CancellationToken.None), Is.Empty, "only a live order is rejected");
        rows = await Scenario.OrdersAsync(orders);
        Assert.That(rows[0].State, Is.EqualTo(OrderState.Rejected));
        Assert.That(rows[0].RejectReason, Is.EqualTo("Not enough cash when the order filled."));
        Assert.That(rows[0].Reserved, Is.Zero);
        Assert.That(rows[1].State, Is.EqualTo(OrderState.Open), "the account's other order is untouched");
        Assert.That(await Scenario.ReconcileAsync(), Is.Empty, "the released reservation is free cash again");
        var cash = await App.WithDbAsync(db => db.Set<PaperAccount>().Where(a => a.Id == poor.Id).Select(a => a.Cash).SingleAsync());
        Assert.That(cash, Is.EqualTo(30 * 300m + Fees.TradeFees(30 * 300m, false)));
        var notice = await App.WithDbAsync(db => db.Set<InAppNotification>().Where(n => n.UserId == poor.UserId).ToListAsync());
        Assert.That(notice, Has.Count.EqualTo(1), "the rejection is told");
        var reasons = await App.WithDbAsync(db => db.Set<PaperOrderEvent>().Where(e => e.OrderId == orders[0] && e.Kind == OrderEventKind.Rejected).Select(e => e.Reason).ToListAsync());
        Assert.That(reasons, Is.EqualTo(new[] { "Not enough cash when the order filled." }));
    }

    [Test]
    public async Task An_unaffordable_buy_does_not_hold_back_the_accounts_other_buys_in_the_batch()
    {
        var poor = (await Scenario.AccountsAsync(1, 10_000m))[0];
        var orders = await Scenario.PlaceAsync(
            new Order(poor.Id, Ticker, OrderSide.Buy, OrderType.Stop, 30, Stop: 310m, ReservationPrice: 300m),
            new Order(poor.Id, Ticker, OrderSide.Buy, OrderType.Limit, 1, Limit: 321m));
        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            "UPDATE paper_accounts SET cash = 0, starting_cash = starting_cash - cash WHERE id = {0}", poor.Id));

        var result = await Claims.FillAsync([Fill(orders[0], 0, 30, 320m, triggers: true), Fill(orders[1], 0, 1, 320m)], "engine", CancellationToken.None);

        Assert.That(result.ShortOfCash, Is.EqualTo(new[] { orders[0] }), "the stop reserved at 300 cannot be paid at 320");
        Assert.That(result.Fills, Is.EqualTo(1), "the limit buy, paid from its own reservation, fills");
        Assert.That((await Scenario.OrdersAsync([orders[1]]))[0].State, Is.EqualTo(OrderState.Filled));
        Assert.That(await Scenario.ReconcileAsync(), Is.Empty);
    }

    [Test]
    public async Task Partial_fills_at_the_limit_need_no_free_cash_whatever_the_fee_rounding()
    {
        var account = (await Scenario.AccountsAsync(1, 10_000m))[0];
        // 3 at 320 reserve 960 + 7.39 of fees; 2 of them cost 640 + 4.93, more than two thirds of the reservation (644.9267).
        var order = (await Scenario.PlaceAsync(new Order(account.Id, Ticker, OrderSide.Buy, OrderType.Limit, 3, Limit: 320m)))[0];
        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            "UPDATE paper_accounts SET cash = 0, starting_cash = starting_cash - cash WHERE id = {0}", account.Id));

        var first = await Claims.FillAsync([Fill(order, 0, 2, 320m)], "engine", CancellationToken.None);
        Assert.That(first.ShortOfCash, Is.Empty);
        Assert.That(first.Fills, Is.EqualTo(1), "the partial fill at the limit is paid from the reservation");
        var last = await Claims.FillAsync([Fill(order, 2, 1, 320m)], "engine", CancellationToken.None);
        Assert.That(last.Fills, Is.EqualTo(1));
        var row = (await Scenario.OrdersAsync([order]))[0];
        Assert.That(row.State, Is.EqualTo(OrderState.Filled));
        Assert.That(row.Reserved, Is.Zero);
        Assert.That(await Scenario.ReconcileAsync(), Is.Empty);
        var cash = await App.WithDbAsync(db => db.Set<PaperAccount>().Where(a => a.Id == account.Id).Select(a => a.Cash).SingleAsync());
        Assert.That(cash, Is.Zero);
    }

    [Test]
    public async Task A_trade_from_before_an_order_was_entered_neither_activates_nor_fills_it()
    {
        var account = (await Scenario.AccountsAsync(1, 100_000m))[0];
        var orders = await Scenario.PlaceAsync(
            new Order(account.Id, Ticker, OrderSide.Buy, OrderType.Market, 10, ReservationPrice: 352m, State: OrderState.Pending),
            new Order(account.Id, Ticker, OrderSide.Buy, OrderType.Market, 10, ReservationPrice: 352m));
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1);

        var stale = await Claims.FillAsync([Fill(orders[0], 0, 10, 320m, activates: true, at: yesterday), Fill(orders[1], 0, 10, 320m, at: yesterday)],
            "sweep", CancellationToken.None);

        Assert.That(stale.Orders, Is.Empty, "yesterday's last quote is older than both orders");
        var rows = await Scenario.OrdersAsync(orders);
        Assert.That(rows.Select(r => r.State), Is.EqualTo(new[] { OrderState.Pending, OrderState.Open }));
        Assert.That(rows.Select(r => r.Filled), Is.All.Zero);
        var fresh = await Claims.FillAsync([Fill(orders[0], 0, 10, 320m, activates: true), Fill(orders[1], 0, 10, 320m)], "sweep", CancellationToken.None);
        Assert.That(fresh.Fills, Is.EqualTo(2), "a trade after their entry fills them");
    }

    [Test]
    public async Task A_sell_takes_the_held_shares_and_pays_the_proceeds_less_fees()
    {
        var account = (await Scenario.AccountsAsync(1, 1_000m))[0];
        await Scenario.HoldAsync(account.Id, Ticker, 50, 300m);
        var order = (await Scenario.PlaceAsync(new Order(account.Id, Ticker, OrderSide.Sell, OrderType.Limit, 40, Limit: 319m)))[0];

        Assert.That((await Claims.FillAsync([Fill(order, 0, 40, 318m)], "engine", CancellationToken.None)).Fills, Is.Zero, "below a sell's limit");
        Assert.That((await Claims.FillAsync([Fill(order, 0, 25, 320m)], "engine", CancellationToken.None)).Fills, Is.EqualTo(1));

        var position = await App.WithDbAsync(db => db.Set<PaperPosition>().AsNoTracking().SingleAsync(p => p.AccountId == account.Id));
        Assert.That(position.Quantity, Is.EqualTo(25));
        Assert.That(position.Reserved, Is.EqualTo(15), "the rest of the sell is still held back");
        var cash = await App.WithDbAsync(db => db.Set<PaperAccount>().Where(a => a.Id == account.Id).Select(a => a.Cash).SingleAsync());
        Assert.That(cash, Is.EqualTo(1_000m + 25 * 320m - Fees.TradeFees(25 * 320m, false)));
        Assert.That((await Scenario.OrdersAsync([order]))[0].State, Is.EqualTo(OrderState.PartiallyFilled));
        Assert.That(await Scenario.ReconcileAsync(), Is.Empty);
    }

    [Test]
    public async Task A_stop_limit_triggered_beyond_its_limit_is_triggered_once_without_a_fill_and_a_pending_order_is_activated_once()
    {
        var account = (await Scenario.AccountsAsync(1, 100_000m))[0];
        var orders = await Scenario.PlaceAsync(
            new Order(account.Id, Ticker, OrderSide.Buy, OrderType.StopLimit, 10, Limit: 322m, Stop: 321m),
            new Order(account.Id, Ticker, OrderSide.Buy, OrderType.Limit, 10, Limit: 300m, State: OrderState.Pending));

        Assert.That((await Claims.FillAsync([Fill(orders[0], 0, 10, 323m, triggers: false)], "engine", CancellationToken.None)).Fills, Is.Zero,
            "a stop does not fill before it is triggered");
        var trigger = await Claims.FillAsync([Fill(orders[0], 0, 0, 323m, triggers: true)], "engine", CancellationToken.None);
        Assert.That(trigger.Orders, Is.EqualTo(new[] { orders[0] }));
        Assert.That((await Claims.FillAsync([Fill(orders[0], 0, 0, 324m, triggers: true)], "engine", CancellationToken.None)).Orders, Is.Empty,
            "triggered once");
        Assert.That((await Claims.FillAsync([Fill(orders[1], 0, 10, 299m)], "engine", CancellationToken.None)).Fills, Is.Zero,
            "a pending order fills only with its activation");
        Assert.That(await Claims.ActivateAsync([orders[1]], DateTimeOffset.UtcNow, ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow), CancellationToken.None),
            Is.EqualTo(new[] { orders[1] }));
        Assert.That(await Claims.ActivateAsync([orders[1]], DateTimeOffset.UtcNow, ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow), CancellationToken.None),
            Is.Empty);
        Assert.That((await Claims.FillAsync([Fill(orders[0], 0, 10, 321.5m)], "engine", CancellationToken.None)).Fills, Is.EqualTo(1),
            "triggered, it is a limit order");

        var rows = await Scenario.OrdersAsync(orders);
        Assert.That(rows[0].Triggered, Is.True);
        Assert.That(rows[0].State, Is.EqualTo(OrderState.Filled));
        Assert.That(rows[1].State, Is.EqualTo(OrderState.Open));
        var events = await Scenario.EventsAsync(orders);
        Assert.That(events[orders[0]], Is.EqualTo(new[] { OrderEventKind.Triggered, OrderEventKind.Fill }));
        Assert.That(events[orders[1]], Is.EqualTo(new[] { OrderEventKind.Activated }));
        var activated = await App.WithDbAsync(db => db.Set<PaperOrder>().AsNoTracking().SingleAsync(o => o.Id == orders[1]));
        Assert.That(activated.ActiveSince, Is.Not.Null);
        Assert.That(activated.VolumeDate, Is.EqualTo(ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow)));
        Assert.That(activated.VolumeBase, Is.Zero);
        Assert.That(await Scenario.ReconcileAsync(), Is.Empty);
    }
}
