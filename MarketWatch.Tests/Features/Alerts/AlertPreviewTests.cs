using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Alerts;

/// <summary>
/// The form's "this fires immediately" (<see cref="AlertPreview"/>) and the engine answer from the same context
/// (the 52-week range, the recent minutes): what the preview announces is what the engine fires.
/// </summary>
public sealed class AlertPreviewTests : AppTest
{
    // Firings come from the engine alone: no Hangfire server runs the sweep.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Jobs:Server"] = "false",
    };

    [Test]
    public async Task The_preview_and_the_engine_agree_on_a_new_52_week_high()
    {
        var ids = await App.WithDbAsync(db => db.Instruments.Where(i => i.Ticker == "ATW" || i.Ticker == "IAM").ToDictionaryAsync(i => i.Ticker, i => i.Id));
        var years = await App.Services.GetRequiredService<SessionFigures>().PriorYearRangesAsync(CancellationToken.None);
        Assert.That(years.ContainsKey(ids["ATW"]) && years.ContainsKey(ids["IAM"]), Is.True, "the seeded daily bars give both a 52-week range");
        var (atwHigh, iamHigh) = (years[ids["ATW"]].High, years[ids["IAM"]].High);
        // ATW goes above its 52-week high, IAM only reaches it (a new high must exceed the old one).
        await AgreeAsync(new AlertInput { Condition = AlertCondition.New52WeekHigh },
            holds: ("ATW", atwHigh - 1, atwHigh + 1), doesNot: ("IAM", iamHigh - 1, iamHigh));
    }

    [Test]
    public async Task The_preview_and_the_engine_agree_on_a_move_within_minutes() =>
        // The preview reads the window from the stored minute bars, the engine from the ticks it saw: the same range.
        await AgreeAsync(new AlertInput { Condition = AlertCondition.MoveUpWithin, Level = 5, WindowMinutes = 10 },
            holds: ("BCP", 300m, 316m), doesNot: ("CDM", 500m, 520m));

    /// <summary>
    /// Arms the condition on two stocks, moves both, and asks the preview and the engine: the first stock's move meets
    /// the condition, the second's does not, and the two must say so alike.
    /// </summary>
    private async Task AgreeAsync(AlertInput condition, (string Ticker, decimal From, decimal To) holds, (string Ticker, decimal From, decimal To) doesNot)
    {
        var user = await UserAsync(this, App, Client, "preview");
        var armed = App.Services.GetRequiredService<AlertEngine>().Armed;
        await Ticks.WriteAsync(App, (holds.Ticker, holds.From), (doesNot.Ticker, doesNot.From));
        var alerts = new Dictionary<string, long>();
        foreach (var ticker in new[] { holds.Ticker, doesNot.Ticker })
        {
            alerts[ticker] = await CreateAsync(user.Api, new
            {
                ticker, condition = condition.Condition.ToString(), level = condition.Level, windowMinutes = condition.WindowMinutes,
                sessionOnly = false, channels = new[] { "InApp" },
            });
        }
        await WaitArmedAsync(App, armed + 2);

        var time = await Ticks.WriteAsync(App, (holds.Ticker, holds.To), (doesNot.Ticker, doesNot.To));
        var preview = new Dictionary<string, int>();
        foreach (var ticker in alerts.Keys)
        {
            await using var scope = App.Services.CreateAsyncScope();
            preview[ticker] = await scope.ServiceProvider.GetRequiredService<AlertPreview>().HoldsNowAsync(user.Id, new AlertInput
            {
                Ticker = ticker, Condition = condition.Condition, Level = condition.Level, WindowMinutes = condition.WindowMinutes,
            }, CancellationToken.None);
        }
        Assert.That(preview, Is.EquivalentTo(new Dictionary<string, int> { [holds.Ticker] = 1, [doesNot.Ticker] = 0 }), "the preview");

        await WaitEvaluatedAsync(App, time);
        var engine = new Dictionary<string, int>();
        foreach (var (ticker, id) in alerts)
        {
            engine[ticker] = (await FiringsAsync(App, id)).Count;
        }
        Assert.That(engine, Is.EquivalentTo(preview), "the engine fires what the preview announced, and nothing else");
    }
}
