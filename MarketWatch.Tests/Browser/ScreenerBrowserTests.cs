using MarketWatch.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// The screener as a user builds a screen: the results narrow as filters are set, the URL holds the filter through a
/// reload and the back button, a bad value is marked beside its field, a screen is saved, reopened and renamed, and
/// its results go into a watchlist. Phones in English and Arabic do not scroll sideways; axe finds nothing serious.
/// </summary>
public sealed class ScreenerBrowserTests : BrowserTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Simulated:DemoMode"] = "true",
    };

    private static async Task<int> TotalAsync(IPage page) =>
        int.Parse(await page.GetByTestId("screener-count").GetAttributeAsync("data-total") ?? "-1");

    [Test]
    public async Task The_rows_shown_follow_the_market_while_it_trades()
    {
        var errors = new ConsoleErrors(Page);
        await Page.SetViewportSizeAsync(1366, 900);
        await Page.GotoAsync("/screener?sector=Financials&cols=last,volume");
        await Expect(Page.Locator("[data-live-status]")).ToHaveAttributeAsync("data-state", "live");
        var row = Page.Locator("#row-ADH");
        await Expect(row).ToBeVisibleAsync();
        await Expect(Page.Locator("[data-live-status] .text")).ToHaveTextAsync("Live");
        var other = await Page.Locator("#row-ATW [data-cell=last]").TextContentAsync();

        // Two trades of one stock: its row's price and volume move in place (one event carries every row that moved).
        var price = 40m + Random.Shared.Next(1, 99) / 100m;
        await Ticks.WriteAsync(App, ("ADH", price, 23_456L));
        await Expect(row.Locator("[data-cell=last]")).ToHaveTextAsync(price.ToString("N2", System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 15_000 });
        await Expect(row.Locator("[data-cell=volume]")).ToContainTextAsync("23,456");
        await Ticks.WriteAsync(App, ("ADH", price + 0.5m, 34_567L));
        await Expect(row.Locator("[data-cell=volume]")).ToContainTextAsync("34,567", new() { Timeout = 15_000 });
        await Expect(row.Locator("[data-cell=last]")).ToHaveTextAsync((price + 0.5m).ToString("N2", System.Globalization.CultureInfo.InvariantCulture));
        // Once both updates are shown: the other rows are as they were, and the table was not re-rendered.
        Assert.That(await Page.Locator("#row-ATW [data-cell=last]").TextContentAsync(), Is.EqualTo(other));
        errors.AssertNone("the screener while it trades");
    }

    [Test]
    public async Task A_screen_is_built_kept_in_the_url_saved_reopened_and_added_to_a_watchlist()
    {
        var errors = new ConsoleErrors(Page);
        await SignInNewUserAsync(Page, "screener");
        await Page.GotoAsync("/screener");
        var all = await TotalAsync(Page);
        Assert.That(all, Is.GreaterThan(50));
        // On a wide screen the filters are always shown, with no fold to open.
        await Expect(Page.GetByTestId("screener-panel").Locator("> summary")).Not.ToBeVisibleAsync();
        await Expect(Page.Locator("#f-rsiMin")).ToBeVisibleAsync();

        // A sector narrows the results and lands in the URL.
        await Page.Locator(".screener-sectors summary").ClickAsync();
        await Page.Locator("input[name=sector][value=Financials]").CheckAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/screener\?sector=Financials$"));
        await Expect(Page.GetByTestId("screener-count")).Not.ToHaveAttributeAsync("data-total", all.ToString());
        var financials = await TotalAsync(Page);
        Assert.That(financials, Is.InRange(11, all - 1));
        var rows = Page.GetByTestId("screener-table").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(financials);

        // A bad value is marked beside its field; the results and the URL stay.
        await Page.Locator("#f-rsiMin").FillAsync("abc");
        await Page.Locator("#f-rsiMin").PressAsync("Enter");
        await Expect(Page.GetByTestId("err-rsiMin")).ToHaveTextAsync("rsiMin must be a number between 0 and 100.");
        await Expect(rows).ToHaveCountAsync(financials);
        Assert.That(Page.Url, Does.EndWith("/screener?sector=Financials"));
        await Page.Locator("#f-rsiMin").FillAsync("");

        // A second filter narrows further; a reload and the back button keep each state.
        await Page.Locator("#f-priceMin").FillAsync("100");
        await Page.Locator("#f-priceMin").PressAsync("Enter");
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"sector=Financials&priceMin=100$"));
        await Expect(Page.GetByTestId("err-rsiMin")).ToBeEmptyAsync();
        var narrowed = await TotalAsync(Page);
        Assert.That(narrowed, Is.LessThan(financials));
        await Page.ReloadAsync();
        await Expect(Page.Locator("#f-priceMin")).ToHaveValueAsync("100");
        await Expect(Page.Locator("input[name=sector][value=Financials]")).ToBeCheckedAsync();
        Assert.That(await TotalAsync(Page), Is.EqualTo(narrowed));
        await Page.GoBackAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/screener\?sector=Financials$"));
        await Expect(Page.GetByTestId("screener-count")).ToHaveAttributeAsync("data-total", financials.ToString());

        // Saved under a name, listed, reopened from the list.
        await Page.Locator("#screen-name").FillAsync("Financials");
        await Page.GetByTestId("save-screen").Locator("button").ClickAsync();
        await Expect(Page.GetByTestId("screener-status")).ToContainTextAsync("Screen saved as Financials.");
        await Page.GotoAsync("/screener");
        await Expect(Page.GetByTestId("screener-count")).ToHaveAttributeAsync("data-total", all.ToString());
        await Page.GetByTestId("saved-screens").GetByRole(AriaRole.Link, new() { Name = "Financials" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/screener\?sector=Financials$"));
        await Expect(Page.GetByTestId("screener-count")).ToHaveAttributeAsync("data-total", financials.ToString());

        // Every result into the default watchlist, then seen there.
        var first = await rows.First.Locator("th a").InnerTextAsync();
        await Page.GetByTestId("add-all").Locator("button").ClickAsync();
        await Expect(Page.GetByTestId("screener-status")).ToContainTextAsync($"{financials} added to My watchlist; 0 already there; 0 refused");
        await Page.GotoAsync("/watchlists");
        await Page.GetByTestId("lists").GetByRole(AriaRole.Link, new() { Name = "My watchlist" }).ClickAsync();
        await Expect(Page.GetByTestId("watchlist-table").Locator("tbody tr")).ToHaveCountAsync(financials);
        await Expect(Page.GetByTestId("watchlist-table")).ToContainTextAsync(first);

        // Renamed in place: a name already taken is refused beside the field (what was typed stays), a free one is kept
        // with the same filter.
        await Page.GotoAsync("/screener");
        await Page.Locator("#screen-name").FillAsync("Everything");
        await Page.GetByTestId("save-screen").Locator("button").ClickAsync();
        await Expect(Page.GetByTestId("screener-status")).ToContainTextAsync("Screen saved as Everything.");
        var saved = Page.GetByTestId("saved-screens").Locator("li").Filter(new() { Has = Page.GetByRole(AriaRole.Link, new() { Name = "Financials", Exact = true }) });
        await saved.GetByText("Rename", new() { Exact = true }).ClickAsync();
        await saved.GetByLabel("New name for Financials").FillAsync("everything");
        await saved.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(saved.GetByTestId("rename-error")).ToHaveTextAsync("You already have a screen called everything.");
        await Expect(saved.GetByLabel("New name for Financials")).ToHaveValueAsync("everything");
        await saved.GetByLabel("New name for Financials").FillAsync("Banks");
        await saved.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId("screener-status")).ToHaveTextAsync("Screen renamed to Banks.");
        await Expect(Page.GetByTestId("saved-screens").GetByRole(AriaRole.Link, new() { Name = "Banks", Exact = true })).ToHaveAttributeAsync("href", "/screener?sector=Financials");
        await Expect(Page.GetByTestId("saved-screens").GetByRole(AriaRole.Link, new() { Name = "Financials", Exact = true })).ToHaveCountAsync(0);

        // Deleted after a confirmation.
        Page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Delete the saved screen Banks" }).ClickAsync();
        await Expect(Page.GetByTestId("screener-status")).ToHaveTextAsync("Saved screen deleted.");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Delete the saved screen Everything" }).ClickAsync();
        await Expect(Page.GetByTestId("saved-screens")).ToHaveCountAsync(0);
        errors.AssertNone();
    }

    [Test]
    public async Task Sorting_by_a_column_header_orders_the_rows_and_pages_follow()
    {
        await Page.GotoAsync("/screener?sort=cap&dir=desc&cols=cap,last");
        var header = Page.GetByTestId("screener-table").Locator("th[aria-sort=descending]");
        await Expect(header).ToContainTextAsync("Market cap");
        await Page.Locator("th a[data-sort=ticker]").ClickAsync();
        await Expect(Page.GetByTestId("screener-table").Locator("th[aria-sort=ascending]")).ToContainTextAsync("Ticker");
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"cols=cap%2Clast$|cols=cap,last$"));
        var tickers = await Page.GetByTestId("screener-table").Locator("tbody th a").AllInnerTextsAsync();
        Assert.That(tickers, Is.Ordered.Using((IComparer<string>)StringComparer.OrdinalIgnoreCase));
        Assert.That(tickers, Has.Count.EqualTo(50), "page size");
        await Page.GetByTestId("next-page").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"page=2$"));
        await Expect(Page.GetByTestId("screener-table").Locator("tbody tr")).Not.ToHaveCountAsync(50);
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task On_a_phone_the_screener_does_not_scroll_sideways_and_axe_finds_nothing_serious(string language)
    {
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        var errors = new ConsoleErrors(page);
        await page.GotoAsync("/screener?cols=change,perf,name,sector,rsi&period=Y1&sort=perf&dir=desc&rsiMin=1");
        // The results come first: the filters are folded under one line that says how many apply, and the first
        // results are on the first screen.
        var filters = page.GetByTestId("screener-panel").Locator("> summary");
        await Expect(page.GetByTestId("screener-filter-count")).ToHaveTextAsync(language == "ar" ? "· 1 نشط" : "· 1 active");
        await Expect(page.Locator("#f-rsiMin")).Not.ToBeVisibleAsync();
        await Expect(page.Locator("#screener-results tbody tr").First).ToBeInViewportAsync();
        await AssertNoSidewaysScrollAsync(page);

        // Unfolded, a filter changed there updates the results and the count.
        await filters.ClickAsync();
        var total = await TotalAsync(page);
        await page.Locator("#f-rsiMax").FillAsync("60");
        await page.Locator("#f-rsiMax").BlurAsync();
        await Expect(page.GetByTestId("screener-filter-count")).ToHaveTextAsync(language == "ar" ? "· 1 نشط" : "· 1 active");
        await Expect(page.GetByTestId("screener-count")).Not.ToHaveAttributeAsync("data-total", total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#f-priceMin").FillAsync("100");
        await page.Locator("#f-priceMin").BlurAsync();
        await Expect(page.GetByTestId("screener-filter-count")).ToHaveTextAsync(language == "ar" ? "· 2 نشط" : "· 2 active");
        await page.Locator(".screener-sectors summary").ClickAsync();
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);

        // A refused filter opens the fold, so its error is in sight.
        await page.GotoAsync("/screener?rsiMin=200");
        await Expect(page.GetByTestId("err-rsiMin")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("err-rsiMin")).Not.ToBeEmptyAsync();
        await Expect(page.GetByTestId("screener-filter-count")).ToHaveTextAsync(language == "ar" ? "· 1 للتصحيح" : "· 1 to correct");
        await AssertNoSidewaysScrollAsync(page);
        errors.AssertNone();
    }
}
