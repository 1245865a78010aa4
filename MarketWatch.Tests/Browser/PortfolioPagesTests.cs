using MarketWatch.Tests.Features.Portfolios;
using MarketWatch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// The portfolio pages in a real browser: create one from the list, the holdings with hand-computed figures, the value
/// moving live, the performance chart switching ranges in place, allocation donuts, the home block, phones in English
/// and Arabic, axe, and another user's portfolio.
/// </summary>
public sealed class PortfolioPagesTests : BrowserTest
{
    private readonly LogRecorder _logs = new();

    protected override Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp => _logs.AddTo;

    [TearDown]
    public void PrintServerErrors() => _logs.WriteExceptions(TestContext.Out);

    private async Task<string> UserIdAsync(string email) => (await App.FindUserAsync(email))!.Id;

    [Test]
    public async Task Create_a_portfolio_from_the_list_rename_it_and_delete_it_after_confirming()
    {
        await SignInNewUserAsync(Page, "pf-create");
        await Page.GetByTestId("nav-portfolios").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/portfolios$"));
        await Expect(Page.GetByTestId("no-portfolios")).ToBeVisibleAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = "Create the portfolio" }).ClickAsync();
        await Expect(Page.GetByTestId("name-error")).ToHaveTextAsync("Enter a name for the portfolio.");
        await Expect(Page.Locator("#Name")).ToHaveAttributeAsync("aria-invalid", "true");

        await Page.Locator("#Name").FillAsync("Retirement");
        await Page.Locator("#AccountAtBank").CheckAsync();
        await Expect(Page.Locator("#bank-hint")).ToContainTextAsync("0.20 %");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create the portfolio" }).ClickAsync();
        await Expect(Page.GetByTestId("portfolio-name")).ToHaveTextAsync("Retirement");
        await Expect(Page.GetByTestId("portfolio-empty")).ToBeVisibleAsync();

        await Page.GotoAsync("/portfolios");
        var card = Page.GetByTestId("portfolio-card");
        await Expect(card).ToHaveCountAsync(1);
        await card.Locator("summary").First.ClickAsync();
        await card.Locator("input[name=name]").FillAsync("Retirement (PEA)");
        await card.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Page.GetByTestId("status")).ToHaveTextAsync("Portfolio saved.");
        await Expect(Page.GetByTestId("portfolio-link")).ToHaveTextAsync("Retirement (PEA)");

        // Delete asks first: the button that deletes appears only once the user opened the confirmation.
        await card.Locator("summary").First.ClickAsync();
        await Expect(card.GetByTestId("confirm-delete")).ToBeHiddenAsync();
        await card.GetByText("Delete this portfolio…").ClickAsync();
        await Expect(card.GetByTestId("confirm-delete")).ToBeVisibleAsync();
        await card.GetByTestId("confirm-delete").ClickAsync();
        await Expect(Page.GetByTestId("status")).ToHaveTextAsync("Portfolio deleted.");
        await Expect(Page.GetByTestId("no-portfolios")).ToBeVisibleAsync();
    }

    [Test]
    public async Task The_holdings_show_the_hand_computed_figures_and_the_value_moves_live()
    {
        await Ticks.WriteAsync(App, ("ATW", 760m), ("IAM", 101.2m));
        var email = await SignInNewUserAsync(Page, "pf-live");
        var id = await PagesSeed.AddAsync(App, await UserIdAsync(email));
        await Page.GotoAsync($"/portfolios/{id}");

        var atw = Page.Locator("#holding-ATW");
        await Expect(atw.GetByTestId("quantity")).ToHaveTextAsync("15");
        await Expect(atw.GetByTestId("average-cost")).ToHaveTextAsync("551.00");
        await Expect(atw.GetByTestId("last")).ToHaveTextAsync("760.00");
        await Expect(atw.GetByTestId("market-value")).ToHaveTextAsync("11,400.00");
        await Expect(atw.GetByTestId("unrealized")).ToContainTextAsync("+3,135.00");
        await Expect(atw.GetByTestId("unrealized")).ToContainTextAsync("+37.93 %");
        await Expect(atw.GetByTestId("weight")).ToHaveTextAsync("52.97 %");
        await Expect(atw.GetByTestId("realized")).ToHaveTextAsync("+740.00");
        await Expect(atw.GetByTestId("dividends")).ToHaveTextAsync("270.00");
        await Expect(Page.Locator("#holding-IAM").GetByTestId("market-value")).ToHaveTextAsync("10,120.00");
        await Expect(Page.GetByTestId("summary-value")).ToHaveTextAsync("21,520.00 MAD");
        // Invested without cash tracked: buys with fees (21,020) − the sale's net proceeds (3,384) − the net dividend (270).
        await Expect(Page.GetByTestId("summary-invested")).ToHaveTextAsync("17,366.00 MAD");
        await Expect(Page.GetByTestId("summary-total")).ToContainTextAsync("+4,154.00 MAD");
        await Expect(atw.Locator("a.ticker")).ToHaveAttributeAsync("href", "/stocks/ATW");

        // One slice per holding, labelled; the numbers are in the legend table too.
        var slices = Page.GetByTestId("allocation-holding").GetByTestId("allocation-slice");
        await Expect(slices).ToHaveCountAsync(2);
        Assert.That(await slices.EvaluateAllAsync<string[]>("s => s.map(e => e.dataset.key)"), Is.EqualTo(new[] { "ATW", "IAM" }));
        await Expect(Page.GetByTestId("allocation-holding").GetByTestId("allocation-legend")).ToContainTextAsync("52.97 %");

        // A tick moves the market value and the summary without a reload.
        await Page.EvaluateAsync("() => { window.__samePage = true; }");
        await Expect(Page.Locator("[data-live-status]")).ToHaveAttributeAsync("data-state", "live");
        await Ticks.WriteAsync(App, ("ATW", 770m));
        await Expect(atw.GetByTestId("market-value")).ToHaveTextAsync("11,550.00");
        await Expect(atw.GetByTestId("last")).ToHaveTextAsync("770.00");
        await Expect(Page.GetByTestId("summary-value")).ToHaveTextAsync("21,670.00 MAD");
        await Expect(Page.GetByTestId("summary-total")).ToContainTextAsync("+4,304.00 MAD");
        await Expect(atw.GetByTestId("weight")).ToHaveTextAsync("53.30 %");
        await Expect(Page.Locator("#holding-IAM").GetByTestId("weight")).ToHaveTextAsync("46.70 %");
        Assert.That(await Page.EvaluateAsync<bool>("() => window.__samePage === true"), Is.True, "no reload");
    }

    [Test]
    public async Task The_performance_chart_draws_and_the_range_buttons_switch_its_series_in_place()
    {
        var email = await SignInNewUserAsync(Page, "pf-chart");
        var id = await PagesSeed.AddAsync(App, await UserIdAsync(email));
        await Page.GotoAsync($"/portfolios/{id}");
        var chart = Page.GetByTestId("perf-chart");
        await Expect(chart.Locator("canvas").First).ToBeVisibleAsync();
        await Expect(chart).ToHaveAttributeAsync("data-range", "1Y");
        await Expect(chart).Not.ToHaveAttributeAsync("data-points", "");
        var yearPoints = int.Parse((await chart.GetAttributeAsync("data-points"))!);
        await Expect(Page.GetByTestId("perf-readout")).ToContainTextAsync("1 year: this portfolio");

        await Page.EvaluateAsync("() => { window.__samePage = true; }");
        await Page.Locator("button[data-perf-range='1M']").ClickAsync();
        await Expect(chart).ToHaveAttributeAsync("data-range", "1M");
        await Expect(Page.Locator("button[data-perf-range='1M']")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(Page.GetByTestId("perf-readout")).ToContainTextAsync("1 month: this portfolio");
        var monthPoints = int.Parse((await chart.GetAttributeAsync("data-points"))!);
        Assert.That(monthPoints, Is.LessThan(yearPoints).And.GreaterThan(10));

        await Page.Locator("button[data-perf-range='ALL']").ClickAsync();
        await Expect(chart).ToHaveAttributeAsync("data-range", "ALL");
        Assert.That(int.Parse((await chart.GetAttributeAsync("data-points"))!), Is.GreaterThan(yearPoints), "the history goes back 400 days");
        Assert.That(await Page.EvaluateAsync<bool>("() => window.__samePage === true"), Is.True, "no reload");

        // Every range's figures are in the table, "—" where a figure is not defined.
        await Expect(Page.GetByTestId("perf-figures").Locator("tbody tr")).ToHaveCountAsync(8);
        await Expect(Page.GetByTestId("perf-figures").Locator("tr[data-range='1Y'] [data-testid=twr]")).ToContainTextAsync("%");
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task On_a_phone_the_portfolio_pages_fit_without_sideways_scroll_and_pass_axe(string language)
    {
        await Ticks.WriteAsync(App, ("ATW", 760m), ("IAM", 101.2m));
        var email = NewEmail("pf-phone");
        await RegisterAsync(App.CreateClient(), email);
        var userId = await UserIdAsync(email);
        var id = await PagesSeed.AddAsync(App, userId, "A rather long portfolio name to see it wrap on a phone");
        await PagesSeed.AddEmptyAsync(App, userId, "Empty");
        await App.WithDbAsync(db => db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, language)));
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        var errors = new ConsoleErrors(page);
        await SignInAsync(page, email);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);

        await Expect(page.GetByTestId("home-portfolio")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("bottom-portfolios")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page);

        await page.GetByTestId("bottom-portfolios").ClickAsync();
        await Expect(page.GetByTestId("portfolio-card")).ToHaveCountAsync(2);
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);

        await page.GotoAsync($"/portfolios/{id}");
        await Expect(page.GetByTestId("perf-chart").Locator("canvas").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("perf-chart")).Not.ToHaveAttributeAsync("data-points", "");
        await page.Locator("details.month-figures > summary").ClickAsync();
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);
        Assert.That(errors.Take(), Is.Empty);
    }

    [Test]
    public async Task Another_users_portfolio_is_the_404_page()
    {
        var owner = NewEmail("pf-owner");
        await RegisterAsync(App.CreateClient(), owner);
        var id = await PagesSeed.AddAsync(App, await UserIdAsync(owner));
        await SignInNewUserAsync(Page, "pf-other");
        var response = await Page.GotoAsync($"/portfolios/{id}");
        Assert.That(response!.Status, Is.EqualTo(404));
        await Expect(Page.GetByTestId("error-page")).ToHaveAttributeAsync("data-status", "404");
        await Expect(Page.GetByText("Long term")).ToHaveCountAsync(0);
    }
}
