using System.Globalization;
using System.Net;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>The instrument page's chart as people expect it: localized, with a readout, range change, compare, alert lines.</summary>
public sealed class ChartTests : BrowserTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Ingest"] = "true",
        ["MarketData:Simulated:DemoMode"] = "true",
        ["MarketData:Simulated:TickIntervalMs"] = "250",
    };

    [OneTimeSetUp]
    public Task WaitForPricesAsync() =>
        Eventually.ValueAsync(() => App.WithDbAsync(db => db.Quotes.CountAsync(q => q.ChangePercent != 0)), moved => moved >= 20,
            "the simulated feed to move prices");

    private Task<IBrowserContext> DesktopAsync(string language) => NewContextAsync(new BrowserNewContextOptions
    {
        ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        Locale = language switch { "fr" => "fr-FR", "ar" => "ar-MA", _ => "en-US" },
    });

    /// <summary>What the chart's own formatters print: its price scale, volume scale and time axis (they draw on a canvas).</summary>
    private static async Task<Labels> AxisLabelsAsync(IPage page)
    {
        var chart = page.GetByTestId("chart");
        await Expect(chart).ToHaveAttributeAsync("data-loaded-range", new System.Text.RegularExpressions.Regex("."));
        var json = await chart.EvaluateAsync<JsonElement>("el => el.chartLabels()");
        return new Labels(json.GetProperty("price").GetString()!, json.GetProperty("volume").GetString()!, json.GetProperty("month").GetString()!);
    }

    private sealed record Labels(string Price, string Volume, string Month);

    [Test]
    public async Task French_axes_use_comma_decimals_and_the_range_buttons_are_french()
    {
        await using var context = await DesktopAsync("fr");
        var page = await context.NewPageAsync();
        await page.GotoAsync("/stocks/IAM");
        var labels = await AxisLabelsAsync(page);
        Assert.That(labels.Price, Is.EqualTo("220,00"), "as the page writes 119,76");
        Assert.That(labels.Volume, Does.Not.Contain("K").And.Contain(","), "20 590 shares in French, not 20.59K");
        Assert.That(labels.Month, Is.EqualTo("déc."));
        await Expect(page.Locator("button[data-range='1Y']")).ToHaveTextAsync("1A");
        await Expect(page.Locator("button[data-range='1D']")).ToHaveTextAsync("1J");
        await Expect(page.GetByTestId("chart-range-change")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"^[+-]?\d+,\d\d\u00a0% sur 3 mois"));
    }

    [Test]
    public async Task The_arabic_chart_speaks_arabic_and_reads_left_to_right()
    {
        await using var context = await DesktopAsync("ar");
        var page = await context.NewPageAsync();
        await page.GotoAsync("/stocks/IAM");
        var labels = await AxisLabelsAsync(page);
        Assert.That(labels.Price, Is.EqualTo("220,00"));
        Assert.That(labels.Month, Is.EqualTo("دجنبر"), "Morocco's month names");
        // In a right-to-left page the canvas would draw its labels from the right edge and clip the last one.
        await Expect(page.GetByTestId("chart")).ToHaveAttributeAsync("dir", "ltr");
        await Expect(page.Locator("button[data-range='1Y']")).ToHaveTextAsync("1س");
        await Expect(page.Locator("button[data-range='1Y']")).ToHaveAttributeAsync("title", "سنة واحدة");
        await Expect(page.GetByTestId("chart-readout")).ToContainTextAsync("الافتتاح");
        await AssertNoSidewaysScrollAsync(page);
    }

    [Test]
    public async Task Hovering_the_chart_shows_the_bar_under_the_crosshair_with_its_change()
    {
        await Page.SetViewportSizeAsync(1366, 900);
        await Page.GotoAsync("/stocks/ATW");
        var chart = Page.GetByTestId("chart");
        await Expect(chart).ToHaveAttributeAsync("data-loaded-range", "3M");
        var readout = Page.GetByTestId("chart-readout");
        var last = await readout.GetAttributeAsync("data-time");
        var box = (await chart.BoundingBoxAsync())!;
        await Page.Mouse.MoveAsync(box.X + box.Width * 0.3f, box.Y + box.Height * 0.5f);
        await Expect(readout).Not.ToHaveAttributeAsync("data-time", last!);
        foreach (var part in new[] { "Open", "High", "Low", "Close", "Volume", "Change" })
        {
            await Expect(readout).ToContainTextAsync(part);
        }
        await Expect(readout).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"Change [+-]?\d+\.\d\d \([+-]?\d+\.\d\d\u00a0%\)"));
        await Expect(Page.GetByTestId("chart-range-change")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"^[+-]?\d+\.\d\d\u00a0% over 3 months"));
        await Page.GetByRole(AriaRole.Button, new() { Name = "1Y", Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId("chart-range-change")).ToContainTextAsync("over 1 year");
    }

    [Test]
    public async Task Comparing_with_MASI_or_a_stock_adds_a_second_series_and_is_remembered()
    {
        await Page.GotoAsync("/stocks/ATW");
        var chart = Page.GetByTestId("chart");
        await Expect(chart).ToHaveAttributeAsync("data-loaded-range", "3M");
        await Page.GetByTestId("chart-compare").SelectOptionAsync("MASI");
        await Expect(chart).ToHaveAttributeAsync("data-compare", "MASI");
        Assert.That(int.Parse((await chart.GetAttributeAsync("data-compare-points"))!), Is.GreaterThan(40), "a MASI level per session");
        await Expect(Page.GetByTestId("chart-range-change")).ToContainTextAsync("MASI");

        await Page.GetByTestId("chart-compare").SelectOptionAsync("IAM");
        await Expect(chart).ToHaveAttributeAsync("data-compare", "IAM");
        await Page.GetByRole(AriaRole.Button, new() { Name = "1Y", Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Line" }).ClickAsync();
        await Expect(chart).ToHaveAttributeAsync("data-loaded-range", "1Y");

        await Page.ReloadAsync();
        await Expect(chart).ToHaveAttributeAsync("data-loaded-range", "1Y");
        await Expect(chart).ToHaveAttributeAsync("data-type", "line");
        await Expect(chart).ToHaveAttributeAsync("data-compare", "IAM");
        await Expect(Page.GetByTestId("chart-compare")).ToHaveValueAsync("IAM");
    }

    [Test]
    public async Task The_MASI_history_api_gives_levels_and_problems_for_bad_input()
    {
        var client = App.CreateClient();
        var ok = await client.GetAsync("/api/market/indices/MASI/history?range=1Y");
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var body = JsonDocument.Parse(await ok.Content.ReadAsStringAsync());
        var bars = body.RootElement.GetProperty("bars");
        Assert.That(bars.GetArrayLength(), Is.GreaterThan(200));
        Assert.That(bars.EnumerateArray().All(b => b.GetProperty("close").GetDecimal() > 0));

        var intraday = await client.GetAsync("/api/market/indices/masi/history?range=1D");
        Assert.That(intraday.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var badRange = await client.GetAsync("/api/market/indices/MASI/history?range=2Q");
        Assert.That(badRange.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(badRange.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var unknown = await client.GetAsync("/api/market/indices/NOPE/history");
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(unknown.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task An_alert_is_a_line_on_the_chart_and_dragging_it_moves_the_alert()
    {
        await Page.SetViewportSizeAsync(1366, 900);
        await SignInNewUserAsync(Page, "chart");
        await Page.GotoAsync("/alerts/new?ticker=ATW");
        var level = decimal.Parse(await Page.Locator("#Input_Level").InputValueAsync(), CultureInfo.InvariantCulture);
        await Page.Locator("#Input_Condition").SelectOptionAsync("PriceAbove");
        await Page.Locator("#Input_Level").FillAsync((level * 1.02m).ToString("0.00", CultureInfo.InvariantCulture));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create alert" }).ClickAsync();
        await Expect(Page.GetByTestId("status")).ToBeVisibleAsync();
        var before = (await AlertsAsync(Page)).Single();

        await Page.GotoAsync("/stocks/ATW");
        var chart = Page.GetByTestId("chart");
        await Expect(chart).ToHaveAttributeAsync("data-alert-lines", "1");
        await Expect(Page.GetByTestId("chart-levels").GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"/alerts/{before.Id}/edit");

        var y = await chart.EvaluateAsync<double>("(el, price) => el.chartCoordinate(price)", (double)before.Level);
        var box = (await chart.BoundingBoxAsync())!;
        string? question = null;
        Page.Dialog += async (_, dialog) =>
        {
            question = dialog.Message;
            await dialog.AcceptAsync();
        };
        await Page.Mouse.MoveAsync(box.X + box.Width * 0.5f, box.Y + (float)y);
        await Page.Mouse.DownAsync();
        await Page.Mouse.MoveAsync(box.X + box.Width * 0.5f, box.Y + (float)y + 20, new() { Steps = 4 });
        await Page.Mouse.MoveAsync(box.X + box.Width * 0.5f, box.Y + (float)y + 40, new() { Steps = 4 });
        await Page.Mouse.UpAsync();
        await Expect(Page.Locator("#chart-status")).ToContainTextAsync("Alert moved to");
        Assert.That(question, Does.StartWith("Move this alert from"));

        var after = (await AlertsAsync(Page)).Single();
        Assert.That(after.Level, Is.LessThan(before.Level), "dragged down: a lower level");
        Assert.That(after.Condition, Is.EqualTo("PriceAbove"));
        await Expect(Page.GetByTestId("chart-levels")).ToContainTextAsync(after.Level.ToString("N2", CultureInfo.GetCultureInfo("en")));
    }

    private sealed record AlertState(long Id, decimal Level, string Condition);

    private static async Task<List<AlertState>> AlertsAsync(IPage page)
    {
        var response = await page.Context.APIRequest.GetAsync("/api/alerts");
        Assert.That(response.Ok, Is.True);
        var json = await response.JsonAsync();
        return json!.Value.EnumerateArray()
            .Select(a => new AlertState(a.GetProperty("id").GetInt64(), a.GetProperty("level").GetDecimal(), a.GetProperty("condition").GetString()!))
            .ToList();
    }

    [TestCase("en", "light")]
    [TestCase("fr", "dark")]
    [TestCase("ar", "dark")]
    public async Task The_stock_page_logs_no_console_error(string language, string theme)
    {
        await using var context = await DesktopAsync(language);
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "mw.theme", Value = theme, Url = BaseUrl }]);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync("/stocks/IAM");
        await Expect(page.GetByTestId("chart")).ToHaveAttributeAsync("data-loaded-range", "3M");
        await page.GetByRole(AriaRole.Button).Filter(new() { HasText = language == "fr" ? "1A" : language == "ar" ? "1س" : "1Y" }).First.ClickAsync();
        await Expect(page.GetByTestId("chart")).ToHaveAttributeAsync("data-loaded-range", "1Y");
        await page.GetByTestId("chart-compare").SelectOptionAsync("MASI");
        await Expect(page.GetByTestId("chart")).ToHaveAttributeAsync("data-compare", "MASI");
        Assert.That(errors, Is.Empty, "no CSP violation (the chart library's logo style) nor any other error");
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task On_a_phone_the_price_is_near_the_top_and_the_chart_starts_on_the_first_screen(string language)
    {
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/stocks/IAM");
        await Expect(page.GetByTestId("chart").Locator("canvas").First).ToBeVisibleAsync();
        var main = (await page.Locator("main").BoundingBoxAsync())!;
        var price = (await page.GetByTestId("last").BoundingBoxAsync())!;
        var chart = (await page.GetByTestId("chart").BoundingBoxAsync())!;
        Assert.That(price.Y - main.Y, Is.LessThanOrEqualTo(200), "the price near the top of the page's content");
        var tops = await page.EvaluateAsync<string>("""
            () => [...document.querySelectorAll('main, .quote-header, .quote-actions, .chart-card, .chart-toolbar, .chart-toolbar > *, .chart-toolbar button, #chart-range-change, #chart')]
              .map(e => { const r = e.getBoundingClientRect(); return `${e.tagName}.${e.className}@${Math.round(r.top)}+${Math.round(r.height)}[${Math.round(r.left)},${Math.round(r.width)}]`; }).join(' ')
            """);
        Assert.That(chart.Y, Is.LessThan(740 - 100), "at least 100 px of chart on the first screen: " + tops);
        await AssertNoSidewaysScrollAsync(page);
    }

    [TestCase(360, "en", "light")]
    [TestCase(360, "ar", "dark")]
    [TestCase(1366, "fr", "dark")]
    [TestCase(1366, "ar", "light")]
    public async Task The_stock_page_has_no_serious_accessibility_finding_nor_overflow(int width, string language, string theme)
    {
        // Playwright injects axe as an inline script: only this context bypasses the CSP for it.
        await using var context = await NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 800 }, BypassCSP = true,
            Locale = language switch { "fr" => "fr-FR", "ar" => "ar-MA", _ => "en-US" },
        });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "mw.theme", Value = theme, Url = BaseUrl }]);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/stocks/IAM");
        await Expect(page.GetByTestId("chart")).ToHaveAttributeAsync("data-loaded-range", "3M");
        await page.GetByTestId("chart-compare").SelectOptionAsync("MASI");
        await Expect(page.GetByTestId("chart")).ToHaveAttributeAsync("data-compare", "MASI");
        await AssertNoSidewaysScrollAsync(page);
        await page.AddScriptTagAsync(new() { Path = AxePath() });
        // The page's own content (main); the site header and footer belong to the layout's checks, and a price caught
        // mid-flash by a tick to the live rows' own checks (the flash colours are theirs).
        var findings = await page.EvaluateAsync<string[]>("""
            async () => (await axe.run({ include: [['main']], exclude: [['.flash-up'], ['.flash-down']] }, { resultTypes: ['violations'] })).violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)
            """);
        Assert.That(findings, Is.Empty);
    }

    private static string AxePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "node_modules", "axe-core", "axe.min.js");
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new FileNotFoundException("node_modules/axe-core/axe.min.js (run npm ci)");
    }
}
