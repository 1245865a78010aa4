using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Trading;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>One live order and the latest quote of its instrument, as the sweep finds them in the database.</summary>
/// <param name="Fresh">The quote is newer than the moment the order became active (pending: than its entry).</param>
/// <param name="SameSession">The order's participation base is of the quote's session (else of an earlier one).</param>
public sealed record SweepScenario(
    string Name, OrderSide Side, OrderType Type, decimal Last, long Volume = 1000, long Quantity = 1000, long Filled = 0,
    decimal? Limit = null, decimal? Stop = null, OrderState State = OrderState.Open, bool Triggered = false, bool Fresh = true,
    bool SameSession = true, long VolumeBase = 0, long FilledAtBase = 0, bool Expired = false)
{
    public override string ToString() => Name;
}

/// <summary>
/// The matching is written twice: in C# for the engine (<see cref="OrderBook.Reached"/> then <see cref="FillPlanner.Plan"/>,
/// over <see cref="OrderMatching"/> and <see cref="Participation"/>) and in SQL for the minute sweep
/// (<see cref="TradeSweep.Evaluate"/>). Every row of the table becomes a live order on an instrument of its own with
/// the quote the sweep reads; the sweep must ask the claim for exactly what the engine would at that trade: the same
/// quantity, activation, trigger, price, expected filled quantity, volume and fees, or nothing.
/// </summary>
public sealed class SweepAgreementTests : AppTest
{
    private const decimal Rate = 0.10m;

    public static IEnumerable<SweepScenario> All()
    {
        // Market orders: 10% of the volume since the base.
        yield return new("market buy fills the participation cap", OrderSide.Buy, OrderType.Market, 100m);
        yield return new("market sell fills the participation cap", OrderSide.Sell, OrderType.Market, 100m);
        yield return new("partially filled market order fills again", OrderSide.Buy, OrderType.Market, 100m, Volume: 2000, Filled: 50,
            State: OrderState.PartiallyFilled, FilledAtBase: 0);
        yield return new("a remainder smaller than the cap fills whole", OrderSide.Buy, OrderType.Market, 100m, Quantity: 30);
        // Limits, at, through and short of the limit.
        yield return new("buy limit above the trade", OrderSide.Buy, OrderType.Limit, 100m, Limit: 101m);
        yield return new("buy limit at the trade", OrderSide.Buy, OrderType.Limit, 100m, Limit: 100m);
        yield return new("buy limit below the trade", OrderSide.Buy, OrderType.Limit, 100m, Limit: 99.9m);
        yield return new("sell limit below the trade", OrderSide.Sell, OrderType.Limit, 100m, Limit: 99m);
        yield return new("sell limit at the trade", OrderSide.Sell, OrderType.Limit, 100m, Limit: 100m);
        yield return new("sell limit above the trade", OrderSide.Sell, OrderType.Limit, 100m, Limit: 100.1m);
        // Stops: triggered by a trade that reaches them, then market (stop) or limit (stop-limit).
        yield return new("buy stop reached", OrderSide.Buy, OrderType.Stop, 100m, Stop: 100m);
        yield return new("buy stop not reached", OrderSide.Buy, OrderType.Stop, 100m, Stop: 100.1m);
        yield return new("sell stop reached", OrderSide.Sell, OrderType.Stop, 100m, Stop: 100m);
        yield return new("sell stop not reached", OrderSide.Sell, OrderType.Stop, 100m, Stop: 99.9m);
        yield return new("buy stop-limit reached within its limit", OrderSide.Buy, OrderType.StopLimit, 100m, Stop: 99m, Limit: 101m);
        yield return new("buy stop-limit reached beyond its limit: triggered only", OrderSide.Buy, OrderType.StopLimit, 100m, Stop: 99m, Limit: 99.5m);
        yield return new("sell stop-limit reached within its limit", OrderSide.Sell, OrderType.StopLimit, 100m, Stop: 101m, Limit: 99m);
        yield return new("sell stop-limit reached beyond its limit: triggered only", OrderSide.Sell, OrderType.StopLimit, 100m, Stop: 101m, Limit: 100.5m);
        yield return new("sell stop-limit not reached", OrderSide.Sell, OrderType.StopLimit, 100m, Stop: 99m, Limit: 98m);
        yield return new("triggered stop is a market order", OrderSide.Buy, OrderType.Stop, 100m, Stop: 105m, Triggered: true);
        yield return new("triggered stop-limit within its limit", OrderSide.Buy, OrderType.StopLimit, 100m, Stop: 95m, Limit: 100m, Triggered: true);
        yield return new("triggered stop-limit beyond its limit", OrderSide.Buy, OrderType.StopLimit, 100m, Stop: 95m, Limit: 99m, Triggered: true);
        yield return new("reached stop with no volume: triggered only", OrderSide.Buy, OrderType.Stop, 100m, Volume: 0, Stop: 100m);
        // The participation base.
        yield return new("same session: only the volume since the base", OrderSide.Buy, OrderType.Market, 100m, VolumeBase: 500);
        yield return new("same session: fills since the base use the cap", OrderSide.Buy, OrderType.Market, 100m, Filled: 30,
            State: OrderState.PartiallyFilled, VolumeBase: 500, FilledAtBase: 0);
        yield return new("same session: the cap used up", OrderSide.Buy, OrderType.Market, 100m, Filled: 150, State: OrderState.PartiallyFilled,
            VolumeBase: 0, FilledAtBase: 50);
        yield return new("another session's base counts from 0", OrderSide.Buy, OrderType.Market, 100m, Filled: 400,
            State: OrderState.PartiallyFilled, SameSession: false, VolumeBase: 5000, FilledAtBase: 300);
        yield return new("under ten shares traded: nothing yet", OrderSide.Buy, OrderType.Market, 100m, Volume: 9);
        // Pending orders (entered outside the session): activated by a trade of it, filled when it allows.
        yield return new("pending market buy: activated and filled", OrderSide.Buy, OrderType.Market, 100m, State: OrderState.Pending);
        yield return new("pending limit beyond the trade: activated only", OrderSide.Buy, OrderType.Limit, 100m, Limit: 99m, State: OrderState.Pending);
        yield return new("pending stop not reached: activated only", OrderSide.Sell, OrderType.Stop, 100m, Stop: 95m, State: OrderState.Pending);
        yield return new("pending stop reached: activated, triggered, filled", OrderSide.Sell, OrderType.Stop, 100m, Stop: 100m, State: OrderState.Pending);
        // What no trade may touch.
        yield return new("a quote older than the activation", OrderSide.Buy, OrderType.Market, 100m, Fresh: false);
        yield return new("a stop reached by an older quote", OrderSide.Buy, OrderType.Stop, 100m, Stop: 90m, Fresh: false);
        yield return new("an expired order (the sweep cancels it)", OrderSide.Buy, OrderType.Market, 100m, Expired: true);
        yield return new("an expired pending order", OrderSide.Buy, OrderType.Market, 100m, State: OrderState.Pending, Expired: true);
    }

    public static IEnumerable<TestCaseData> Cases() => All().Select(s => new TestCaseData(s).SetName($"Sweep agrees: {s.Name}"));

    private readonly Dictionary<string, FillRequest?> _sweep = [];
    private readonly Dictionary<string, FillRequest?> _engine = [];

    // Nothing but the query under test may touch these orders: no engine, no Hangfire server running the sweep job.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Trading:Engine"] = "false",
        ["Trading:ParticipationRate"] = "0.10",
        ["Jobs:Server"] = "false",
        ["MarketData:Simulated:DemoMode"] = "true",
    };

    [OneTimeSetUp]
    public async Task SweepEveryScenarioAsync()
    {
        var user = await UserAsync(this, App, Client, "agreement");
        var now = DateTimeOffset.UtcNow;
        var quoteTime = SweepSeed.Microseconds(now.AddSeconds(-10));
        var session = ExchangeCalendar.ExchangeDate(quoteTime);
        var scenarios = All().ToList();
        Assert.That(scenarios.Select(s => s.Name), Is.Unique);
        var accountId = await SweepSeed.AccountAsync(App, user.Id, cash: 10_000_000m, reserved: 0m);
        var (orders, tickers) = await App.WithDbAsync(async db =>
        {
            var instruments = scenarios.Select((_, i) => new Instrument { Ticker = $"SWA{i:D3}", Name = $"Sweep scenario {i}" }).ToList();
            db.AddRange(instruments);
            await db.SaveChangesAsync();
            var stored = scenarios.Select((s, i) =>
            {
                db.Add(new Quote
                {
                    InstrumentId = instruments[i].Id, Last = s.Last, Open = s.Last, High = s.Last, Low = s.Last, PreviousClose = s.Last,
                    Volume = s.Volume, Time = quoteTime, Source = "Test",
                });
                var order = SweepSeed.Order(accountId, user.Id, instruments[i].Id, s.Side, s.Type, s.Quantity, s.State, now, s.Expired ? now.AddMinutes(-1) : now.AddDays(1));
                order.FilledQuantity = s.Filled;
                order.LimitPrice = s.Limit;
                order.StopPrice = s.Stop;
                order.TriggeredAt = s.Triggered ? now.AddMinutes(-5) : null;
                var activeAt = s.Fresh ? quoteTime.AddMinutes(-1) : quoteTime;
                order.CreatedAt = activeAt;
                order.ActiveSince = s.State == OrderState.Pending ? null : activeAt;
                order.VolumeDate = s.State == OrderState.Pending ? null : s.SameSession ? session : session.AddDays(-1);
                order.VolumeBase = s.VolumeBase;
                order.FilledAtBase = s.FilledAtBase;
                db.Add(order);
                return order;
            }).ToList();
            await db.SaveChangesAsync();
            return (stored, instruments.Select(i => i.Ticker).ToList());
        });

        await using var scope = App.Services.CreateAsyncScope();
        var schedule = await scope.ServiceProvider.GetRequiredService<FeeSchedules>().GetAsync(CancellationToken.None);
        var requests = (await scope.ServiceProvider.GetRequiredService<TradeSweep>().EvaluateAsync(now, CancellationToken.None)).ToDictionary(r => r.OrderId);
        for (var i = 0; i < scenarios.Count; i++)
        {
            var s = scenarios[i];
            _sweep[s.Name] = requests.GetValueOrDefault(orders[i].Id);
            // The engine, on the same order and the same trade: the book finds what the trade reaches, the planner what to ask.
            var live = new LiveOrder
            {
                Id = orders[i].Id, AccountId = accountId, Ticker = tickers[i], Side = s.Side, Type = s.Type, Quantity = s.Quantity, Filled = s.Filled,
                Limit = s.Limit, Stop = s.Stop, State = s.State, Triggered = s.Triggered, ActiveSince = orders[i].ActiveSince,
                VolumeDate = orders[i].VolumeDate, VolumeBase = s.VolumeBase, FilledAtBase = s.FilledAtBase, ExpiresAt = orders[i].ExpiresAt,
            };
            var book = new OrderBook();
            book.Add(live);
            var matches = new List<Match>();
            book.Reached(tickers[i], s.Last, matches);
            _engine[s.Name] = matches.Count == 0 ? null
                : FillPlanner.Plan(matches.Single(), s.Last, quoteTime, s.Volume, Rate, now, amount => schedule.TradeFees(amount, false));
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void The_sweep_asks_what_the_engine_asks(SweepScenario scenario)
    {
        var engine = _engine[scenario.Name];
        var sweep = _sweep[scenario.Name];
        Assert.That(sweep is not null, Is.EqualTo(engine is not null), engine is null ? "the sweep asks, the engine does not" : "the engine asks, the sweep does not");
        if (engine is not null)
        {
            Assert.That(sweep, Is.EqualTo(engine));
        }
    }

    [Test]
    public void The_table_fills_activates_triggers_and_holds_back()
    {
        // A table that stopped covering one of these would let the two drift apart unseen.
        var asked = _engine.Values.OfType<FillRequest>().ToList();
        Assert.That(asked.Any(r => r.Quantity > 0 && !r.Activates && !r.Triggers), Is.True, "a plain fill");
        Assert.That(asked.Any(r => r.Quantity > 0 && r.Triggers), Is.True, "a stop triggered and filled");
        Assert.That(asked.Any(r => r.Quantity == 0 && r.Triggers), Is.True, "a stop triggered only");
        Assert.That(asked.Any(r => r.Quantity > 0 && r.Activates), Is.True, "a pending order activated and filled");
        Assert.That(asked.Any(r => r.Quantity == 0 && r.Activates), Is.True, "a pending order activated only");
        Assert.That(_engine.Values.Count(r => r is null), Is.GreaterThanOrEqualTo(8), "orders the trade leaves alone");
    }
}
