using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Features.Trading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// The paper-trading pages in a real browser: open an account, buy at market and see the fill toast and the holding, a
/// limit below the market filling live when the price comes down (through the ingest path), cancel and modify, a
/// refused order's message next to its field, reset after confirming, the stock page's ticket, phones in English and
/// Arabic, axe.
/// </summary>
public sealed class PaperPagesTests : BrowserTest
{
    private readonly LogRecorder _logs = new();

    protected override Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp => _logs.AddTo;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // The simulated market trades around the clock: orders fill whatever the hour of the run.
        ["MarketData:Simulated:DemoMode"] = "true",
    };

    [TearDown]
    public void PrintServerErrors() => _logs.WriteExceptions(TestContext.Out);

    /// <summary>The day's cumulative volume this test has traded so far: every trade adds to it, as the feed's would.</summary>
    private long _volume;

    /// <summary>One trade through the ingest path (normalise, store, NOTIFY) with a rising cumulative volume, so orders may fill.</summary>
    private async Task TradeAsync(string ticker, decimal price, long volume = 10_000)
    {
        _volume += volume;
        await using var scope = App.Services.CreateAsyncScope();
        var ingest = ActivatorUtilities.CreateInstance<IngestService>(scope.ServiceProvider);
        var state = await ingest.LoadAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        now = now.AddTicks(-(now.Ticks % 10));
        var (ticks, problems) = state.Normalizer.Normalize([new ProviderQuote(ticker, price, now, Volume: _volume)], "Test");
        Assert.That(problems, Is.Empty);
        await scope.ServiceProvider.GetRequiredService<QuoteStore>().WriteAsync(ticks, CancellationToken.None);
    }

    /// <summary>A price on ATW's grid a few percent under its reference (inside the day's band), and ATW's reference.</summary>
    private async Task<(decimal Reference, decimal Tick)> AtwAsync()
    {
        await TradeAsync("ATW", 747.4m, volume: 100);
        var reference = await App.WithDbAsync(async db =>
        {
            var id = await db.Set<Instrument>().Where(i => i.Ticker == "ATW").Select(i => i.Id).SingleAsync();
            return (await db.Set<Quote>().SingleAsync(q => q.InstrumentId == id)).PreviousClose;
        });
        var tick = TickGrid.TickAt(TickGrid.Defaults, reference);
        return (TickGrid.Down(TickGrid.Defaults, reference), tick);
    }

    private async Task<int> OpenAccountAsync(string email, string name = "Practice")
    {
        var userId = (await App.FindUserAsync(email))!.Id;
        await using var scope = App.Services.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<PaperAccounts>().OpenAsync(userId, new PaperAccountInput(name, 100_000m), CancellationToken.None);
        Assert.That(outcome.Error, Is.Null);
        return outcome.Value!.Id;
    }

    private static string Invariant(decimal value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task FillTicketAsync(string ticker, string type, long quantity, decimal? limit = null, string side = "buy")
    {
        var ticket = Page.GetByTestId("order-ticket");
        await ticket.GetByTestId("ticket-ticker").FillAsync(ticker);
        await ticket.GetByTestId("side-" + side).CheckAsync();
        await ticket.GetByTestId("ticket-type").SelectOptionAsync(type);
        await ticket.GetByTestId("ticket-quantity").FillAsync(quantity.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (limit is { } l)
        {
            await ticket.GetByTestId("ticket-limit").FillAsync(Invariant(l));
        }
    }

    [Test]
    public async Task Open_an_account_buy_at_market_and_see_the_fill_toast_and_the_holding()
    {
        var (price, _) = await AtwAsync();
        await SignInNewUserAsync(Page, "paper-market");
        // On a desktop the portfolios page leads there (the header's link is in the phone menu).
        await Page.GetByTestId("nav-portfolios").ClickAsync();
        await Page.GetByTestId("portfolios-paper-link").ClickAsync();
        await Expect(Page.GetByTestId("no-paper-accounts")).ToBeVisibleAsync();

        // The name is required: said next to the field.
        await Page.GetByTestId("open-account").ClickAsync();
        await Expect(Page.GetByTestId("error-name")).Not.ToBeEmptyAsync();
        await Expect(Page.Locator("#open-cash")).ToHaveValueAsync("100000");
        await Page.Locator("#open-name").FillAsync("Practice");
        await Page.GetByTestId("open-account").ClickAsync();
        await Expect(Page.GetByTestId("paper-account-name")).ToHaveTextAsync("Practice");
        await Expect(Page.GetByTestId("status")).ToHaveTextAsync("Paper account opened. Place your first order below.");
        await Expect(Page.GetByTestId("summary-cash")).ToContainTextAsync("100,000.00");

        // A market order: the ticket hides the limit, checks as the user types (fees and total), then it fills at the next trade.
        await FillTicketAsync("ATW", "Market", 10);
        await Expect(Page.GetByTestId("ticket-limit")).ToBeHiddenAsync();
        await Expect(Page.GetByTestId("ticket-fees")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("ticket-total")).ToContainTextAsync("MAD");
        await Page.GetByTestId("place-order").ClickAsync();
        await Expect(Page.GetByTestId("status")).ToContainTextAsync("Buy order placed: 10 ATW");
        await Expect(Page.GetByTestId("open-order")).ToHaveCountAsync(1);

        await TradeAsync("ATW", price);
        await Expect(Page.GetByTestId("toast")).ToContainTextAsync("ATW", new() { Timeout = 15_000 });
        var holding = Page.Locator("[data-testid=paper-holding][data-ticker=ATW]");
        await Expect(holding.GetByTestId("holding-quantity")).ToHaveTextAsync("10");
        await Expect(Page.GetByTestId("no-open-orders")).ToBeVisibleAsync();
        await Expect(Page.Locator("[data-testid=history-order][data-state=Filled]").GetByTestId("fills")).ToContainTextAsync("10");
        // The same portfolio is the portfolio pages' holdings.
        await Page.GetByTestId("paper-portfolio-link").ClickAsync();
        await Expect(Page.GetByTestId("holdings")).ToContainTextAsync("ATW");
    }

    [Test]
    public async Task A_limit_below_the_market_fills_live_when_the_price_comes_down()
    {
        var (price, tick) = await AtwAsync();
        var email = await SignInNewUserAsync(Page, "paper-limit");
        var id = await OpenAccountAsync(email);
        await Page.GotoAsync($"/paper/{id}");
        var limit = price - 20 * tick;
        await FillTicketAsync("ATW", "Limit", 5, limit);
        await Page.GetByTestId("place-order").ClickAsync();
        var order = Page.GetByTestId("open-order");
        await Expect(order).ToHaveCountAsync(1);
        await Expect(order.GetByTestId("order-state")).ToHaveTextAsync("Open");
        await Expect(Page.GetByTestId("summary-reserved")).Not.ToHaveTextAsync("0.00 MAD");

        // Above the limit: nothing fills. The page is not reloaded from here on (the marker survives).
        // A second order that must fill at that trade proves the trade was processed before the first is looked at.
        await FillTicketAsync("ATW", "Limit", 1, price);
        await Page.GetByTestId("place-order").ClickAsync();
        await Expect(order).ToHaveCountAsync(2);
        await Page.EvaluateAsync("() => { window.paperMarker = 1; }");
        await TradeAsync("ATW", price);
        var holding = Page.Locator("[data-testid=paper-holding][data-ticker=ATW]").GetByTestId("holding-quantity");
        await Expect(holding).ToHaveTextAsync("1", new() { Timeout = 15_000 });
        await Expect(order).ToHaveCountAsync(1);
        await Expect(order.GetByTestId("order-state")).ToHaveTextAsync("Open");
        await TradeAsync("ATW", limit - tick);
        await Expect(Page.GetByTestId("no-open-orders")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(holding).ToHaveTextAsync("6");
        await Expect(Page.GetByTestId("summary-reserved")).ToHaveTextAsync("0.00 MAD");
        await Expect(Page.Locator("[data-testid=history-order][data-state=Filled]")).ToHaveCountAsync(2);
        Assert.That(await Page.EvaluateAsync<int>("() => window.paperMarker"), Is.EqualTo(1), "updated in place, not reloaded");
    }

    [Test]
    public async Task Modify_then_cancel_an_order()
    {
        var (price, tick) = await AtwAsync();
        var email = await SignInNewUserAsync(Page, "paper-cancel");
        var id = await OpenAccountAsync(email);
        await Page.GotoAsync($"/paper/{id}");
        await FillTicketAsync("ATW", "Limit", 3, price - 30 * tick);
        await Page.GetByTestId("place-order").ClickAsync();
        var order = Page.GetByTestId("open-order");
        await Expect(order).ToHaveCountAsync(1);

        // A price off the tick grid is refused in place: the form stays open with what was typed and the order is unchanged.
        var offGrid = price - 25 * tick + tick / 2;
        await order.GetByTestId("modify-order").ClickAsync();
        await order.Locator("input[name='Modify.LimitPrice']").FillAsync(Invariant(offGrid));
        await order.Locator("input[name='Modify.Quantity']").FillAsync("5");
        await order.GetByTestId("save-modify").ClickAsync();
        await Expect(order.GetByTestId("modify-error")).ToContainTextAsync("move in steps of");
        await Expect(order.Locator("input[name='Modify.LimitPrice']")).ToHaveValueAsync(Invariant(offGrid));
        await Expect(order.Locator("input[name='Modify.Quantity']")).ToHaveValueAsync("5");
        await Expect(order.GetByTestId("order-terms")).ToContainTextAsync((price - 30 * tick).ToString("N2", System.Globalization.CultureInfo.GetCultureInfo("en-US")));

        var moved = price - 25 * tick;
        await order.Locator("input[name='Modify.LimitPrice']").FillAsync(Invariant(moved));
        await order.Locator("input[name='Modify.Quantity']").FillAsync("4");
        await order.GetByTestId("save-modify").ClickAsync();
        await Expect(Page.GetByTestId("status")).ToHaveTextAsync("Order modified.");
        await Expect(order.GetByTestId("order-terms")).ToContainTextAsync(moved.ToString("N2", System.Globalization.CultureInfo.GetCultureInfo("en-US")));

        await order.GetByTestId("cancel-order").ClickAsync();
        await Expect(Page.GetByTestId("status")).ToHaveTextAsync("Order cancelled.");
        await Expect(Page.GetByTestId("no-open-orders")).ToBeVisibleAsync();
        var done = Page.Locator("[data-testid=history-order][data-state=Cancelled]");
        await Expect(done.GetByTestId("history-reason")).ToHaveTextAsync("Cancelled by you");
        await Expect(Page.GetByTestId("summary-cash")).ToContainTextAsync("100,000.00");
    }

    [Test]
    public async Task An_open_modify_form_keeps_what_was_typed_while_another_order_fills_and_the_ticket_keeps_its_choices()
    {
        var (price, tick) = await AtwAsync();
        var email = await SignInNewUserAsync(Page, "paper-busy");
        var id = await OpenAccountAsync(email);
        await Page.GotoAsync($"/paper/{id}");
        await FillTicketAsync("ATW", "Limit", 3, price - 30 * tick);
        await Page.GetByTestId("place-order").ClickAsync();
        await FillTicketAsync("ATW", "Limit", 2, price);
        await Page.GetByTestId("place-order").ClickAsync();
        var orders = Page.GetByTestId("open-order");
        await Expect(orders).ToHaveCountAsync(2);

        // The far order's Modify form is opened and typed in; the near order fills meanwhile.
        // Newest first: the far order is the second row.
        var farId = await orders.Nth(1).GetAttributeAsync("data-order");
        var far = Page.Locator($"[data-testid=open-order][data-order='{farId}']");
        await far.GetByTestId("modify-order").ClickAsync();
        await far.Locator("input[name='Modify.Quantity']").FillAsync("7");
        await TradeAsync("ATW", price);
        await Expect(Page.Locator("[data-testid=paper-holding][data-ticker=ATW]").GetByTestId("holding-quantity")).ToHaveTextAsync("2", new() { Timeout = 15_000 });
        await Expect(Page.Locator("[data-testid=history-order][data-state=Filled]")).ToHaveCountAsync(1);
        await Expect(far.Locator("details.order-modify")).ToHaveAttributeAsync("open", "");
        await Expect(far.Locator("input[name='Modify.Quantity']")).ToHaveValueAsync("7");

        // Hiding and showing the tab renews the stream: the ticket's chosen type and validity stay.
        await Page.GetByTestId("ticket-type").SelectOptionAsync("Stop");
        await Page.EvaluateAsync("() => { const flip = (h) => { Object.defineProperty(document, 'hidden', { configurable: true, get: () => h }); document.dispatchEvent(new Event('visibilitychange')); }; flip(true); flip(false); }");
        await Expect(Page.Locator("[sse-connect][data-live-source]")).ToHaveCountAsync(1);
        await Expect(Page.GetByTestId("ticket-type")).ToHaveValueAsync("Stop");
    }

    [Test]
    public async Task A_fractional_quantity_is_refused_in_the_users_language()
    {
        await AtwAsync();
        var email = NewEmail("paper-fr");
        await RegisterAsync(App.CreateClient(), email);
        await App.WithDbAsync(db => db.Users.Where(u => u.Email == email).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, "fr")));
        await SignInAsync(Page, email);
        var id = await OpenAccountAsync(email);
        await Page.GotoAsync($"/paper/{id}");
        const string Whole = "Saisissez un nombre entier d'actions, au moins 1.";
        await FillTicketAsync("ATW", "Market", 1);
        await Page.GetByTestId("ticket-quantity").FillAsync("10.5");
        await Expect(Page.GetByTestId("error-Quantity")).ToHaveTextAsync(Whole);
        // The field is marked invalid while its error shows (screen readers hear it).
        await Expect(Page.GetByTestId("ticket-quantity")).ToHaveAttributeAsync("aria-invalid", "true");

        // Posted anyway: the refused form comes back with what was typed and the refusal next to it, and the live check
        // that runs when it loads (its panel proves it ran) says the same instead of clearing it.
        await Page.GetByTestId("place-order").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/paper/{id}\\?handler=Order$"));
        await Expect(Page.GetByTestId("ticket-problem")).ToHaveTextAsync(Whole);
        await Expect(Page.GetByTestId("error-Quantity")).ToHaveTextAsync(Whole);
        await Expect(Page.GetByTestId("ticket-quantity")).ToHaveValueAsync("10.5");

        // Corrected, the error and the invalid mark go as the user types.
        await Page.GetByTestId("ticket-quantity").FillAsync("10");
        await Expect(Page.GetByTestId("error-Quantity")).ToBeEmptyAsync();
        await Expect(Page.GetByTestId("ticket-quantity")).ToHaveAttributeAsync("aria-invalid", "false");
        Assert.That(await App.WithDbAsync(db => db.Set<PaperOrder>().CountAsync(o => o.AccountId == id)), Is.Zero, "nothing was placed");
    }

    [Test]
    public async Task A_refused_order_says_why_next_to_its_field_as_the_user_types_and_after_posting()
    {
        var (price, tick) = await AtwAsync();
        var email = await SignInNewUserAsync(Page, "paper-refused");
        var id = await OpenAccountAsync(email);
        await Page.GotoAsync($"/paper/{id}");

        // Off the tick grid: told while typing, before anything is sent.
        await FillTicketAsync("ATW", "Limit", 5, price - tick / 2);
        await Expect(Page.GetByTestId("error-LimitPrice")).Not.ToBeEmptyAsync();
        await Expect(Page.GetByTestId("ticket-problem")).ToBeVisibleAsync();
        // The form posted anyway: the same refusal next to the field, nothing placed.
        await Page.GetByTestId("place-order").ClickAsync();
        await Expect(Page.GetByTestId("error-LimitPrice")).Not.ToBeEmptyAsync();
        await Expect(Page.GetByTestId("ticket-limit")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(Page.GetByTestId("no-open-orders")).ToBeVisibleAsync();

        // Outside the day's thresholds.
        await Page.GetByTestId("ticket-limit").FillAsync(Invariant(TickGrid.Down(TickGrid.Defaults, price * 1.5m)));
        await Expect(Page.GetByTestId("error-LimitPrice")).Not.ToBeEmptyAsync();

        // More than the cash: back on the grid and in the band, a quantity too large.
        await Page.GetByTestId("ticket-limit").FillAsync(Invariant(price));
        await Page.GetByTestId("ticket-quantity").FillAsync("100000");
        await Expect(Page.GetByTestId("ticket-problem")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("error-LimitPrice")).ToBeEmptyAsync();
        await Page.GetByTestId("place-order").ClickAsync();
        await Expect(Page.Locator("#order-ticket .field-error:not(:empty), #order-ticket .alert-error")).Not.ToHaveCountAsync(0);
        await Expect(Page.GetByTestId("no-open-orders")).ToBeVisibleAsync();
    }

    [Test]
    public async Task Reset_asks_first_and_keeps_the_run()
    {
        var (price, tick) = await AtwAsync();
        var email = await SignInNewUserAsync(Page, "paper-reset");
        var id = await OpenAccountAsync(email);
        await Page.GotoAsync($"/paper/{id}");
        await FillTicketAsync("ATW", "Limit", 2, price - 30 * tick);
        await Page.GetByTestId("place-order").ClickAsync();
        await Expect(Page.GetByTestId("open-order")).ToHaveCountAsync(1);

        await Expect(Page.GetByTestId("confirm-reset")).ToBeHiddenAsync();
        await Page.GetByTestId("reset-account").ClickAsync();
        await Expect(Page.GetByTestId("confirm-reset")).ToBeVisibleAsync();
        await Page.GetByTestId("confirm-reset").ClickAsync();
        await Expect(Page.GetByTestId("status")).ToContainTextAsync("Run 1 ended at 100,000.00");
        await Expect(Page.GetByTestId("no-open-orders")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("paper-run")).ToHaveCountAsync(1);
        await Expect(Page.GetByTestId("paper-summary")).ToContainTextAsync("Run 2");
        await Expect(Page.GetByTestId("summary-cash")).ToContainTextAsync("100,000.00");
        await Expect(Page.GetByTestId("run-equity")).ToContainTextAsync("100,000.00");
    }

    [Test]
    public async Task Delete_asks_first_and_removes_the_account_with_its_orders()
    {
        var (price, tick) = await AtwAsync();
        var email = await SignInNewUserAsync(Page, "paper-delete");
        var kept = await OpenAccountAsync(email, "Kept");
        var id = await OpenAccountAsync(email, "Gone");
        await Page.GotoAsync($"/paper/{id}");
        await FillTicketAsync("ATW", "Limit", 2, price - 30 * tick);
        await Page.GetByTestId("place-order").ClickAsync();
        await Expect(Page.GetByTestId("open-order")).ToHaveCountAsync(1);

        await Expect(Page.GetByTestId("confirm-delete")).ToBeHiddenAsync();
        await Page.GetByTestId("delete-account").ClickAsync();
        await Page.GetByTestId("confirm-delete").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/paper$"));
        await Expect(Page.GetByTestId("status")).ToContainTextAsync("Gone");
        await Expect(Page.GetByTestId("paper-account")).ToHaveCountAsync(1);
        await Expect(Page.GetByTestId("paper-account")).ToHaveAttributeAsync("data-id", kept.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(await App.WithDbAsync(db => db.Set<PaperOrder>().CountAsync(o => o.AccountId == id)), Is.Zero, "its orders went with it");
        var gone = await Page.GotoAsync($"/paper/{id}");
        Assert.That(gone!.Status, Is.EqualTo(404));
    }

    [Test]
    public async Task The_stock_page_loads_a_ticket_for_a_signed_in_user_with_an_account()
    {
        var (price, _) = await AtwAsync();
        var email = await SignInNewUserAsync(Page, "paper-stock");
        await Page.GotoAsync("/stocks/ATW");
        await Expect(Page.GetByTestId("ticket-no-account")).ToBeVisibleAsync();

        var id = await OpenAccountAsync(email);
        await Page.GotoAsync("/stocks/ATW");
        var ticket = Page.GetByTestId("paper-ticket");
        await Expect(ticket.GetByTestId("ticket-band")).ToBeVisibleAsync();
        await ticket.GetByTestId("ticket-type").SelectOptionAsync("Limit");
        await ticket.GetByTestId("ticket-quantity").FillAsync("1");
        await ticket.GetByTestId("ticket-limit").FillAsync(Invariant(price));
        await Expect(ticket.GetByTestId("ticket-ok")).ToBeVisibleAsync();
        await ticket.GetByTestId("place-order").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/paper/{id}$"));
        await Expect(Page.GetByTestId("status")).ToContainTextAsync("Buy order placed: 1 ATW");
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task Phone_layout_fits_and_axe_finds_nothing_serious(string language)
    {
        var (price, tick) = await AtwAsync();
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        var errors = new ConsoleErrors(page);
        var email = NewEmail("paper-phone");
        await RegisterAsync(App.CreateClient(), email);
        await App.WithDbAsync(db => db.Users.Where(u => u.Email == email).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, language)));
        await SignInAsync(page, email);
        var id = await OpenAccountAsync(email, "Téléphone d'essai avec un nom assez long");
        // On a phone the header's menu leads there.
        await page.GotoAsync("/market");
        await page.Locator(".menu-toggle").ClickAsync();
        await page.GetByTestId("nav-paper").ClickAsync();
        await page.GetByTestId("paper-account").First.Locator("a").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/paper/{id}$"));
        var ticket = page.GetByTestId("order-ticket");
        await ticket.GetByTestId("ticket-ticker").FillAsync("ATW");
        await ticket.GetByTestId("ticket-quantity").FillAsync("3");
        await ticket.GetByTestId("ticket-limit").FillAsync(Invariant(price - 30 * tick));
        await Expect(ticket.GetByTestId("ticket-figures")).ToBeVisibleAsync();
        await ticket.GetByTestId("place-order").ClickAsync();
        await Expect(page.GetByTestId("open-order")).ToHaveCountAsync(1);
        await page.GetByTestId("modify-order").ClickAsync();
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);
        await AssertNoSidewaysScrollAsync(page, "/paper");
        await AssertNoSeriousAxeFindingsAsync(page);
        await AssertNoSidewaysScrollAsync(page, "/paper/ticket?ticker=ATW");
        Assert.That(errors.Take(), Is.Empty);
    }
}
