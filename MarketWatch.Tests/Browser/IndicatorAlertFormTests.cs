using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// Indicator alerts from the alert form: the period field shows for the conditions with an N, the live check says
/// what the indicator reads now, an SMA crossing made by a tick through the ingest path is toasted, and the form fits
/// a phone in English and Arabic.
/// </summary>
public sealed class IndicatorAlertFormTests : BrowserTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Simulated:DemoMode"] = "true",
    };

    [Test]
    public async Task An_rsi_alert_is_listed_and_an_sma_crossing_is_toasted()
    {
        // The form reads the indicator at the latest quote of today's session.
        await Ticks.WriteAsync(App, ("IAM", 120m));
        await SignInNewUserAsync(Page, "indicator-form");

        // RSI(14) above 70 on IAM: the period field appears with the usual 14, and the check reads the RSI now.
        await Page.GotoAsync("/alerts/new?ticker=IAM");
        await Expect(Page.GetByTestId("period-field")).ToBeHiddenAsync();
        await Page.Locator("#Input_Condition").SelectOptionAsync("RsiCrossesAbove");
        await Expect(Page.GetByTestId("period-field")).ToBeVisibleAsync();
        await Expect(Page.Locator("#Input_IndicatorPeriod")).ToHaveValueAsync("14");
        await Expect(Page.GetByTestId("level-label")).ToHaveTextAsync("RSI level");
        await Page.Locator("#Input_Level").FillAsync("70");
        await Expect(Page.GetByTestId("indicator-now")).ToContainTextAsync("RSI(14) now ");
        // A period out of range is named before saving.
        await Page.Locator("#Input_IndicatorPeriod").FillAsync("80");
        await Expect(Page.GetByTestId("alert-problems")).ToContainTextAsync("The period must be between 2 and 50 sessions.");
        await Page.Locator("#Input_IndicatorPeriod").FillAsync("14");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create alert" }).ClickAsync();
        await Expect(Page.GetByTestId("status")).ToBeVisibleAsync();
        await Expect(Page.GetByText("RSI(14) crosses above 70.00").First).ToBeVisibleAsync();

        // The price of ATW crosses its 50-day SMA: armed well below it, then a tick well above it.
        var instrumentId = await App.WithDbAsync(db => db.Instruments.Where(i => i.Ticker == "ATW").Select(i => i.Id).SingleAsync());
        var states = (await App.Services.GetRequiredService<AlertIndicators>().LoadAsync([instrumentId], CancellationToken.None))[instrumentId];
        var sma = (decimal)states.Measure(AlertCondition.SmaCrossUp, 50, null, 100m).Value!.Value;
        await Ticks.WriteAsync(App, ("ATW", Math.Round(sma * 0.8m, 2)));
        await Page.GotoAsync("/alerts/new?ticker=ATW");
        await Page.Locator("#Input_Condition").SelectOptionAsync("SmaCrossUp");
        await Expect(Page.GetByTestId("level-label")).ToBeHiddenAsync();
        await Page.Locator("#Input_IndicatorPeriod").FillAsync("50");
        await Expect(Page.GetByTestId("indicator-now")).ToContainTextAsync("SMA(50) now ");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create alert" }).ClickAsync();
        await Expect(Page.GetByText("Crosses above its 50-day SMA").First).ToBeVisibleAsync();
        await Features.Alerts.AlertTesting.WaitArmedAsync(App, 2);

        await Ticks.WriteAsync(App, ("ATW", Math.Round(sma * 1.2m, 2)));
        var toast = Page.GetByTestId("toast");
        await Expect(toast).ToContainTextAsync("ATW crossed above its 50-day SMA (", new() { Timeout = 15_000 });
    }

    [TestCase("en", "RSI level", "Period (sessions)")]
    [TestCase("ar", "مستوى مؤشر القوة النسبية", "الفترة (جلسات)")]
    public async Task The_phone_form_fits_with_the_indicator_fields(string language, string rsiLevel, string period)
    {
        var email = NewEmail("indicator-phone-" + language);
        await RegisterAsync(App.CreateClient(), email);
        await App.WithDbAsync(db => db.Users.Where(u => u.NormalizedEmail == email.ToUpperInvariant()).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, language)));
        await using var context = await NewPhoneContextAsync(language);
        await Ticks.WriteAsync(App, ("ATW", 600m));
        var page = await context.NewPageAsync();
        await SignInAsync(page, email);

        await AssertNoSidewaysScrollAsync(page, "/alerts/new?ticker=ATW");
        foreach (var condition in new[] { "SmaCrossUp", "EmaCrossDown", "RsiCrossesBelow", "MacdCrossesAboveSignal", "VolumeAboveAverage" })
        {
            await page.Locator("#Input_Condition").SelectOptionAsync(condition);
            await Expect(page.GetByTestId("period-field")).ToBeVisibleAsync(new() { Visible = condition is not ("MacdCrossesAboveSignal" or "VolumeAboveAverage") });
            await AssertNoSidewaysScrollAsync(page);
        }
        await page.Locator("#Input_Condition").SelectOptionAsync("RsiCrossesAbove");
        await Expect(page.GetByTestId("level-label")).ToHaveTextAsync(rsiLevel);
        await Expect(page.GetByTestId("period-field").Locator("label")).ToHaveTextAsync(period);
        await Expect(page.GetByTestId("indicator-now")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);
    }
}
