using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// Entering and editing portfolio transactions in a real browser: from the stock page and a watchlist row, the preview
/// before saving, the consistency rule shown in place, filters kept in the address, phones in English and Arabic.
/// </summary>
public sealed class PortfolioTransactionsTests : BrowserTest
{
    private static readonly Regex TransactionsUrl = new(@"/portfolios/(\d+)/transactions$");

    private ILocator Rows(IPage page) => page.GetByTestId("tx-row");

    private Task<int> CountAsync(int portfolioId) =>
        App.WithDbAsync(db => db.Set<PortfolioTransaction>().CountAsync(t => t.PortfolioId == portfolioId));

    /// <summary>A portfolio of <paramref name="email"/> with the given (type, ticker, date, quantity, price) lines, fees 0.</summary>
    private Task<int> PortfolioAsync(string email, params (TransactionType Type, string Ticker, DateOnly Date, decimal Quantity, decimal Price)[] lines) =>
        App.WithDbAsync(async db =>
        {
            var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
            var portfolio = new Portfolio { UserId = userId, Name = "Main", CreatedAt = DateTimeOffset.UtcNow };
            db.Add(portfolio);
            await db.SaveChangesAsync();
            foreach (var (type, ticker, date, quantity, price) in lines)
            {
                var instrument = await db.Set<Instrument>().Where(i => i.Ticker == ticker).Select(i => i.Id).SingleAsync();
                db.Add(new PortfolioTransaction
                {
                    PortfolioId = portfolio.Id, Type = type, Date = date, InstrumentId = instrument, Quantity = quantity, Price = price,
                    Amount = quantity * price, CreatedAt = DateTimeOffset.UtcNow, Note = type == TransactionType.Sell ? "Taking profit" : null,
                });
            }
            await db.SaveChangesAsync();
            return portfolio.Id;
        });

    private static async Task FillAsync(IPage page, string key, string type, string date, string quantity, string price)
    {
        await page.Locator($"#tx-{key}-Type").SelectOptionAsync(type);
        await page.Locator($"#tx-{key}-Date").FillAsync(date);
        await page.Locator($"#tx-{key}-Quantity").FillAsync(quantity);
        await page.Locator($"#tx-{key}-Price").FillAsync(price);
    }

    [Test]
    public async Task Buys_and_a_sell_from_the_stock_page_with_a_preview_before_saving_then_the_holding()
    {
        await Ticks.WriteAsync(App, ("IAM", 100m));
        var email = await SignInNewUserAsync(Page, "txflow");
        var errors = new ConsoleErrors(Page);

        // No portfolio yet: the stock page's "Add a transaction" offers to create one right there.
        await Page.GotoAsync("/stocks/IAM");
        await Page.GetByTestId("add-transaction").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex(@"/portfolios/add\?ticker=IAM$"));
        await Page.Locator("#portfolio-name").FillAsync("Main");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create the portfolio" }).ClickAsync();

        // The form comes prefilled: the ticker, a buy, today, the last price.
        await Expect(Page.Locator("#tx-new-Ticker")).ToHaveValueAsync("IAM");
        await Expect(Page.Locator("#tx-new-Type")).ToHaveValueAsync("Buy");
        await Expect(Page.Locator("#tx-new-Price")).ToHaveValueAsync("100");
        await Expect(Page.Locator("#tx-new-Date")).Not.ToHaveValueAsync("");
        await Expect(Page.GetByTestId("fee-note")).ToContainTextAsync("broker's statement");

        // The preview: average cost and fees (the schedule's estimate on 1,000 MAD: 0.7 % + 10 % VAT = 7.70) before saving.
        await Page.Locator("#tx-new-Date").FillAsync("2026-03-02");
        await Page.Locator("#tx-new-Quantity").FillAsync("10");
        await Expect(Page.GetByTestId("preview-fees")).ToContainTextAsync("7.70");
        await Expect(Page.GetByTestId("preview-average-cost")).ToContainTextAsync("100.77");
        await Expect(Page.GetByTestId("preview-quantity")).ToContainTextAsync("10");
        await Expect(Page.Locator("#tx-new-Fees")).ToHaveAttributeAsync("placeholder", "7.7");
        var portfolioId = await App.WithDbAsync(db => db.Set<Portfolio>().Where(p => db.Users.Any(u => u.Id == p.UserId && u.Email == email)).Select(p => p.Id).SingleAsync());
        Assert.That(await CountAsync(portfolioId), Is.Zero, "nothing is stored before Save");

        await Page.GetByTestId("tx-save").ClickAsync();
        await Expect(Page).ToHaveURLAsync(TransactionsUrl);
        await Expect(Page.GetByTestId("status")).ToContainTextAsync("Main");
        await Expect(Rows(Page)).ToHaveCountAsync(1);

        // A second buy at another price, from the stock page again: the portfolio is chosen in the form now.
        await Page.GotoAsync("/stocks/IAM");
        await Page.GetByTestId("add-transaction").ClickAsync();
        await Expect(Page.Locator("#tx-new-PortfolioId")).ToHaveValueAsync(portfolioId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await FillAsync(Page, "new", "Buy", "2026-03-03", "10", "120");
        await Expect(Page.GetByTestId("preview-quantity")).ToContainTextAsync("20");
        await Page.GetByTestId("tx-save").ClickAsync();
        await Expect(Rows(Page)).ToHaveCountAsync(2);

        // A sell: the preview shows the realized gain, and the dividend-only fields stay hidden.
        await Page.GotoAsync("/stocks/IAM");
        await Page.GetByTestId("add-transaction").ClickAsync();
        await FillAsync(Page, "new", "Sell", "2026-03-04", "5", "130");
        await Expect(Page.GetByTestId("preview-realized")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("preview-quantity")).ToContainTextAsync("15");
        await Expect(Page.Locator("#tx-new-Amount")).ToBeHiddenAsync();
        await Page.GetByTestId("tx-save").ClickAsync();
        await Expect(Rows(Page)).ToHaveCountAsync(3);
        await Expect(Rows(Page).First).ToHaveAttributeAsync("data-type", "Sell");

        // The holding: 15 shares at the average cost of the buys (fees included).
        var holding = await App.WithDbAsync(async db =>
        {
            var transactions = await db.Set<PortfolioTransaction>().Where(t => t.PortfolioId == portfolioId).AsNoTracking().ToListAsync();
            return Ledger.Replay(transactions).Positions.Values.Single();
        });
        Assert.That(holding.Quantity, Is.EqualTo(15m));
        // What the page shows of it: the next transaction's preview starts from 15.
        await FillAsync(Page, "new", "Sell", "2026-03-05", "1", "130");
        await Page.Locator("#tx-new-Ticker").FillAsync("IAM");
        await Expect(Page.GetByTestId("preview-quantity")).ToContainTextAsync("15");
        await Expect(Page.GetByTestId("preview-quantity")).ToContainTextAsync("14");
        Assert.That(await CountAsync(portfolioId), Is.EqualTo(3));
        errors.AssertNone();
    }

    [Test]
    public async Task A_sell_beyond_holdings_and_a_back_dated_edit_that_breaks_a_later_sell_are_refused_in_place()
    {
        var email = await SignInNewUserAsync(Page, "txrule");
        var id = await PortfolioAsync(email,
            (TransactionType.Buy, "IAM", new DateOnly(2026, 3, 2), 10, 100),
            (TransactionType.Sell, "IAM", new DateOnly(2026, 3, 10), 8, 110));
        await Page.GotoAsync($"/portfolios/{id}/transactions");
        await Expect(Rows(Page)).ToHaveCountAsync(2);

        // A sell of more than is held: the preview says so, Save is refused, nothing is stored.
        await FillAsync(Page, "new", "Sell", "2026-03-12", "50", "100");
        await Page.Locator("#tx-new-Ticker").FillAsync("IAM");
        await Expect(Page.GetByTestId("tx-preview-error")).ToBeVisibleAsync();
        await Page.GetByTestId("tx-save").ClickAsync();
        var refusal = Page.Locator("#tx-form-new .field-error, #tx-form-new [data-testid=tx-error]");
        await Expect(refusal.First).ToBeVisibleAsync();
        await Expect(Page.Locator("#tx-new-Quantity")).ToHaveValueAsync("50");
        Assert.That(await CountAsync(id), Is.EqualTo(2), "the refused sell was not stored");

        // Editing the buy down to 5 shares would make the later sell of 8 impossible: refused in the row, naming that sell.
        var buy = Rows(Page).Filter(new() { Has = Page.Locator("[data-testid=tx-edit]") }).Last;
        await buy.GetByTestId("tx-edit").ClickAsync();
        var editor = Page.GetByTestId("tx-edit-row");
        await Expect(editor).ToBeVisibleAsync();
        await editor.Locator("input[name='Input.Quantity']").FillAsync("5");
        await editor.GetByTestId("tx-save").ClickAsync();
        var inPlace = Page.GetByTestId("tx-edit-row").Locator(".field-error, [data-testid=tx-error]").First;
        await Expect(inPlace).ToBeVisibleAsync();
        // The sell it would break, by its quantity and its date together, and what would be held then.
        await Expect(inPlace).ToContainTextAsync(new Regex(@"\b8 IAM on 10 Mar 2026\b"));
        await Expect(inPlace).ToContainTextAsync(new Regex(@"\b5 are held\b"));
        var stored = await App.WithDbAsync(db => db.Set<PortfolioTransaction>().Where(t => t.PortfolioId == id).OrderBy(t => t.Date).Select(t => t.Quantity).ToListAsync());
        Assert.That(stored, Is.EqualTo(new[] { 10m, 8m }), "the edit was not saved");

        // Cancel brings the row back; deleting the buy is refused in place too.
        await Page.GetByTestId("tx-edit-row").GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
        await Expect(Page.GetByTestId("tx-edit-row")).ToHaveCountAsync(0);
        Page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await Rows(Page).Last.GetByTestId("tx-delete").ClickAsync();
        await Expect(Rows(Page).Last.GetByTestId("tx-row-error")).ToBeVisibleAsync();
        Assert.That(await CountAsync(id), Is.EqualTo(2), "the buy was not deleted");

        // Deleting the sell is fine.
        await Rows(Page).First.GetByTestId("tx-delete").ClickAsync();
        await Expect(Rows(Page)).ToHaveCountAsync(1);
        Assert.That(await CountAsync(id), Is.EqualTo(1));
    }

    [Test]
    public async Task Filters_narrow_the_list_and_survive_reload_and_back()
    {
        var email = await SignInNewUserAsync(Page, "txfilter");
        var id = await PortfolioAsync(email,
            (TransactionType.Buy, "IAM", new DateOnly(2026, 3, 2), 10, 100),
            (TransactionType.Buy, "ATW", new DateOnly(2026, 4, 2), 5, 500),
            (TransactionType.Sell, "IAM", new DateOnly(2026, 5, 2), 4, 110));
        await Page.GotoAsync($"/portfolios/{id}/transactions");
        await Expect(Rows(Page)).ToHaveCountAsync(3);

        await Page.Locator("#filter-type").SelectOptionAsync("Buy");
        await Expect(Page).ToHaveURLAsync(new Regex(@"type=Buy"));
        await Expect(Rows(Page)).ToHaveCountAsync(2);
        await Page.Locator("#filter-ticker").FillAsync("atw");
        await Page.Locator("#filter-ticker").PressAsync("Enter");
        await Expect(Page).ToHaveURLAsync(new Regex(@"ticker=atw", RegexOptions.IgnoreCase));
        await Expect(Rows(Page)).ToHaveCountAsync(1);
        await Expect(Rows(Page).First).ToHaveAttributeAsync("data-ticker", "ATW");

        await Page.ReloadAsync();
        await Expect(Rows(Page)).ToHaveCountAsync(1);
        await Expect(Page.Locator("#filter-type")).ToHaveValueAsync("Buy");
        await Expect(Page.Locator("#filter-ticker")).ToHaveValueAsync("ATW");

        await Page.GoBackAsync();
        await Expect(Page).Not.ToHaveURLAsync(new Regex("ticker=atw", RegexOptions.IgnoreCase));
        await Expect(Rows(Page)).ToHaveCountAsync(2);
        await Page.GoBackAsync();
        await Expect(Rows(Page)).ToHaveCountAsync(3);

        await Page.Locator("#filter-from").FillAsync("2026-04-01");
        await Page.Locator("#filter-to").FillAsync("2026-04-30");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Filter", Exact = true }).ClickAsync();
        await Expect(Rows(Page)).ToHaveCountAsync(1);
        await Expect(Page).ToHaveURLAsync(new Regex("from=2026-04-01"));
    }

    [Test]
    public async Task The_watchlist_row_menu_leads_to_the_prefilled_form()
    {
        await Ticks.WriteAsync(App, ("ATW", 500m));
        var email = await SignInNewUserAsync(Page, "txwl");
        await PortfolioAsync(email);
        await Page.GotoAsync("/watchlists");
        await Page.Locator("#Name").FillAsync("Banks");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create the list" }).ClickAsync();
        await Page.Locator("#add-search").FillAsync("ATW");
        await Page.GetByTestId("add-ATW").ClickAsync();
        await Expect(Page.Locator("#row-ATW")).ToBeVisibleAsync();

        await Page.Locator("#row-ATW [data-row-menu]").ClickAsync();
        await Page.Locator("#menu-ATW").GetByTestId("add-transaction").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex(@"/portfolios/add\?ticker=ATW$"));
        await Expect(Page.Locator("#tx-new-Ticker")).ToHaveValueAsync("ATW");
        await Expect(Page.Locator("#tx-new-Type")).ToHaveValueAsync("Buy");
        await Expect(Page.Locator("#tx-new-Price")).ToHaveValueAsync("500");
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task Phone_layout_without_sideways_scroll(string language)
    {
        var email = NewEmail("txphone");
        await RegisterAsync(App.CreateClient(), email);
        var id = await PortfolioAsync(email,
            (TransactionType.Buy, "IAM", new DateOnly(2026, 3, 2), 1250, 118.35m),
            (TransactionType.Buy, "ATW", new DateOnly(2026, 4, 2), 40, 612.5m),
            (TransactionType.Sell, "IAM", new DateOnly(2026, 5, 2), 400, 131.2m));
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        var errors = new ConsoleErrors(page);
        await SignInAsync(page, email);

        await page.GotoAsync($"/portfolios/{id}/transactions");
        await Expect(Rows(page)).ToHaveCountAsync(3);
        await FillAsync(page, "new", "Sell", "2026-05-03", "10", "130");
        await page.Locator("#tx-new-Ticker").FillAsync("IAM");
        await Expect(page.GetByTestId("preview-quantity")).ToBeVisibleAsync();
        // "before → after" reads left to right in both languages: the figure before sits left of the one after (bold).
        var beforeLeftOfAfter = await page.GetByTestId("preview-quantity").Locator("dd").EvaluateAsync<bool>("""
            dd => {
                const walker = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT, { acceptNode: n => n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP });
                const range = document.createRange();
                range.selectNodeContents(walker.nextNode());
                return range.getBoundingClientRect().left < dd.querySelector('strong').getBoundingClientRect().left;
            }
            """);
        Assert.That(beforeLeftOfAfter, Is.True, "the arrow points from before to after");
        // The back arrow points to the start of the line: mirrored exactly when the page reads right to left.
        var arrow = await page.GetByTestId("back-to-portfolio").Locator(".back-arrow").EvaluateAsync<string>(
            "a => (document.documentElement.dir === 'rtl') + ' ' + (getComputedStyle(a).transform !== 'none')");
        Assert.That(arrow, Is.EqualTo("true true").Or.EqualTo("false false"));
        await AssertNoSidewaysScrollAsync(page);
        var form = await page.Locator("#tx-form-new").BoundingBoxAsync();
        var quantity = await page.Locator("#tx-new-Quantity").BoundingBoxAsync();
        var price = await page.Locator("#tx-new-Price").BoundingBoxAsync();
        Assert.That(price!.Y, Is.GreaterThan(quantity!.Y + quantity.Height - 1), "one column on a phone");
        Assert.That(form!.Width, Is.LessThanOrEqualTo(360));

        await Rows(page).First.GetByTestId("tx-edit").ClickAsync();
        await Expect(page.GetByTestId("tx-edit-row")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page);

        await AssertNoSidewaysScrollAsync(page, "/portfolios/add?ticker=IAM");
        await Expect(page.Locator("#tx-new-Ticker")).ToHaveValueAsync("IAM");
        errors.AssertNone();
    }

    [Test]
    public async Task No_serious_accessibility_findings()
    {
        var email = await SignInNewUserAsync(Page, "txaxe");
        var id = await PortfolioAsync(email,
            (TransactionType.Buy, "IAM", new DateOnly(2026, 3, 2), 10, 100),
            (TransactionType.Sell, "IAM", new DateOnly(2026, 3, 10), 8, 110));
        await Page.SetViewportSizeAsync(1366, 900);
        await Page.GotoAsync($"/portfolios/{id}/transactions");
        await FillAsync(Page, "new", "Buy", "2026-03-12", "5", "100");
        await Page.Locator("#tx-new-Ticker").FillAsync("IAM");
        await Expect(Page.GetByTestId("preview-quantity")).ToBeVisibleAsync();
        await AssertNoSeriousAxeFindingsAsync(Page);
        await AssertNoSidewaysScrollAsync(Page);

        await Rows(Page).Last.GetByTestId("tx-edit").ClickAsync();
        await Expect(Page.GetByTestId("tx-edit-row")).ToBeVisibleAsync();
        await AssertNoSeriousAxeFindingsAsync(Page);

        await Page.GotoAsync("/portfolios/add?ticker=IAM");
        await AssertNoSeriousAxeFindingsAsync(Page);
    }
}
