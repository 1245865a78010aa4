using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Trading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>Paper accounts and orders written straight to the database, as the sweep finds them.</summary>
internal static class SweepSeed
{
    /// <summary>PostgreSQL keeps microseconds: a time it stores unchanged compares equal when read back.</summary>
    public static DateTimeOffset Microseconds(DateTimeOffset time) => time.AddTicks(-(time.Ticks % 10));

    /// <summary>A paper account (its portfolio first) with this free cash and this much held by open buys.</summary>
    public static Task<int> AccountAsync(MarketWatchFactory app, string userId, decimal cash, decimal reserved) =>
        app.WithDbAsync(async db =>
        {
            var now = DateTimeOffset.UtcNow;
            var portfolio = new Portfolio { UserId = userId, Name = "Paper", Kind = PortfolioKind.Paper, CreatedAt = now };
            db.Add(portfolio);
            await db.SaveChangesAsync();
            db.Add(new PaperAccount
            {
                Id = portfolio.Id, UserId = userId, StartingCash = cash + reserved, Cash = cash, ReservedCash = reserved, RunStartedAt = now,
                CreatedAt = now, Channels = [Channel.InApp],
            });
            await db.SaveChangesAsync();
            return portfolio.Id;
        });

    public static PaperOrder Order(int accountId, string userId, int instrumentId, OrderSide side, OrderType type, long quantity, OrderState state,
        DateTimeOffset now, DateTimeOffset expiresAt, OrderValidity validity = OrderValidity.GoodTillCancelled) => new()
        {
            AccountId = accountId, UserId = userId, Run = 1, InstrumentId = instrumentId, Side = side, Type = type, Quantity = quantity,
            State = state, Validity = validity, ExpiresAt = expiresAt, CreatedAt = now, UpdatedAt = now,
            ActiveSince = state == OrderState.Pending ? null : now,
        };
}

/// <summary>
/// The minute sweep on its own (no engine, no Hangfire server: each test runs it): it activates pending orders when
/// their session trades, cancels orders at the close or at expiry and releases what they held, and catches up a fill
/// no engine made, exactly once.
/// </summary>
public sealed class SweepTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Trading:Engine"] = "false",
        ["Trading:ParticipationRate"] = "0.10",
        ["Jobs:Server"] = "false",
        ["MarketData:Simulated:DemoMode"] = "true",
    };

    private async Task<TradeSweepResult> SweepAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TradeSweep>().RunAsync(CancellationToken.None);
    }

    /// <summary>The sweep as it runs at <paramref name="now"/> with the real calendar (no demo mode: the market trades by its hours).</summary>
    private async Task<TradeSweepResult> SweepAtAsync(DateTimeOffset now)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var clock = new FixedClock(now);
        var market = new MarketStatusService(scope.ServiceProvider.GetRequiredService<CalendarCache>(),
            Options.Create(new MarketDataOptions { Provider = "Eodhd" }), clock);
        return await ActivatorUtilities.CreateInstance<TradeSweep>(scope.ServiceProvider, clock, market).RunAsync(CancellationToken.None);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private Task<int> InstrumentAsync(string ticker) => App.WithDbAsync(db => db.Instruments.Where(i => i.Ticker == ticker).Select(i => i.Id).SingleAsync());

    private Task<PaperOrder> OrderAsync(long id) => App.WithDbAsync(db => db.PaperOrders.AsNoTracking().SingleAsync(o => o.Id == id));

    private Task<List<PaperOrderEvent>> EventsAsync(long id) =>
        App.WithDbAsync(db => db.PaperOrderEvents.AsNoTracking().Where(e => e.OrderId == id).OrderBy(e => e.Id).ToListAsync());

    private Task<PaperAccount> AccountAsync(int id) => App.WithDbAsync(db => db.PaperAccounts.AsNoTracking().SingleAsync(a => a.Id == id));

    private Task<long> StoreAsync(PaperOrder order) => App.WithDbAsync(async db =>
    {
        db.Add(order);
        await db.SaveChangesAsync();
        return order.Id;
    });

    [Test]
    public async Task A_pending_order_waits_through_the_opening_auction_and_activates_when_continuous_trading_starts()
    {
        var user = await UserAsync(this, App, Client, "sweep");
        var account = await SweepSeed.AccountAsync(App, user.Id, cash: 100_000m, reserved: 0m);
        var now = DateTimeOffset.UtcNow;
        // The next regular trading day at least two days ahead (continuous trading 09:30–15:20, providers.md).
        var calendar = new ExchangeCalendar(CalendarSeed.IslamicHolidays, CalendarSeed.Ramadan);
        var day = ExchangeCalendar.ExchangeDate(now).AddDays(2);
        while (!calendar.IsTradingDay(day) || calendar.HoursOn(day) != SessionHours.Regular)
        {
            day = day.AddDays(1);
        }
        var id = await StoreAsync(SweepSeed.Order(account, user.Id, await InstrumentAsync("IAM"), OrderSide.Buy, OrderType.Market, 100, OrderState.Pending,
            now, OrderSchedule.CloseOf(calendar, day.AddDays(30)).ToUniversalTime()));

        var auction = await SweepAtAsync(ExchangeCalendar.At(day, new TimeOnly(9, 15)).ToUniversalTime());
        Assert.That(auction.Activated, Is.Zero, "the opening auction is not continuous trading");
        Assert.That((await OrderAsync(id)).State, Is.EqualTo(OrderState.Pending));

        var open = ExchangeCalendar.At(day, new TimeOnly(9, 31)).ToUniversalTime();
        var result = await SweepAtAsync(open);
        Assert.That(result.Activated, Is.GreaterThanOrEqualTo(1));
        var order = await OrderAsync(id);
        Assert.That((order.State, order.ActiveSince, order.VolumeDate, order.VolumeBase, order.FilledQuantity),
            Is.EqualTo((OrderState.Open, (DateTimeOffset?)open, (DateOnly?)day, 0L, 0L)), "active from then, its participation counted from the session's start");
        var events = await EventsAsync(id);
        Assert.That(events.Select(e => (e.Kind, e.State)), Is.EqualTo(new[] { (OrderEventKind.Activated, OrderState.Open) }));
        Assert.That(events[0].Time, Is.EqualTo(open));

        await SweepAtAsync(open.AddMinutes(1));
        Assert.That(await EventsAsync(id), Has.Count.EqualTo(1), "activated once");
    }

    [Test]
    public async Task A_day_order_is_cancelled_at_the_close_and_what_it_held_is_released()
    {
        var user = await UserAsync(this, App, Client, "sweep");
        var account = await SweepSeed.AccountAsync(App, user.Id, cash: 60_000m, reserved: 40_000m);
        var atw = await InstrumentAsync("ATW");
        var now = DateTimeOffset.UtcNow;
        var closed = SweepSeed.Order(account, user.Id, atw, OrderSide.Buy, OrderType.Limit, 50, OrderState.Open, now, now.AddSeconds(-1), OrderValidity.Day);
        closed.LimitPrice = 580m;
        closed.ReservationPrice = 580m;
        closed.ReservedCash = 30_000m;
        var later = SweepSeed.Order(account, user.Id, atw, OrderSide.Buy, OrderType.Limit, 10, OrderState.Open, now, now.AddHours(6), OrderValidity.Day);
        later.LimitPrice = 1m;
        later.ReservedCash = 10_000m;
        var closedId = await StoreAsync(closed);
        var laterId = await StoreAsync(later);

        var result = await SweepAsync();
        Assert.That(result.Closed, Is.GreaterThanOrEqualTo(1));
        var order = await OrderAsync(closedId);
        Assert.That((order.State, order.CancelReason, order.ReservedCash), Is.EqualTo((OrderState.Cancelled, (CancelReason?)CancelReason.Close, 0m)));
        var cancelled = (await EventsAsync(closedId)).Single();
        Assert.That((cancelled.Kind, cancelled.State, cancelled.Reason), Is.EqualTo((OrderEventKind.Cancelled, OrderState.Cancelled, OrderCancellation.ReasonKey(CancelReason.Close))));
        var cash = await AccountAsync(account);
        Assert.That((cash.Cash, cash.ReservedCash), Is.EqualTo((90_000m, 10_000m)), "the closed order's 30,000 back to free cash; the live one's still held");
        Assert.That((await OrderAsync(laterId)).State, Is.EqualTo(OrderState.Open), "not yet at its close");
    }

    [Test]
    public async Task Good_till_orders_expire_and_a_sell_s_shares_are_free_again()
    {
        var user = await UserAsync(this, App, Client, "sweep");
        var account = await SweepSeed.AccountAsync(App, user.Id, cash: 100_000m, reserved: 0m);
        var bcp = await InstrumentAsync("BCP");
        await App.WithDbAsync(async db =>
        {
            db.Add(new PaperPosition { AccountId = account, InstrumentId = bcp, Quantity = 300, Reserved = 200 });
            return await db.SaveChangesAsync();
        });
        var now = DateTimeOffset.UtcNow;
        var gtd = SweepSeed.Order(account, user.Id, bcp, OrderSide.Sell, OrderType.Limit, 120, OrderState.PartiallyFilled, now, now.AddSeconds(-1),
            OrderValidity.GoodTillDate);
        gtd.LimitPrice = 999m;
        gtd.FilledQuantity = 20;
        gtd.ExpiresOn = ExchangeCalendar.ExchangeDate(now);
        var gtc = SweepSeed.Order(account, user.Id, bcp, OrderSide.Sell, OrderType.Limit, 100, OrderState.Open, now, now.AddSeconds(-1));
        gtc.LimitPrice = 999m;
        var gtdId = await StoreAsync(gtd);
        var gtcId = await StoreAsync(gtc);

        var result = await SweepAsync();
        Assert.That(result.Expired, Is.GreaterThanOrEqualTo(2));
        foreach (var id in new[] { gtdId, gtcId })
        {
            var order = await OrderAsync(id);
            Assert.That((order.State, order.CancelReason), Is.EqualTo((OrderState.Cancelled, (CancelReason?)CancelReason.Expired)), $"order {id}");
            Assert.That((await EventsAsync(id)).Single().Reason, Is.EqualTo(OrderCancellation.ReasonKey(CancelReason.Expired)));
        }
        var position = await App.WithDbAsync(db => db.PaperPositions.AsNoTracking().SingleAsync(p => p.AccountId == account && p.InstrumentId == bcp));
        Assert.That((position.Quantity, position.Reserved), Is.EqualTo((300L, 0L)), "100 + 100 remaining shares no longer held");
    }

    [Test]
    public async Task A_fill_no_engine_made_is_caught_up_once_even_by_two_sweeps_at_once()
    {
        var user = await UserAsync(this, App, Client, "sweep");
        var account = await SweepSeed.AccountAsync(App, user.Id, cash: 65_000m, reserved: 35_000m);
        var cih = await InstrumentAsync("CIH");
        var now = SweepSeed.Microseconds(DateTimeOffset.UtcNow);
        var buy = SweepSeed.Order(account, user.Id, cih, OrderSide.Buy, OrderType.Market, 50, OrderState.Open, now.AddMinutes(-1), now.AddDays(1));
        buy.ReservationPrice = 700m;
        buy.ReservedCash = 35_000m;
        var id = await StoreAsync(buy);
        Assert.That(await SweepAsync() is { Filled: 0 }, Is.True, "no trade since the order became active");

        // One trade no engine saw: 100 shares traded since the order became active allow 10 (10% participation).
        var close = await App.WithDbAsync(db => db.DailyBars.Where(b => b.InstrumentId == cih).OrderByDescending(b => b.Date).Select(b => b.Close).FirstAsync());
        var time = await Ticks.WriteAsync(App, ("CIH", Math.Round(close, 2)));
        var quote = await App.WithDbAsync(db => db.Quotes.AsNoTracking().SingleAsync(q => q.InstrumentId == cih));
        Assert.That((quote.Time, quote.Volume), Is.EqualTo((time, 100L)));
        var results = await Task.WhenAll(SweepAsync(), SweepAsync());
        Assert.That(results.Sum(r => r.Filled), Is.EqualTo(1), "two sweeps, one fill");

        var order = await OrderAsync(id);
        Assert.That((order.State, order.FilledQuantity, order.FilledAmount), Is.EqualTo((OrderState.PartiallyFilled, 10L, 10 * quote.Last)));
        var fills = (await EventsAsync(id)).Where(e => e.Kind == OrderEventKind.Fill).ToList();
        Assert.That(fills.Select(f => (f.Quantity, f.Price, f.Time)), Is.EqualTo(new[] { ((long?)10L, (decimal?)quote.Last, time) }));
        var transactions = await App.WithDbAsync(db => db.Set<PortfolioTransaction>().AsNoTracking().Where(t => t.PortfolioId == account).ToListAsync());
        Assert.That(transactions.Select(t => (t.Type, t.Quantity)), Is.EqualTo(new[] { (TransactionType.Buy, 10m) }), "one portfolio transaction");

        Assert.That((await SweepAsync()).Filled, Is.Zero, "the same trade again: its participation is used up");
        Assert.That((await OrderAsync(id)).FilledQuantity, Is.EqualTo(10));
        var cash = await AccountAsync(account);
        Assert.That(cash.Cash + cash.ReservedCash + fills.Sum(f => f.Quantity!.Value * f.Price!.Value + f.Fees!.Value), Is.EqualTo(100_000m),
            "cash + reserved + the fill's cost = the start");
    }

    [Test]
    public async Task The_last_trades_before_the_close_fill_even_when_the_sweep_runs_after_it()
    {
        var user = await UserAsync(this, App, Client, "sweep");
        var account = await SweepSeed.AccountAsync(App, user.Id, cash: 97_600m, reserved: 2_400m);
        var calendar = new ExchangeCalendar(CalendarSeed.IslamicHolidays, CalendarSeed.Ramadan);
        var day = ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow).AddDays(2);
        while (!calendar.IsTradingDay(day) || calendar.HoursOn(day) != SessionHours.Regular)
        {
            day = day.AddDays(1);
        }
        var at = (int hour, int minute) => ExchangeCalendar.At(day, new TimeOnly(hour, minute)).ToUniversalTime();
        // Two instruments whose last trade no engine saw (Trading:Engine=false): one a minute before the continuous
        // session's end (15:20), one a minute after it (the closing auction: no fill).
        var ids = new List<long>();
        foreach (var (ticker, time) in new[] { ("SWLATE1", at(15, 19)), ("SWLATE2", at(15, 21)) })
        {
            ids.Add(await App.WithDbAsync(async db =>
            {
                var instrument = new Instrument { Ticker = ticker, Name = ticker };
                db.Add(instrument);
                await db.SaveChangesAsync();
                db.Add(new Quote
                {
                    InstrumentId = instrument.Id, Last = 100m, Open = 100m, High = 100m, Low = 100m, PreviousClose = 100m, Volume = 100, Time = time,
                    Source = "Test",
                });
                var order = SweepSeed.Order(account, user.Id, instrument.Id, OrderSide.Buy, OrderType.Market, 10, OrderState.Open, at(10, 0),
                    OrderSchedule.CloseOf(calendar, day), OrderValidity.Day);
                order.VolumeDate = day;
                order.ReservationPrice = 110m;
                order.ReservedCash = 1_200m;
                db.Add(order);
                await db.SaveChangesAsync();
                return order.Id;
            }));
        }

        var result = await SweepAtAsync(at(15, 25));
        Assert.That(result.Filled, Is.GreaterThanOrEqualTo(1));
        var late = await OrderAsync(ids[0]);
        Assert.That((late.State, late.FilledQuantity, late.FilledAmount), Is.EqualTo((OrderState.Filled, 10L, 1_000m)), "the 15:19 trade fills the day order");
        var fill = (await EventsAsync(ids[0])).Single();
        Assert.That((fill.Kind, fill.State, fill.Time), Is.EqualTo((OrderEventKind.Fill, OrderState.Filled, at(15, 19))));
        var after = await OrderAsync(ids[1]);
        Assert.That((after.State, after.CancelReason, after.FilledQuantity), Is.EqualTo((OrderState.Cancelled, (CancelReason?)CancelReason.Close, 0L)),
            "a trade after the continuous session's end fills nothing; the close cancels the order");
        Assert.That((await AccountAsync(account)).ReservedCash, Is.Zero, "nothing held any more");
    }
}
