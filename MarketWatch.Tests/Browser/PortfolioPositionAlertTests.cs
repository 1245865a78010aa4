using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>A stop-loss reminder on a position, from the holdings row's link to the alert list, on a phone.</summary>
public sealed class PortfolioPositionAlertTests : BrowserTest
{
    private readonly LogRecorder _logs = new();

    protected override Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp => _logs.AddTo;

    [TearDown]
    public void PrintServerErrors() => _logs.WriteExceptions(TestContext.Out);

    [TestCase("en")]
    [TestCase("ar")]
    public async Task The_holdings_link_opens_the_form_ready_and_a_portfolio_without_the_stock_is_a_field_error(string language)
    {
        await Ticks.WriteAsync(App, ("ATW", 600m));
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        var email = await SignInNewUserAsync(page, "position-alert");
        var (holding, empty) = await App.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.NormalizedEmail == email.ToUpperInvariant());
            var atw = await db.Instruments.Where(i => i.Ticker == "ATW").Select(i => i.Id).SingleAsync();
            var holding = new Portfolio
            {
                UserId = user.Id, Name = "Banks", CreatedAt = DateTimeOffset.UtcNow,
                Transactions = [new() { Type = TransactionType.Buy, Date = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-9), InstrumentId = atw, Quantity = 10, Price = 500m, Amount = 5000m, CreatedAt = DateTimeOffset.UtcNow }],
            };
            var empty = new Portfolio { UserId = user.Id, Name = "Empty", CreatedAt = DateTimeOffset.UtcNow };
            db.AddRange(holding, empty);
            await db.SaveChangesAsync();
            return (holding.Id, empty.Id);
        });

        // A portfolio that does not hold the stock (a hand-edited link): the field says so, nothing is saved.
        await page.GotoAsync($"/alerts/new?ticker=ATW&portfolio={empty}&condition=PositionPnlCrosses");
        await page.Locator("form[data-testid=alert-form] button[type=submit]").ClickAsync();
        await Expect(page.Locator("[data-valmsg-for='Input.PortfolioId']")).Not.ToBeEmptyAsync();

        // The bell on the portfolio page's ATW row opens the form filled in.
        await page.GotoAsync($"/portfolios/{holding}");
        await page.Locator("#holding-ATW [data-testid=holding-alert]").ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/alerts/new?ticker=ATW", StringComparison.Ordinal));
        await Expect(page.GetByTestId("portfolio-field")).ToBeVisibleAsync();
        await Expect(page.Locator("#Input_PortfolioId")).ToHaveValueAsync(holding.ToString());
        await Expect(page.Locator("#Input_Level")).ToHaveValueAsync("-10");
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);
        await page.Locator("form[data-testid=alert-form] button[type=submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/alerts$"));
        // Average cost 500, 10 % under it: 450.
        await Expect(page.GetByTestId("alerts")).ToContainTextAsync("450.00");

        // Another condition hides the portfolio field.
        await page.GotoAsync("/alerts/new?ticker=ATW");
        await Expect(page.GetByTestId("portfolio-field")).ToBeHiddenAsync();
    }
}
