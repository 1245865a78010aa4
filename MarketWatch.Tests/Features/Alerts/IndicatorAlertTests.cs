using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Alerts;

/// <summary>
/// Every indicator condition on one stock of the simulated market (years of daily bars): armed below its indicator,
/// the price moved through it by the ingest path, each alert fires exactly once, then never again on later moves.
/// The same story runs through the in-memory engine (<see cref="IndicatorAlertEngineTests"/>) and through the minute
/// sweep alone (<see cref="IndicatorAlertSweepTests"/>).
/// </summary>
public abstract class IndicatorAlertTests : AppTest
{
    protected const string Ticker = "ATW";
    private User _admin = null!;

    [OneTimeSetUp]
    public async Task AdminAsync() => _admin = await UserAsync(this, App, Client, "admin", admin: true);

    /// <summary>Whatever evaluates ticks on this instance has seen the tick written at this time.</summary>
    protected abstract Task EvaluatedAsync(DateTimeOffset tickTime);

    protected abstract string Source { get; }

    protected async Task SweepAsync()
    {
        var response = await _admin.Api.PostAsync("/api/alerts/trigger", null);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Each_indicator_condition_fires_exactly_once()
    {
        var user = await UserAsync(this, App, Client, "indicators");
        var instrumentId = await App.WithDbAsync(db => db.Instruments.Where(i => i.Ticker == Ticker).Select(i => i.Id).SingleAsync());
        var states = (await App.Services.GetRequiredService<AlertIndicators>().LoadAsync([instrumentId], CancellationToken.None))[instrumentId];
        var sma = states.Measure(AlertCondition.SmaCrossUp, 50, null, 100m).Value;
        Assert.That(sma, Is.Not.Null, "the simulated market has 50 closed sessions of ATW");
        // Far enough below and above every indicator that each crosses (checked below, so a dull market fails loudly).
        var low = Math.Round((decimal)sma!.Value * 0.7m, 2);
        var high = Math.Round((decimal)sma.Value * 1.3m, 2);
        var rsiLow = states.Measure(AlertCondition.RsiCrossesAbove, 14, 0, low).Value!.Value;
        var rsiHigh = states.Measure(AlertCondition.RsiCrossesAbove, 14, 0, high).Value!.Value;
        var rsiLevel = Math.Clamp(Math.Round((decimal)(rsiLow + rsiHigh) / 2), 1, 99);
        var average = 1 / states.RelativeVolume(1)!.Value;

        (string Condition, int? Period, decimal? Level)[] ups =
            [("SmaCrossUp", 50, null), ("EmaCrossUp", 20, null), ("RsiCrossesAbove", 14, rsiLevel), ("MacdCrossesAboveSignal", null, null)];
        (string Condition, int? Period, decimal? Level)[] downs =
            [("SmaCrossDown", 50, null), ("EmaCrossDown", 20, null), ("RsiCrossesBelow", 14, rsiLevel), ("MacdCrossesBelowSignal", null, null)];
        foreach (var (condition, period, level) in ups)
        {
            var c = Enum.Parse<AlertCondition>(condition);
            Assert.That(states.Measure(c, period, level, low).Distance, Is.LessThan(0), $"{condition}: {low} is below");
            Assert.That(states.Measure(c, period, level, high).Distance, Is.GreaterThan(0), $"{condition}: {high} is above");
        }

        // Armed at the low price, with almost nothing traded yet today.
        await EvaluatedAsync(await Ticks.WriteAsync(App, (Ticker, low, 1L)));
        var upIds = new List<long>();
        foreach (var (condition, period, level) in ups)
        {
            upIds.Add(await CreateAsync(user.Api, new { ticker = Ticker, condition, indicatorPeriod = period, level, channels = new[] { "InApp" } }));
        }
        var volumeId = await CreateAsync(user.Api, new { ticker = Ticker, condition = "VolumeAboveAverage", level = 2.5m, channels = new[] { "InApp" } });
        await ArmedAsync(5);

        // Through every indicator on the way up, with three times the average volume.
        await EvaluatedAsync(await Ticks.WriteAsync(App, (Ticker, high, (long)Math.Ceiling(average * 3))));
        await SweepIfNoEngineAsync();
        foreach (var id in upIds.Append(volumeId))
        {
            await Eventually.TrueAsync(async () => (await FiringsAsync(App, id)).Count == 1, $"alert {id} to fire");
        }
        var smaFiring = (await FiringsAsync(App, upIds[0])).Single();
        Assert.That((smaFiring.Price, smaFiring.Source, smaFiring.IndicatorPeriod, smaFiring.Condition),
            Is.EqualTo((high, Source, (int?)50, AlertCondition.SmaCrossUp)));
        Assert.That((double)smaFiring.Value!.Value, Is.EqualTo(states.Measure(AlertCondition.SmaCrossUp, 50, null, high).Value!.Value).Within(1e-5),
            "the SMA with the price as today's close");
        var volumeFiring = (await FiringsAsync(App, volumeId)).Single();
        Assert.That(volumeFiring.Value, Is.GreaterThanOrEqualTo(3m), "the volume as a multiple of its average");

        // The downward ones, armed at the high price, fire on the way back down.
        var downIds = new List<long>();
        foreach (var (condition, period, level) in downs)
        {
            downIds.Add(await CreateAsync(user.Api, new { ticker = Ticker, condition, indicatorPeriod = period, level, channels = new[] { "InApp" } }));
        }
        await ArmedAsync(4);
        await EvaluatedAsync(await Ticks.WriteAsync(App, (Ticker, low, (long)Math.Ceiling(average * 3))));
        await SweepIfNoEngineAsync();
        foreach (var id in downIds)
        {
            await Eventually.TrueAsync(async () => (await FiringsAsync(App, id)).Count == 1, $"alert {id} to fire");
        }

        // Up and down again: once-alerts are done, each fired exactly once (engine and sweep claim through the same row).
        await EvaluatedAsync(await Ticks.WriteAsync(App, (Ticker, high, (long)Math.Ceiling(average * 4))));
        await SweepAsync();
        await EvaluatedAsync(await Ticks.WriteAsync(App, (Ticker, low, (long)Math.Ceiling(average * 5))));
        await SweepAsync();
        foreach (var id in upIds.Concat(downIds).Append(volumeId))
        {
            Assert.That(await FiringsAsync(App, id), Has.Count.EqualTo(1), $"alert {id} fired once");
        }

        // The notification says what was crossed, and at what value of the average.
        await using var scope = App.Services.CreateAsyncScope();
        var notices = scope.ServiceProvider.GetServices<INoticeSource>().OfType<AlertNotices>().Single();
        var notice = (await notices.EventsAsync([smaFiring.Id], TimeZoneInfo.Utc, CancellationToken.None))[smaFiring.Id];
        Assert.That(notice.Title, Does.StartWith($"{Ticker} crossed above its 50-day SMA ("));
    }

    private Task ArmedAsync(int count) => Source == "engine" ? WaitArmedAsync(App, count) : Task.CompletedTask;

    private Task SweepIfNoEngineAsync() => Source == "sweep" ? SweepAsync() : Task.CompletedTask;
}

public sealed class IndicatorAlertEngineTests : IndicatorAlertTests
{
    // The engine alone: no Hangfire server running the sweep beside it.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Jobs:Server"] = "false",
        ["MarketData:Simulated:DemoMode"] = "true",
    };

    protected override string Source => "engine";

    protected override Task EvaluatedAsync(DateTimeOffset tickTime) => WaitEvaluatedAsync(App, tickTime);
}

public sealed class IndicatorAlertSweepTests : IndicatorAlertTests
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Alerts:Engine"] = "false",
        ["Jobs:Server"] = "false",
        ["MarketData:Simulated:DemoMode"] = "true",
    };

    protected override string Source => "sweep";

    protected override Task EvaluatedAsync(DateTimeOffset tickTime) => Task.CompletedTask;
}
