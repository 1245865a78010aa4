using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Alerts;

/// <summary>
/// The rules are written twice, in C# for the engine (<see cref="AlertRules"/>) and in SQL for the minute sweep
/// (<see cref="AlertSweep.Evaluate"/>). Every row of the scenario table becomes an armed alert on an instrument of its
/// own, with the quote and bars the sweep reads, and the sweep's query must answer as the rules do. The row's previous
/// tick is the price the alert was armed at: that is what the sweep compares a crossing with.
/// </summary>
public sealed class AlertSweepAgreementTests : AppTest
{
    private readonly record struct SweepAnswer(bool Fires, decimal? Value);

    private readonly Dictionary<AlertScenario, SweepAnswer> _answers = [];

    // Nothing but the query under test may claim these alerts: no engine, no Hangfire server running the sweep job.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Alerts:Engine"] = "false",
        ["Jobs:Server"] = "false",
    };

    [OneTimeSetUp]
    public async Task SweepEveryScenarioAsync()
    {
        var user = await UserAsync(this, App, Client, "agreement");
        var now = DateTimeOffset.UtcNow;
        var scenarios = AlertScenarios.All().ToList();
        var alertIds = await App.WithDbAsync(async db =>
        {
            var instruments = scenarios.Select((_, i) => new Instrument { Ticker = $"AGREE{i:D3}", Name = $"Scenario {i}" }).ToList();
            db.AddRange(instruments);
            await db.SaveChangesAsync();
            var alerts = scenarios.Select((s, i) => Store(db, s, instruments[i].Id, user.Id, now)).ToList();
            await db.SaveChangesAsync();
            return alerts.Select(a => a.Id).ToList();
        });

        await using var scope = App.Services.CreateAsyncScope();
        var matched = (await scope.ServiceProvider.GetRequiredService<AlertSweep>().EvaluateAsync(now, CancellationToken.None))
            .ToDictionary(m => m.AlertId);
        for (var i = 0; i < scenarios.Count; i++)
        {
            // Equal rows (none today) would be asked twice and answered alike.
            _answers[scenarios[i]] = matched.TryGetValue(alertIds[i], out var match) ? new(true, match.Value) : new(false, null);
        }
    }

    /// <summary>The scenario as the sweep finds it in the database: an armed alert, the latest quote, the window's and the year's bars.</summary>
    private static Alert Store(DbContext db, AlertScenario s, int instrumentId, string userId, DateTimeOffset now)
    {
        var armedAt = now.AddMinutes(-1);
        db.Add(new Quote
        {
            InstrumentId = instrumentId, Last = s.Last, Open = s.Last, High = s.Last, Low = s.Last, PreviousClose = s.Last,
            ChangePercent = s.Change, Volume = s.Volume, Time = now.AddSeconds(-10), Source = "Test",
        });
        if (s.Range is { } range)
        {
            var minute = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
            db.Add(new MinuteBar { InstrumentId = instrumentId, Time = minute, Open = s.Last, High = range.High, Low = range.Low, Close = s.Last });
        }
        if (s.YearHigh is not null || s.YearLow is not null)
        {
            // The sweep reads the 52-week range from daily bars: one bar carries both ends.
            Assert.That(s.YearHigh is not null && s.YearLow is not null, Is.True, $"{s}: give both ends of the 52-week range");
            db.Add(new DailyBar
            {
                InstrumentId = instrumentId, Date = ExchangeCalendar.ExchangeDate(now).AddDays(-7),
                Open = s.YearLow!.Value, High = s.YearHigh!.Value, Low = s.YearLow.Value, Close = s.YearHigh.Value, AdjustedClose = s.YearHigh.Value,
                Source = "Test",
            });
        }
        if (s.Closes is { } closes)
        {
            // The closed sessions the indicator states are seeded from, ending yesterday (as the rules' own states do).
            var today = ExchangeCalendar.ExchangeDate(now);
            for (var i = 0; i < closes.Length; i++)
            {
                var close = (decimal)closes[i];
                db.Add(new DailyBar
                {
                    InstrumentId = instrumentId, Date = today.AddDays(i - closes.Length), Open = close, High = close, Low = close, Close = close,
                    AdjustedClose = close, Volume = s.BarVolume, Source = "Test",
                });
            }
        }
        var alert = new Alert
        {
            UserId = userId, InstrumentId = instrumentId, Condition = s.Condition, Level = s.Level, Level2 = s.Level2, WindowMinutes = s.Window,
            IndicatorPeriod = s.Period,
            TriggerMode = TriggerMode.Once, SessionOnly = false, Status = AlertStatus.Active, CreatedAt = armedAt, UpdatedAt = armedAt,
            Targets =
            [
                new AlertTarget
                {
                    InstrumentId = instrumentId, State = TargetState.Armed, ArmedPrice = s.Previous, ArmedAt = armedAt, ArmedQuoteTime = armedAt,
                },
            ],
        };
        db.Add(alert);
        return alert;
    }

    [TestCaseSource(typeof(AlertScenarios), nameof(AlertScenarios.Cases))]
    public void The_sweep_answers_as_the_rules_do(AlertScenario scenario)
    {
        var inMemory = scenario.Holds(out var measured);
        var sweep = _answers[scenario];
        Assert.That(sweep.Fires, Is.EqualTo(inMemory), inMemory ? "the rules fire, the sweep does not" : "the sweep fires, the rules do not");
        if (inMemory)
        {
            // Compared as the firing stores it (numeric(20, 6)): PostgreSQL and .NET divide to different lengths.
            Assert.That(Round(sweep.Value), Is.EqualTo(Round(measured)), "the measured value");
        }
    }

    [Test]
    public void The_sweep_fires_and_holds_back_every_condition()
    {
        // A condition added without rows in the table, or without its WHEN in the sweep's SQL, fails here.
        var all = Enum.GetValues<AlertCondition>();
        Assert.That(_answers.Where(a => a.Value.Fires).Select(a => a.Key.Condition).Distinct(), Is.EquivalentTo(all), "conditions the sweep fired");
        Assert.That(_answers.Where(a => !a.Value.Fires).Select(a => a.Key.Condition).Distinct(), Is.EquivalentTo(all), "conditions the sweep held back");
    }

    private static decimal? Round(decimal? value) => value is { } v ? Math.Round(v, 6) : null;
}
