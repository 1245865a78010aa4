using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Analytics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>The market dashboard in a browser: heatmap and charts, live recolouring, period buttons, phones in English and Arabic.</summary>
public sealed class DashboardTests : BrowserTest
{
    private readonly LogRecorder _logs = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Simulated:DemoMode"] = "true",
        ["Alerts:Engine"] = "false",
    };

    protected override Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp => _logs.AddTo;

    [TearDown]
    public void PrintServerErrors() => _logs.WriteExceptions(TestContext.Out);

    [Test]
    public async Task The_heatmap_recolours_a_cell_live_after_a_tick_and_the_period_buttons_switch_the_dashboard()
    {
        var errors = new ConsoleErrors(Page);
        await Page.SetViewportSizeAsync(1366, 900);
        await Page.GotoAsync("/");
        await Page.GetByTestId("nav-analytics").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/analytics$"));
        await Expect(Page.GetByTestId("heatmap-wide")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("heatmap-narrow")).ToBeHiddenAsync();
        await Expect(Page.Locator(".masi-line")).ToBeVisibleAsync();
        await Expect(Page.Locator("[data-live-status]")).ToHaveAttributeAsync("data-state", "live");
        await AssertNoSeriousAxeFindingsAsync(Page);

        // A tick 4.5 % above the last close is the top step of 1D; then 4.5 % below, the bottom one.
        var cell = Page.Locator("#hm-wide-ATW");
        var metrics = App.Services.GetRequiredService<MarketMetrics>();
        var atw = (await metrics.CurrentAsync(CancellationToken.None)).Find("ATW")!;
        var close = atw.Last!.Value / (1 + (atw.ChangePercent ?? 0) / 100);
        await Ticks.WriteAsync(App, ("ATW", Math.Round(close * 1.045m, 2)));
        await Expect(cell).ToHaveAttributeAsync("data-step", "3", new() { Timeout = 15_000 });
        await Expect(cell).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("hm-p3"));
        await Expect(cell.Locator("title")).ToContainTextAsync("+4.");
        await Ticks.WriteAsync(App, ("ATW", Math.Round(close * 0.955m, 2)));
        await Expect(cell).ToHaveAttributeAsync("data-step", "-3", new() { Timeout = 15_000 });
        await Expect(cell.Locator("title")).ToContainTextAsync("-4.");
        // The tall drawing waited in a template meanwhile and was patched too: narrowing the window shows it current.
        await Page.SetViewportSizeAsync(600, 900);
        await Expect(Page.GetByTestId("heatmap-narrow")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("heatmap-wide")).ToHaveCountAsync(0);
        await Expect(Page.Locator("#hm-narrow-ATW")).ToHaveAttributeAsync("data-step", "-3");
        await Expect(Page.Locator("#hm-narrow-ATW title")).ToContainTextAsync("-4.");
        await Page.SetViewportSizeAsync(1366, 900);
        await Expect(Page.GetByTestId("heatmap-wide")).ToBeVisibleAsync();

        // The period buttons swap the dashboard and push the URL; back returns to the day.
        await Page.GetByTestId("period-M1").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/analytics\\?period=M1$"));
        await Expect(Page.GetByTestId("dashboard")).ToHaveAttributeAsync("data-period", "M1");
        await Expect(Page.GetByTestId("period-M1")).ToHaveAttributeAsync("aria-current", "page");
        await Expect(Page.GetByTestId("heatmap-caption")).ToContainTextAsync("1M");
        await Page.GetByTestId("period-Y1").ClickAsync();
        await Expect(Page.GetByTestId("dashboard")).ToHaveAttributeAsync("data-period", "Y1");
        await Page.GoBackAsync();
        await Expect(Page.GetByTestId("dashboard")).ToHaveAttributeAsync("data-period", "M1");

        // Numbers one tap away: the heatmap as a table.
        await Page.GetByTestId("heatmap-table").Locator("summary").ClickAsync();
        await Expect(Page.GetByTestId("heatmap-table").Locator("a[href='/stocks/ATW']")).ToBeVisibleAsync();
        errors.AssertNone("the dashboard");
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task On_a_phone_the_dashboard_fits_without_sideways_scroll(string language)
    {
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        await AssertNoSidewaysScrollAsync(page, "/analytics");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
        await Expect(page.GetByTestId("heatmap-narrow")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("heatmap-wide")).ToBeHiddenAsync();
        // The phone menu holds the new links.
        await page.Locator(".menu-toggle").ClickAsync();
        await Expect(page.GetByTestId("nav-analytics")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("nav-screener")).ToBeVisibleAsync();
        await page.GetByTestId("period-W1").ClickAsync();
        await Expect(page.GetByTestId("dashboard")).ToHaveAttributeAsync("data-period", "W1");
        // The swapped-in dashboard shows the tall drawing too (only one is in the page at a time).
        await Expect(page.GetByTestId("heatmap-narrow")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("heatmap-wide")).ToHaveCountAsync(0);
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);
    }
}
