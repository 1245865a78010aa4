using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// Indicators on the stock chart (chosen, drawn, remembered), compare on a percent scale, the watchlist's correlation heatmap;
/// the chart under live trades (written here, so the tests know when one came).
/// </summary>
public sealed class ChartIndicatorTests : BrowserTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Simulated:DemoMode"] = "true",
    };

    private static async Task OpenIndicatorsAsync(IPage page)
    {
        var box = page.GetByTestId("chart-indicators");
        if (await box.GetAttributeAsync("open") is null)
        {
            await box.Locator("summary").ClickAsync();
        }
    }

    /// <summary>A stock's page on a desk-sized window, once its chart has drawn the default range.</summary>
    private async Task<ILocator> OpenChartAsync(string ticker)
    {
        await Page.SetViewportSizeAsync(1366, 900);
        await Page.GotoAsync($"/stocks/{ticker}");
        var chart = Page.GetByTestId("chart");
        await Expect(chart).ToHaveAttributeAsync("data-loaded-range", "3M");
        return chart;
    }

    private Task<decimal> LastCloseAsync(string ticker) =>
        App.WithDbAsync(db => (from b in db.Set<DailyBar>()
                               join i in db.Instruments on b.InstrumentId equals i.Id
                               where i.Ticker == ticker
                               orderby b.Date descending
                               select b.Close).FirstAsync());

    [Test]
    public async Task An_overlay_and_a_pane_chosen_are_drawn_and_still_chosen_after_a_reload()
    {
        var chart = await OpenChartAsync("ATW");
        await Expect(chart).ToHaveAttributeAsync("data-panes", "volume");
        await OpenIndicatorsAsync(Page);
        await Page.GetByLabel("Simple moving average (SMA)").CheckAsync();
        await Expect(chart).ToHaveAttributeAsync("data-overlays", "sma:50");
        await Page.GetByLabel("SMA period (sessions)").FillAsync("20");
        await Page.GetByLabel("SMA period (sessions)").BlurAsync();
        await Expect(chart).ToHaveAttributeAsync("data-overlays", "sma:20");
        await Page.GetByLabel("RSI (14) with 30 and 70 lines").CheckAsync();
        await Expect(chart).ToHaveAttributeAsync("data-panes", "volume,rsi");
        await Expect(chart).ToHaveAttributeAsync("data-pane-count", "3");
        await Expect(chart).ToHaveAttributeAsync("aria-label", new Regex("SMA 20.*Volume.*RSI 14"));
        await Expect(Page.GetByTestId("chart-legend")).ToContainTextAsync("RSI 14");
        // The values as a table: the newest session's row has an RSI between 0 and 100.
        await Page.GetByTestId("chart-table-box").Locator("summary").ClickAsync();
        var table = Page.GetByTestId("chart-table");
        await Expect(table.Locator("thead th")).ToHaveTextAsync(new[] { "Date", "Close", "SMA 20", "RSI 14" });
        var rsi = double.Parse((await table.Locator("tbody tr").First.Locator("td").Nth(2).TextContentAsync())!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(rsi, Is.InRange(0, 100));

        await Page.ReloadAsync();
        await Expect(chart).ToHaveAttributeAsync("data-overlays", "sma:20");
        await Expect(chart).ToHaveAttributeAsync("data-panes", "volume,rsi");
        await Expect(Page.GetByTestId("ind-sma")).ToBeCheckedAsync();
        await Expect(Page.GetByTestId("ind-sma-period")).ToHaveValueAsync("20");
        await Expect(Page.GetByTestId("ind-rsi")).ToBeCheckedAsync();
        await Expect(Page.GetByTestId("ind-macd")).Not.ToBeCheckedAsync();

        // MACD adds a pane; volume off takes its pane away; 1D is intraday: a note instead of indicators.
        await OpenIndicatorsAsync(Page);
        await Page.GetByLabel("MACD (12, 26, 9) with signal and histogram").CheckAsync();
        await Page.GetByLabel("Volume", new() { Exact = true }).UncheckAsync();
        await Expect(chart).ToHaveAttributeAsync("data-panes", "rsi,macd");
        await Page.GetByRole(AriaRole.Button, new() { Name = "1D", Exact = true }).ClickAsync();
        await Expect(chart).ToHaveAttributeAsync("data-loaded-range", "1D");
        await Expect(chart).ToHaveAttributeAsync("data-overlays", "");
        await Expect(Page.GetByTestId("chart-indicators-note")).ToContainTextAsync("daily closes");
        await Page.GetByRole(AriaRole.Button, new() { Name = "5Y", Exact = true }).ClickAsync();
        await Expect(chart).ToHaveAttributeAsync("data-overlays", "sma:20");
        await Expect(chart).ToHaveAttributeAsync("data-panes", "rsi,macd");
    }

    [Test]
    public async Task The_readout_keeps_the_bar_under_the_pointer_while_trades_come_in()
    {
        var chart = await OpenChartAsync("ATW");
        var readout = Page.GetByTestId("chart-readout");

        // Trades at the price already shown (the last quote, or the last close before any): only their time is new. The
        // first one gives the chart today's bar; the one under the pointer then has the same place before and after the second.
        var quote = await App.WithDbAsync(db => (from q in db.Quotes
                                                 join i in db.Instruments on q.InstrumentId equals i.Id
                                                 where i.Ticker == "ATW"
                                                 select new { q.Last, q.Volume }).SingleOrDefaultAsync());
        var price = quote?.Last ?? await LastCloseAsync("ATW");
        var volume = quote?.Volume ?? 0;
        async Task<DateTimeOffset> TradeAsync()
        {
            volume += 10;
            var at = await Ticks.WriteAsync(App, ("ATW", price, volume));
            await Eventually.ValueAsync(async () => long.TryParse(await chart.GetAttributeAsync("data-quote-time"), out var t) ? t : 0,
                t => t >= at.ToUnixTimeMilliseconds(), "the chart to take in the trade");
            return at;
        }
        var first = await TradeAsync();
        var today = new DateTimeOffset(ExchangeCalendar.ExchangeDate(first).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)).ToUnixTimeSeconds()
            .ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Expect(readout).ToHaveAttributeAsync("data-time", today);

        var box = (await chart.BoundingBoxAsync())!;
        await Page.Mouse.MoveAsync(box.X + box.Width * 0.3f, box.Y + box.Height * 0.5f);
        await Expect(readout).Not.ToHaveAttributeAsync("data-time", today);
        var hovered = await readout.GetAttributeAsync("data-time");
        await TradeAsync();
        await Expect(readout).ToHaveAttributeAsync("data-time", hovered!);

        // Off the chart, the readout is the live bar again.
        await Page.Mouse.MoveAsync(box.X + box.Width * 0.5f, box.Y + box.Height + 150);
        await Expect(readout).ToHaveAttributeAsync("data-time", today);
    }

    [Test]
    public async Task The_indicator_lines_follow_the_live_price()
    {
        var chart = await OpenChartAsync("ATW");
        await OpenIndicatorsAsync(Page);
        await Page.GetByLabel("Simple moving average (SMA)").CheckAsync();
        await Page.GetByLabel("SMA period (sessions)").FillAsync("5");
        await Page.GetByLabel("SMA period (sessions)").BlurAsync();
        await Page.GetByLabel("RSI (14) with 30 and 70 lines").CheckAsync();
        await Expect(chart).ToHaveAttributeAsync("data-overlays", "sma:5");
        await Expect(chart).ToHaveAttributeAsync("data-panes", "volume,rsi");
        var before = await chart.GetAttributeAsync("data-indicator-last");
        var points = int.Parse((await chart.GetAttributeAsync("data-points"))!, System.Globalization.CultureInfo.InvariantCulture);

        // A trade 8 % above the last close: today's point appears at that price, and with it new last values of the lines,
        // as the server computes them.
        var last = await LastCloseAsync("ATW");
        await Ticks.WriteAsync(App, ("ATW", Math.Round(last * 1.08m, 2)));
        await Expect(chart).Not.ToHaveAttributeAsync("data-indicator-last", before!, new() { Timeout = 40_000 });
        var drawn = System.Text.Json.JsonDocument.Parse((await chart.GetAttributeAsync("data-indicator-last"))!).RootElement;
        using var api = await App.CreateClient().GetAsync("/analytics/chart/ATW?range=3M&overlays=sma:5&panes=rsi:14");
        var served = System.Text.Json.JsonDocument.Parse(await api.Content.ReadAsStringAsync()).RootElement;
        Assert.That(served.GetProperty("live").GetBoolean(), Is.True, "today's session at the live price is the last point");
        var sma = served.GetProperty("overlays")[0].GetProperty("values");
        var rsi = served.GetProperty("panes")[0].GetProperty("values");
        Assert.That(drawn.GetProperty("sma:5").GetDouble(), Is.EqualTo(sma[sma.GetArrayLength() - 1].GetDouble()).Within(1e-9));
        Assert.That(drawn.GetProperty("rsi:14").GetDouble(), Is.EqualTo(rsi[rsi.GetArrayLength() - 1].GetDouble()).Within(1e-9));
        // The same range, with today's session as one more bar drawn from the live price.
        await Expect(chart).ToHaveAttributeAsync("data-loaded-range", "3M");
        await Expect(chart).ToHaveAttributeAsync("data-points", (points + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Test]
    public async Task Comparing_with_MASI_puts_the_prices_and_overlays_on_a_percent_scale()
    {
        var chart = await OpenChartAsync("IAM");
        await OpenIndicatorsAsync(Page);
        await Page.GetByLabel("Bollinger bands (20, 2)").CheckAsync();
        await Expect(chart).ToHaveAttributeAsync("data-overlays", "bb:20:2");
        var plain = await chart.EvaluateAsync<string>("el => el.chartLabels().price");
        Assert.That(plain, Does.Not.Contain("%"));
        await Page.GetByTestId("chart-compare").SelectOptionAsync("MASI");
        await Expect(chart).ToHaveAttributeAsync("data-compare", "MASI");
        await Expect(chart).ToHaveAttributeAsync("data-overlays", "bb:20:2");
        var percent = await chart.EvaluateAsync<string>("el => el.chartLabels().price");
        Assert.That(percent, Does.EndWith("%"), "both series rebased to 0 % at the range's start");
    }

    private Task<int> ListAsync(string email, params string[] tickers) => App.WithDbAsync(async db =>
    {
        var userId = await db.Users.Where(u => u.NormalizedEmail == email.ToUpperInvariant()).Select(u => u.Id).SingleAsync();
        var ids = await db.Set<Instrument>().Where(i => tickers.Contains(i.Ticker)).ToDictionaryAsync(i => i.Ticker, i => i.Id);
        var list = new Watchlist
        {
            UserId = userId, Name = "Banks", CreatedAt = DateTimeOffset.UtcNow,
            Items = [.. tickers.Select((t, n) => new WatchlistItem { InstrumentId = ids[t], Position = n, AddedAt = DateTimeOffset.UtcNow })],
        };
        db.Add(list);
        await db.SaveChangesAsync();
        return list.Id;
    });

    [Test]
    public async Task The_watchlist_page_shows_the_correlation_heatmap_and_each_stocks_risk()
    {
        await Page.SetViewportSizeAsync(1366, 900);
        var email = await SignInNewUserAsync(Page, "heatmap");
        var id = await ListAsync(email, "ATW", "IAM", "CDM");
        await Page.GotoAsync($"/watchlists/{id}");
        var matrix = Page.GetByTestId("correlation-matrix");
        await Expect(matrix).ToBeVisibleAsync();
        await Expect(matrix.Locator("td.corr")).ToHaveCountAsync(9);
        await Expect(matrix.Locator("td[data-a='ATW'][data-b='ATW']")).ToHaveTextAsync("+1.00");
        await Expect(matrix.Locator("td[data-a='ATW'][data-b='IAM']")).ToHaveClassAsync(new Regex(@"\bcorr-(10|[0-9])\b"));
        await Expect(Page.GetByTestId("correlation-legend").Locator("li")).ToHaveCountAsync(5);
        await Expect(Page.GetByTestId("risk-table").Locator("tbody tr")).ToHaveCountAsync(3);
        await Expect(Page.GetByTestId("risk-table").Locator("tr[data-ticker='IAM'] [data-cell='volatility']")).ToContainTextAsync("%");
        await Page.GetByRole(AriaRole.Link, new() { Name = "1 year" }).ClickAsync();
        await Expect(Page.GetByTestId("watchlist-analytics")).ToHaveAttributeAsync("data-period", "1Y");
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "1 year" })).ToHaveAttributeAsync("aria-current", "true");
        await AssertNoSeriousAxeFindingsAsync(Page);
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task On_a_phone_the_panes_stack_and_nothing_scrolls_sideways(string language)
    {
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        var errors = new ConsoleErrors(page);
        var email = await SignInNewUserAsync(page, "phone");
        await page.GotoAsync("/stocks/ATW");
        var chart = page.GetByTestId("chart");
        await Expect(chart).ToHaveAttributeAsync("data-loaded-range", new Regex("."));
        await OpenIndicatorsAsync(page);
        await page.Locator("#ind-ema").CheckAsync();
        await page.Locator("#ind-macd").CheckAsync();
        await Expect(chart).ToHaveAttributeAsync("data-panes", "volume,macd");
        await Expect(chart).ToHaveAttributeAsync("data-overlays", "ema:20");
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);

        var id = await ListAsync(email, "ATW", "IAM", "CDM", "BCP");
        await page.GotoAsync($"/watchlists/{id}");
        await Expect(page.GetByTestId("correlation-matrix").Locator("td.corr")).ToHaveCountAsync(16);
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);
        Assert.That(errors.Take(), Is.Empty);
    }
}
