using MarketWatch.Tests.Features.Accounts;
using MarketWatch.Tests.Features.Alerts;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Trading;
using MarketWatch.Web.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>What the order-entry tests share: a user with an account, the services, the day's band of a stock.</summary>
public abstract class OrderEntryTest : AppTest
{
    protected async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> use)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider);
    }

    protected Task<Outcome<PaperOrder>> PlaceAsync(string user, int account, OrderInput input) =>
        WithAsync(s => s.GetRequiredService<OrderEntry>().PlaceAsync(user, account, input, default));

    protected async Task<(string User, int Account)> AccountAsync(decimal cash = 100_000m)
    {
        var user = (await AlertTesting.UserAsync(this, App, Client, "paper")).Id;
        var opened = await WithAsync(s => s.GetRequiredService<PaperAccounts>().OpenAsync(user, new PaperAccountInput("Entry", cash), default));
        Assert.That(opened.Error, Is.Null);
        return (user, opened.Value!.Id);
    }

    protected Task<OrderCheck> MarketAsync(string user, int account, string ticker = "ATW") =>
        WithAsync(async s => (await s.GetRequiredService<OrderEntry>().CheckAsync(user, account,
            new OrderInput(ticker, OrderSide.Buy, OrderType.Market, 1, null, null, null, null), default)).Value!);

    protected Task<PaperAccount> AccountRowAsync(int id) => App.WithDbAsync(db => db.Set<PaperAccount>().AsNoTracking().SingleAsync(a => a.Id == id));

    protected Task<PaperOrder> OrderRowAsync(long id) => App.WithDbAsync(db => db.Set<PaperOrder>().AsNoTracking().SingleAsync(o => o.Id == id));

    /// <summary>Shares held in the account, as fills would have left them (the position row only: entry reads nothing else).</summary>
    protected Task HoldAsync(int account, string ticker, long quantity) => App.WithDbAsync(async db =>
    {
        var instrument = await db.Set<Instrument>().SingleAsync(i => i.Ticker == ticker);
        db.Add(new PaperPosition { AccountId = account, InstrumentId = instrument.Id, Quantity = quantity });
        return await db.SaveChangesAsync();
    });

    protected static decimal Fees(decimal amount) => FeeSchedule.Defaults.TradeFees(amount, false);
}

/// <summary>Order entry in continuous trading (demo mode): every rule at entry, reservations, modify and cancel.</summary>
public sealed class OrderEntryTests : OrderEntryTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Simulated:DemoMode"] = "true",
        ["Trading:MaxOpenOrdersPerAccount"] = "3",
        ["Trading:MaxOrderQuantity"] = "1000000",
    };

    [OneTimeSetUp]
    public Task QuoteAsync() => Ticks.WriteAsync(App, ("ATW", 600m), ("IAM", 100m));

    [Test]
    public async Task A_market_buy_is_open_and_holds_the_amount_at_the_upper_threshold_plus_fees_until_cancelled()
    {
        var (user, account) = await AccountAsync();
        var band = (await MarketAsync(user, account)).Band;
        var placed = await PlaceAsync(user, account, new OrderInput("atw", OrderSide.Buy, OrderType.Market, 10, 999m, 999m, null, null));
        Assert.That(placed.Error, Is.Null, placed.Error?.Message.ToString());
        var order = await OrderRowAsync(placed.Value!.Id);
        var held = 10 * band.High + Fees(10 * band.High);
        Assert.Multiple(() =>
        {
            Assert.That(order.State, Is.EqualTo(OrderState.Open));
            Assert.That(order.ActiveSince, Is.Not.Null);
            Assert.That(order.VolumeDate, Is.Not.Null);
            Assert.That(order.LimitPrice, Is.Null, "a market order ignores a limit");
            Assert.That(order.StopPrice, Is.Null);
            Assert.That(order.Validity, Is.EqualTo(OrderValidity.Day));
            Assert.That(order.ReservationPrice, Is.EqualTo(band.High));
            Assert.That(order.ReservedCash, Is.EqualTo(held));
        });
        var row = await AccountRowAsync(account);
        Assert.That((row.Cash, row.ReservedCash), Is.EqualTo((100_000m - held, held)));
        var events = await App.WithDbAsync(db => db.Set<PaperOrderEvent>().Where(e => e.OrderId == order.Id).OrderBy(e => e.Id).ToListAsync());
        Assert.That(events.Select(e => (e.Kind, e.State)), Is.EqualTo(new[] { (OrderEventKind.Entered, OrderState.Open) }));

        var cancelled = await WithAsync(s => s.GetRequiredService<OrderEntry>().CancelAsync(user, order.Id, default));
        Assert.That(cancelled.Value!.State, Is.EqualTo(OrderState.Cancelled));
        Assert.That(cancelled.Value.CancelReason, Is.EqualTo(CancelReason.User));
        row = await AccountRowAsync(account);
        Assert.That((row.Cash, row.ReservedCash), Is.EqualTo((100_000m, 0m)));
        var again = await WithAsync(s => s.GetRequiredService<OrderEntry>().CancelAsync(user, order.Id, default));
        Assert.That(again.Error!.Message.ToString(), Does.Contain("no longer open"));
        events = await App.WithDbAsync(db => db.Set<PaperOrderEvent>().Where(e => e.OrderId == order.Id).OrderBy(e => e.Id).ToListAsync());
        Assert.That(events.Select(e => (e.Kind, e.State, e.Reason)), Is.EqualTo(new[]
        {
            (OrderEventKind.Entered, OrderState.Open, (string?)null),
            (OrderEventKind.Cancelled, OrderState.Cancelled, OrderCancellation.ReasonKey(CancelReason.User)),
        }));
    }

    [Test]
    public async Task Each_rule_at_entry_is_refused_on_its_field_with_its_own_message()
    {
        var (user, account) = await AccountAsync(10_000m);
        var band = (await MarketAsync(user, account)).Band;
        var today = ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow);
        await App.WithDbAsync(db => db.Set<Instrument>().Where(i => i.Ticker == "IAM").ExecuteUpdateAsync(u => u.SetProperty(i => i.IsActive, false)));
        try
        {
            var cases = new (OrderInput Input, string Field, string Message)[]
            {
                (new(null, OrderSide.Buy, OrderType.Market, 1, null, null, null, null), "Ticker", "Enter the ticker"),
                (new("NOPE", OrderSide.Buy, OrderType.Market, 1, null, null, null, null), "Ticker", "No listed stock has the ticker NOPE"),
                (new("IAM", OrderSide.Buy, OrderType.Market, 1, null, null, null, null), "Ticker", "IAM is not traded any more"),
                (new("ATW", null, OrderType.Market, 1, null, null, null, null), "Side", "Choose buy or sell"),
                (new("ATW", (OrderSide)7, OrderType.Market, 1, null, null, null, null), "Side", "Choose buy or sell"),
                (new("ATW", OrderSide.Buy, null, 1, null, null, null, null), "Type", "Choose the order type"),
                (new("ATW", OrderSide.Buy, OrderType.Market, null, null, null, null, null), "Quantity", "Enter the number of shares"),
                (new("ATW", OrderSide.Buy, OrderType.Market, 0, null, null, null, null), "Quantity", "whole number of shares, at least 1"),
                (new("ATW", OrderSide.Buy, OrderType.Market, -5, null, null, null, null), "Quantity", "whole number of shares, at least 1"),
                (new("ATW", OrderSide.Buy, OrderType.Market, 1_000_001, null, null, null, null), "Quantity", "at most 1,000,000 shares"),
                (new("ATW", OrderSide.Buy, OrderType.Limit, 1, null, null, null, null), "LimitPrice", "A limit order needs a limit price"),
                (new("ATW", OrderSide.Buy, OrderType.Limit, 1, -1m, null, null, null), "LimitPrice", "Enter a price above 0 MAD"),
                (new("ATW", OrderSide.Buy, OrderType.Limit, 1, band.Low + 0.05m, null, null, null), "LimitPrice",
                    $"Prices from 100.00 MAD move in steps of 0.10 MAD: try {band.Low:#,0.00##} or {band.Low + 0.1m:#,0.00##}"),
                (new("ATW", OrderSide.Buy, OrderType.Limit, 1, band.High + 0.1m, null, null, null), "LimitPrice",
                    $"within today's thresholds, from {band.Low:#,0.00} to {band.High:#,0.00} MAD"),
                (new("ATW", OrderSide.Buy, OrderType.Limit, 1, band.Low - 0.1m, null, null, null), "LimitPrice", "within today's thresholds"),
                (new("ATW", OrderSide.Buy, OrderType.Stop, 1, null, null, null, null), "StopPrice", "A stop order needs a stop price"),
                (new("ATW", OrderSide.Buy, OrderType.Stop, 1, null, band.High + 0.03m, null, null), "StopPrice", "move in steps of 0.10 MAD"),
                (new("ATW", OrderSide.Buy, OrderType.StopLimit, 1, band.High - 1m, band.High, null, null), "LimitPrice", "A buy stop-limit's limit must be at or above its stop"),
                (new("ATW", OrderSide.Sell, OrderType.StopLimit, 1, band.Low + 1m, band.Low, null, null), "LimitPrice", "A sell stop-limit's limit must be at or below its stop"),
                (new("ATW", OrderSide.Buy, OrderType.Market, 1, null, null, (OrderValidity)9, null), "Validity", "Choose the validity"),
                (new("ATW", OrderSide.Buy, OrderType.Market, 1, null, null, OrderValidity.GoodTillDate, null), "ExpiresOn", "Choose the date the order lasts until"),
                (new("ATW", OrderSide.Buy, OrderType.Market, 1, null, null, OrderValidity.GoodTillDate, today), "ExpiresOn", "Choose a date after today"),
                (new("ATW", OrderSide.Buy, OrderType.Market, 1, null, null, OrderValidity.GoodTillDate, today.AddDays(91)), "ExpiresOn", "at most 90 days ahead"),
                (new("ATW", OrderSide.Buy, OrderType.Market, 1, null, null, OrderValidity.Day, today.AddDays(3)), "ExpiresOn", "Only a good-till-date order takes an end date"),
                (new("ATW", OrderSide.Buy, OrderType.Market, 100, null, null, null, null), "Quantity", "MAD is available"),
                (new("ATW", OrderSide.Sell, OrderType.Market, 1, null, null, null, null), "Quantity", "You have 0 shares of ATW available to sell"),
            };
            foreach (var (input, field, message) in cases)
            {
                var placed = await PlaceAsync(user, account, input);
                Assert.That(placed.Error?.Field, Is.EqualTo(field), $"{input}: {placed.Error?.Message}");
                Assert.That(placed.Error!.Message.ToString(), Does.Contain(message), input.ToString());
                Assert.That(placed.Error.LimitReached, Is.False);
                var checkedOnly = await WithAsync(s => s.GetRequiredService<OrderEntry>().CheckAsync(user, account, input, default));
                Assert.That(checkedOnly.Error?.Field, Is.EqualTo(field), "the ticket's check agrees: " + input);
            }
        }
        finally
        {
            await App.WithDbAsync(db => db.Set<Instrument>().Where(i => i.Ticker == "IAM").ExecuteUpdateAsync(u => u.SetProperty(i => i.IsActive, true)));
        }
        Assert.That(await App.WithDbAsync(db => db.Set<PaperOrder>().CountAsync(o => o.AccountId == account)), Is.Zero, "nothing refused is saved");
        var row = await AccountRowAsync(account);
        Assert.That((row.Cash, row.ReservedCash), Is.EqualTo((10_000m, 0m)));
    }

    [Test]
    public async Task What_the_rules_accept()
    {
        var (user, account) = await AccountAsync();
        var band = (await MarketAsync(user, account)).Band;
        var today = ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow);
        await HoldAsync(account, "ATW", 10);
        var accepted = new OrderInput[]
        {
            new("ATW", OrderSide.Buy, OrderType.Limit, 1, band.Low, null, OrderValidity.GoodTillDate, today.AddDays(90)),
            new("ATW", OrderSide.Buy, OrderType.StopLimit, 1, band.High, band.High, OrderValidity.GoodTillCancelled, null),
            new("ATW", OrderSide.Sell, OrderType.Stop, 10, null, band.Low + 0.1m, null, null),
        };
        foreach (var input in accepted)
        {
            var placed = await PlaceAsync(user, account, input);
            Assert.That(placed.Error, Is.Null, $"{input}: {placed.Error?.Message}");
        }
        var gtd = await App.WithDbAsync(db => db.Set<PaperOrder>().Where(o => o.AccountId == account && o.Validity == OrderValidity.GoodTillDate).SingleAsync());
        Assert.That(gtd.ExpiresOn, Is.EqualTo(today.AddDays(90)));
        Assert.That(ExchangeCalendar.ExchangeDate(gtd.ExpiresAt), Is.LessThanOrEqualTo(today.AddDays(90)));
    }

    [Test]
    public async Task The_open_order_cap_is_a_limit_per_account()
    {
        var (user, account) = await AccountAsync();
        var band = (await MarketAsync(user, account)).Band;
        var input = new OrderInput("ATW", OrderSide.Buy, OrderType.Limit, 1, band.Low, null, OrderValidity.GoodTillCancelled, null);
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await PlaceAsync(user, account, input)).Error, Is.Null);
        }
        var refused = await PlaceAsync(user, account, input);
        Assert.That(refused.Error!.LimitReached, Is.True);
        Assert.That(refused.Error.Message.ToString(), Does.Contain("at most 3 open orders"));
    }

    [Test]
    public async Task A_sell_holds_the_shares_and_only_the_shares_not_already_offered_can_be_sold()
    {
        var (user, account) = await AccountAsync();
        await HoldAsync(account, "ATW", 100);
        var first = await PlaceAsync(user, account, new OrderInput("ATW", OrderSide.Sell, OrderType.Market, 60, null, null, null, null));
        Assert.That(first.Error, Is.Null);
        var second = await PlaceAsync(user, account, new OrderInput("ATW", OrderSide.Sell, OrderType.Market, 50, null, null, null, null));
        Assert.That(second.Error!.Message.ToString(), Does.Contain("You have 40 shares of ATW available to sell"));
        var reserved = () => App.WithDbAsync(db => db.Set<PaperPosition>().Where(p => p.AccountId == account).Select(p => p.Reserved).SingleAsync());
        Assert.That(await reserved(), Is.EqualTo(60));
        var row = await AccountRowAsync(account);
        Assert.That(row.ReservedCash, Is.Zero, "a sell holds no cash");

        var more = await WithAsync(s => s.GetRequiredService<OrderEntry>().ModifyAsync(user, first.Value!.Id, new OrderChange(90, null, null), default));
        Assert.That(more.Error, Is.Null);
        Assert.That(await reserved(), Is.EqualTo(90));
        var tooMany = await WithAsync(s => s.GetRequiredService<OrderEntry>().ModifyAsync(user, first.Value!.Id, new OrderChange(101, null, null), default));
        Assert.That(tooMany.Error!.Message.ToString(), Does.Contain("You have 100 shares of ATW available to sell"));
        await WithAsync(s => s.GetRequiredService<OrderEntry>().CancelAsync(user, first.Value!.Id, default));
        Assert.That(await reserved(), Is.Zero);
    }

    [Test]
    public async Task Modifying_a_buy_moves_its_reservation_and_keeps_what_filled()
    {
        var (user, account) = await AccountAsync(20_000m);
        var band = (await MarketAsync(user, account)).Band;
        var placed = await PlaceAsync(user, account, new OrderInput("ATW", OrderSide.Buy, OrderType.Limit, 10, band.Low, null, OrderValidity.GoodTillCancelled, null));
        var id = placed.Value!.Id;
        var entry = (IServiceProvider s) => s.GetRequiredService<OrderEntry>();

        var bigger = await WithAsync(s => entry(s).ModifyAsync(user, id, new OrderChange(20, band.Low + 0.1m, null), default));
        Assert.That(bigger.Error, Is.Null, bigger.Error?.Message.ToString());
        var order = await OrderRowAsync(id);
        var held = 20 * (band.Low + 0.1m) + Fees(20 * (band.Low + 0.1m));
        Assert.That((order.Quantity, order.LimitPrice, order.ReservedCash), Is.EqualTo((20L, (decimal?)(band.Low + 0.1m), held)));
        var row = await AccountRowAsync(account);
        Assert.That((row.Cash, row.ReservedCash), Is.EqualTo((20_000m - held, held)));

        var unaffordable = await WithAsync(s => entry(s).ModifyAsync(user, id, new OrderChange(1000, null, null), default));
        Assert.That(unaffordable.Error!.Field, Is.EqualTo("Quantity"));
        Assert.That(unaffordable.Error.Message.ToString(), Does.Contain($"{20_000m:#,0.00} MAD is available"), "the order's own reservation counts as available");
        var offGrid = await WithAsync(s => entry(s).ModifyAsync(user, id, new OrderChange(null, band.Low + 0.01m, null), default));
        Assert.That(offGrid.Error!.Field, Is.EqualTo("LimitPrice"));
        var outside = await WithAsync(s => entry(s).ModifyAsync(user, id, new OrderChange(null, band.High + 10m, null), default));
        Assert.That(outside.Error!.Message.ToString(), Does.Contain("thresholds"));

        // Five shares filled (as the engine would leave it): the quantity cannot go to or below them.
        await App.WithDbAsync(db => db.Set<PaperOrder>().Where(o => o.Id == id).ExecuteUpdateAsync(u => u.SetProperty(o => o.FilledQuantity, 5L).SetProperty(o => o.State, OrderState.PartiallyFilled)));
        var belowFilled = await WithAsync(s => entry(s).ModifyAsync(user, id, new OrderChange(5, null, null), default));
        Assert.That(belowFilled.Error!.Message.ToString(), Does.Contain("more than the 5 shares already filled"));
        var smaller = await WithAsync(s => entry(s).ModifyAsync(user, id, new OrderChange(8, band.Low, null), default));
        Assert.That(smaller.Error, Is.Null);
        order = await OrderRowAsync(id);
        var remainingHeld = 3 * band.Low + Fees(3 * band.Low);
        Assert.That(order.ReservedCash, Is.EqualTo(remainingHeld), "the remaining 3 shares are held");
        row = await AccountRowAsync(account);
        Assert.That((row.Cash, row.ReservedCash), Is.EqualTo((20_000m - remainingHeld, remainingHeld)));
        var events = await App.WithDbAsync(db => db.Set<PaperOrderEvent>().Where(e => e.OrderId == id).OrderBy(e => e.Id).Select(e => e.Kind).ToListAsync());
        Assert.That(events, Is.EqualTo(new[] { OrderEventKind.Entered, OrderEventKind.Modified, OrderEventKind.Modified }));

        await WithAsync(s => entry(s).CancelAsync(user, id, default));
        var done = await WithAsync(s => entry(s).ModifyAsync(user, id, new OrderChange(9, null, null), default));
        Assert.That(done.Error!.Message.ToString(), Does.Contain("no longer open"));
        row = await AccountRowAsync(account);
        Assert.That((row.Cash, row.ReservedCash), Is.EqualTo((20_000m, 0m)));
    }

    [Test]
    public async Task The_check_estimates_the_order_and_says_what_is_available()
    {
        var (user, account) = await AccountAsync();
        await HoldAsync(account, "ATW", 7);
        var band = (await MarketAsync(user, account)).Band;
        var check = await WithAsync(s => s.GetRequiredService<OrderEntry>().CheckAsync(user, account,
            new OrderInput("ATW", OrderSide.Buy, OrderType.Limit, 10, band.Low, null, null, null), default));
        var amount = 10 * band.Low;
        Assert.Multiple(() =>
        {
            Assert.That(check.Value!.Ticker, Is.EqualTo("ATW"));
            Assert.That(check.Value.Tick, Is.EqualTo(0.1m));
            Assert.That(check.Value.EstimatedPrice, Is.EqualTo(band.Low));
            Assert.That((check.Value.Amount, check.Value.Fees, check.Value.Total), Is.EqualTo((amount, Fees(amount), amount + Fees(amount))));
            Assert.That(check.Value.AvailableCash, Is.EqualTo(100_000m));
            Assert.That(check.Value.AvailableShares, Is.EqualTo(7));
            Assert.That(check.Value.WaitsForSession, Is.False);
            Assert.That(check.Value.Band.Low, Is.LessThan(check.Value.Reference));
        });
        var sell = await WithAsync(s => s.GetRequiredService<OrderEntry>().CheckAsync(user, account,
            new OrderInput("ATW", OrderSide.Sell, OrderType.Market, 7, null, null, null, null), default));
        Assert.That(sell.Value!.Total, Is.EqualTo(sell.Value.Amount - sell.Value.Fees));
        Assert.That(await App.WithDbAsync(db => db.Set<PaperOrder>().CountAsync(o => o.AccountId == account)), Is.Zero);
    }

    [Test]
    public async Task Another_users_account_and_orders_are_not_found()
    {
        var (user, account) = await AccountAsync();
        var band = (await MarketAsync(user, account)).Band;
        var placed = await PlaceAsync(user, account, new OrderInput("ATW", OrderSide.Buy, OrderType.Limit, 1, band.Low, null, null, null));
        var other = (await AlertTesting.UserAsync(this, App, Client, "other")).Id;
        var input = new OrderInput("ATW", OrderSide.Buy, OrderType.Market, 1, null, null, null, null);
        Assert.Multiple(async () =>
        {
            Assert.That((await WithAsync(s => s.GetRequiredService<OrderEntry>().CheckAsync(other, account, input, default))).Found, Is.False);
            Assert.That((await PlaceAsync(other, account, input)).Found, Is.False);
            Assert.That((await WithAsync(s => s.GetRequiredService<OrderEntry>().ModifyAsync(other, placed.Value!.Id, new OrderChange(2, null, null), default))).Found, Is.False);
            Assert.That((await WithAsync(s => s.GetRequiredService<OrderEntry>().CancelAsync(other, placed.Value!.Id, default))).Found, Is.False);
            Assert.That(await WithAsync(s => s.GetRequiredService<OrderQueries>().OpenAsync(other, account, default)), Is.Null);
            Assert.That(await WithAsync(s => s.GetRequiredService<OrderQueries>().FindAsync(other, placed.Value!.Id, default)), Is.Null);
        });
        Assert.That((await OrderRowAsync(placed.Value!.Id)).State, Is.EqualTo(OrderState.Open));
    }
}

/// <summary>Outside a session (a Sunday, demo mode off): an order waits, Pending, for the next session.</summary>
public sealed class OrderEntryPendingTests : OrderEntryTest
{
    private readonly ShiftedClock _clock = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["MarketData:Simulated:DemoMode"] = "false" };

    protected override Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp =>
        builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));

    [Test]
    public async Task An_order_entered_on_a_sunday_is_pending_and_a_day_order_lives_until_the_next_sessions_close()
    {
        await Ticks.WriteAsync(App, ("ATW", 600m));
        var now = DateTimeOffset.UtcNow;
        var sunday = now.Date.AddDays(((int)DayOfWeek.Sunday - (int)now.DayOfWeek + 7) % 7 + 7).AddHours(12);
        _clock.Advance(new DateTimeOffset(sunday, TimeSpan.Zero) - now);
        var (user, account) = await AccountAsync();
        var check = await MarketAsync(user, account);
        Assert.That(check.WaitsForSession, Is.True);
        var placed = await PlaceAsync(user, account, new OrderInput("ATW", OrderSide.Buy, OrderType.Market, 1, null, null, OrderValidity.Day, null));
        Assert.That(placed.Error, Is.Null, placed.Error?.Message.ToString());
        var order = await OrderRowAsync(placed.Value!.Id);
        var calendar = await WithAsync(s => Task.FromResult(s.GetRequiredService<CalendarCache>().Current));
        var session = OrderSchedule.SessionDate(calendar, _clock.GetUtcNow());
        Assert.Multiple(() =>
        {
            Assert.That(order.State, Is.EqualTo(OrderState.Pending));
            Assert.That(order.ActiveSince, Is.Null);
            Assert.That(session.DayOfWeek, Is.Not.EqualTo(DayOfWeek.Sunday));
            Assert.That(order.ExpiresAt, Is.EqualTo(OrderSchedule.CloseOf(calendar, session)));
            Assert.That(order.ReservedCash, Is.GreaterThan(0m), "a pending buy holds its cash already");
        });
    }
}
