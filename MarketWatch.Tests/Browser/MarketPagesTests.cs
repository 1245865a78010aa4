using MarketWatch.Web.Features.Market;
using MarketWatch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>The market pages in a real browser, on the live simulated feed.</summary>
public sealed class MarketPagesTests : BrowserTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Ingest"] = "true",
        ["MarketData:Simulated:DemoMode"] = "true",
        ["MarketData:Simulated:TickIntervalMs"] = "250",
    };

    /// <summary>The overview needs movers both ways: wait until the feed has moved enough prices, or fail saying so.</summary>
    [OneTimeSetUp]
    public Task WaitForPricesAsync() =>
        Eventually.ValueAsync(() => App.WithDbAsync(db => db.Quotes.CountAsync(q => q.ChangePercent != 0)), moved => moved >= 20,
            "the simulated feed to move 20 prices");

    [Test]
    public async Task The_overview_shows_indices_movers_and_sectors_and_says_prices_are_simulated()
    {
        await Page.GotoAsync("/");
        await Expect(Page.GetByTestId("simulated-banner")).ToContainTextAsync("Prices are simulated");
        await Expect(Page.GetByTestId("market-status")).ToContainTextAsync("Market open");
        await Expect(Page.GetByTestId("indices")).ToContainTextAsync("MASI");
        await Expect(Page.GetByTestId("indices")).ToContainTextAsync("computed");
        Assert.That(await Page.GetByTestId("gainers").Locator("tbody tr").CountAsync(), Is.InRange(1, 5));
        Assert.That(await Page.GetByTestId("losers").Locator("tbody tr").CountAsync(), Is.InRange(1, 5));
        Assert.That(await Page.GetByTestId("most-active").Locator("tbody tr").CountAsync(), Is.EqualTo(5));
        var firstGain = await Page.GetByTestId("gainers").Locator("tbody tr").First.Locator("td").Nth(1).InnerTextAsync();
        Assert.That(firstGain, Does.StartWith("+"));
        await Expect(Page.GetByTestId("sectors")).ToContainTextAsync("Financials");
    }

    [Test]
    public async Task Searching_attij_finds_ATW_and_the_keyboard_opens_its_page()
    {
        await Page.GotoAsync("/");
        await Page.Locator("#site-search").PressSequentiallyAsync("attij", new() { Delay = 50 });
        var first = Page.GetByTestId("search-result").First;
        await Expect(first).ToContainTextAsync("ATW");
        await Expect(first).ToContainTextAsync("Attijariwafa Bank");
        await Page.Locator("#site-search").PressAsync("ArrowDown");
        await Expect(first).ToHaveAttributeAsync("aria-selected", "true");
        await Page.Locator("#site-search").PressAsync("Enter");
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/stocks/ATW$"));
        await Expect(Page.Locator("h1")).ToContainTextAsync("Attijariwafa Bank");
    }

    [Test]
    public async Task The_chart_renders_and_switching_range_and_type_reloads_it()
    {
        await Page.GotoAsync("/stocks/ATW");
        var chart = Page.GetByTestId("chart");
        await Expect(chart).ToHaveAttributeAsync("data-loaded-range", "3M");
        await Expect(chart.Locator("canvas").First).ToBeVisibleAsync();
        var threeMonths = int.Parse((await chart.GetAttributeAsync("data-points"))!);
        Assert.That(threeMonths, Is.InRange(55, 70), "about 63 sessions in three months");

        await Page.GetByRole(AriaRole.Button, new() { Name = "1Y", Exact = true }).ClickAsync();
        await Expect(chart).ToHaveAttributeAsync("data-loaded-range", "1Y");
        var oneYear = int.Parse((await chart.GetAttributeAsync("data-points"))!);
        Assert.That(oneYear, Is.GreaterThan(threeMonths * 3));

        await Page.GetByRole(AriaRole.Button, new() { Name = "1D", Exact = true }).ClickAsync();
        await Expect(chart).ToHaveAttributeAsync("data-loaded-range", "1D");
        Assert.That(int.Parse((await chart.GetAttributeAsync("data-points"))!), Is.GreaterThan(0), "today's minute bars");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Line" }).ClickAsync();
        await Expect(chart).ToHaveAttributeAsync("data-type", "line");
        await Expect(Page.GetByTestId("key-figures")).ToContainTextAsync("MA0000012445");
        await Expect(Page.GetByTestId("key-figures")).ToContainTextAsync("52-week range");
    }

    [Test]
    public async Task The_instruments_table_filters_by_sector_and_sorts_by_a_column()
    {
        await Page.GotoAsync("/stocks");
        var rows = Page.GetByTestId("instruments").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(77);
        await Page.Locator("#sector-filter").SelectOptionAsync("Telecom");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("IAM");
        await Page.Locator("#sector-filter").SelectOptionAsync("");
        await Expect(rows).ToHaveCountAsync(77);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Change %" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("sort=change"));
        var changes = await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.cells[4].textContent.trim())");
        var values = changes.Where(c => c != "—").Select(c => decimal.Parse(c.Replace(" %", "").Replace("+", ""), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.That(values, Is.Ordered);
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task The_market_pages_fit_a_360_px_phone(string language)
    {
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        foreach (var path in new[] { "/", "/stocks", "/stocks/ATW", "/search?q=ban" })
        {
            await AssertNoSidewaysScrollAsync(page, path);
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
        }
        await page.GotoAsync("/stocks/ATW");
        await Expect(page.GetByTestId("chart").Locator("canvas").First).ToBeVisibleAsync();
    }
}
