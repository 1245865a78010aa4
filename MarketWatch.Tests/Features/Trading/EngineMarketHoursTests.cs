using MarketWatch.Tests.Features.Accounts;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Trading;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static MarketWatch.Tests.Features.Trading.EngineScenario;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>
/// The engine fills only while the exchange calendar says continuous trading: the real calendar (no demo mode), the
/// app's clock moved to a Sunday, then to a trading morning.
/// </summary>
public sealed class EngineMarketHoursTests : AppTest
{
    private readonly ShiftedClock _clock = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["MarketData:Simulated:DemoMode"] = "false" };

    protected override Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp =>
        builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));

    private TradeEngine Engine => App.Services.GetRequiredService<TradeEngine>();

    /// <summary>Moves the app's clock to <paramref name="time"/> (exchange time) of <paramref name="date"/>.</summary>
    private void MoveTo(DateOnly date, TimeOnly time) => _clock.Advance(ExchangeCalendar.At(date, time) - _clock.GetUtcNow());

    [Test]
    public async Task Nothing_fills_while_the_market_is_closed_and_the_same_order_fills_in_continuous_trading()
    {
        var calendar = App.Services.GetRequiredService<CalendarCache>().Current;
        var today = ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow);
        var sunday = Enumerable.Range(1, 7).Select(today.AddDays).First(d => d.DayOfWeek == DayOfWeek.Sunday);
        var tradingDay = Enumerable.Range(1, 20).Select(today.AddDays).First(calendar.IsTradingDay);
        MoveTo(sunday, new TimeOnly(11, 0));
        var market = App.Services.GetRequiredService<Web.Features.Market.MarketStatusService>();
        Assert.That(market.Now().Phase, Is.EqualTo(MarketPhase.Closed));

        var scenario = new EngineScenario(DatabaseName);
        await Ticks.WriteAsync(App, ("SNP", 683m, 1_000L));
        var account = (await scenario.AccountsAsync(1, 100_000m))[0];
        var order = (await scenario.PlaceAsync(new Order(account.Id, "SNP", OrderSide.Buy, OrderType.Market, 10, ReservationPrice: 751.3m)))[0];
        await Eventually.TrueAsync(() => Engine.Listening && Engine.Holds(order), "the engine to hold the order");

        var closed = await Ticks.WriteAsync(App, ("SNP", 684m, 5_000L));
        await Eventually.TrueAsync(() => Engine.EvaluatedThrough >= closed, "the engine to see the tick");
        Assert.That((await scenario.OrdersAsync([order]))[0].State, Is.EqualTo(OrderState.Open), "closed: no fill");

        MoveTo(tradingDay, new TimeOnly(11, 0));
        Assert.That(market.Now().Phase, Is.EqualTo(MarketPhase.Continuous));
        var open = await Ticks.WriteAsync(App, ("SNP", 685m, 6_000L));
        await Eventually.TrueAsync(() => Engine.EvaluatedThrough >= open, "the engine to see the tick");
        var row = (await scenario.OrdersAsync([order]))[0];
        Assert.That(row.State, Is.EqualTo(OrderState.Filled), "continuous trading: the next trade fills it");
        Assert.That(row.FilledAmount, Is.EqualTo(6_850m));
    }
}
