using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>The owner shares a portfolio, copies the link; a visitor opens it signed out; both pages on phones.</summary>
public sealed class PortfolioShareTests : BrowserTest
{
    private readonly LogRecorder _logs = new();

    protected override Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp => _logs.AddTo;

    [TearDown]
    public void PrintServerErrors() => _logs.WriteExceptions(TestContext.Out);

    /// <summary>A portfolio of 137 ATW at 512.34 (no fees) with a note, owned by <paramref name="email"/>.</summary>
    private Task<int> PortfolioAsync(string email) => App.WithDbAsync(async db =>
    {
        var user = await db.Users.SingleAsync(u => u.NormalizedEmail == email.ToUpperInvariant());
        var atw = await db.Instruments.Where(i => i.Ticker == "ATW").Select(i => i.Id).SingleAsync();
        var iam = await db.Instruments.Where(i => i.Ticker == "IAM").Select(i => i.Id).SingleAsync();
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-60);
        var portfolio = new Portfolio
        {
            UserId = user.Id, Name = "Retirement", Description = "Only for me", CreatedAt = DateTimeOffset.UtcNow,
            Transactions =
            [
                new() { Type = TransactionType.Buy, Date = day, InstrumentId = atw, Quantity = 137, Price = 512.34m, Amount = 137 * 512.34m, Note = "tip from my broker", CreatedAt = DateTimeOffset.UtcNow },
                new() { Type = TransactionType.Buy, Date = day, InstrumentId = iam, Quantity = 53, Price = 101.77m, Amount = 53 * 101.77m, CreatedAt = DateTimeOffset.UtcNow },
            ],
        };
        db.Add(portfolio);
        await db.SaveChangesAsync();
        return portfolio.Id;
    });

    [Test]
    public async Task The_owner_shares_and_copies_the_link_and_a_visitor_sees_weights_and_returns_without_amounts()
    {
        await Ticks.WriteAsync(App, ("ATW", 600m), ("IAM", 110m));
        var email = await SignInNewUserAsync(Page, "share");
        var id = await PortfolioAsync(email);

        await Page.GotoAsync($"/portfolios/{id}/share");
        await Expect(Page.GetByTestId("share-off")).ToBeVisibleAsync();
        await Page.GetByTestId("create-link").ClickAsync();
        await Expect(Page.GetByTestId("status")).ToContainTextAsync("Anyone with the link");
        var shareUrl = await Page.GetByTestId("share-url").InputValueAsync();
        Assert.That(shareUrl, Does.Match("/p/[A-Za-z0-9_-]{43}$"));
        await Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await Page.GetByTestId("copy-link").ClickAsync();
        await Expect(Page.GetByTestId("copy-status")).ToHaveTextAsync("Copied");
        Assert.That(await Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"), Is.EqualTo(shareUrl));
        await AssertNoSeriousAxeFindingsAsync(Page);

        await using (var anonymous = await NewContextAsync(new BrowserNewContextOptions()))
        {
            var visitor = await anonymous.NewPageAsync();
            await visitor.GotoAsync(shareUrl);
            await Expect(visitor.GetByTestId("portfolio-name")).ToHaveTextAsync("Retirement");
            await Expect(visitor.GetByTestId("shared-holding")).ToHaveCountAsync(2);
            await Expect(visitor.Locator("[data-ticker=ATW] [data-testid=weight]")).ToHaveTextAsync("93.38 %");
            await Expect(visitor.Locator("[data-ticker=ATW] [data-testid=unrealized]")).ToHaveTextAsync("+17.11 %");
            await Expect(visitor.GetByTestId("allocation")).ToBeVisibleAsync();
            var main = visitor.Locator("main");
            await Expect(main).Not.ToContainTextAsync("82,200");
            await Expect(main).Not.ToContainTextAsync("512.34");
            await Expect(main).Not.ToContainTextAsync("MAD");
            await Expect(visitor.Locator("body")).Not.ToContainTextAsync("tip from my broker");
            await Expect(visitor.Locator("body")).Not.ToContainTextAsync("Only for me");
            await Expect(visitor.Locator("header")).ToContainTextAsync("Sign in");
            await AssertNoSeriousAxeFindingsAsync(visitor);
        }

        // Amounts on: the same link shows them.
        await Page.GetByTestId("show-amounts").CheckAsync();
        await Page.GetByTestId("save-share").ClickAsync();
        await Expect(Page.GetByTestId("status")).ToContainTextAsync("Saved");
        await using (var anonymous = await NewContextAsync(new BrowserNewContextOptions()))
        {
            var visitor = await anonymous.NewPageAsync();
            await visitor.GotoAsync(shareUrl);
            await Expect(visitor.Locator("[data-ticker=ATW] [data-testid=quantity]")).ToHaveTextAsync("137");
            await Expect(visitor.GetByTestId("value")).ToContainTextAsync("88,030.00");
        }

        // Revoked: the link is a 404 page.
        await Page.GetByTestId("revoke").ClickAsync();
        await Expect(Page.GetByTestId("share-off")).ToBeVisibleAsync();
        await using (var anonymous = await NewContextAsync(new BrowserNewContextOptions()))
        {
            var visitor = await anonymous.NewPageAsync();
            var response = await visitor.GotoAsync(shareUrl);
            Assert.That(response!.Status, Is.EqualTo(404));
            await Expect(visitor.Locator("main")).Not.ToContainTextAsync("Retirement");
        }
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task Both_pages_fit_a_phone(string language)
    {
        await Ticks.WriteAsync(App, ("ATW", 600m), ("IAM", 110m));
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        var email = await SignInNewUserAsync(page, "share-phone");
        var id = await PortfolioAsync(email);
        await page.GotoAsync($"/portfolios/{id}/share");
        await page.GetByTestId("show-amounts").CheckAsync();
        await page.GetByTestId("create-link").ClickAsync();
        await Expect(page.GetByTestId("share-url")).ToBeVisibleAsync();
        var shareUrl = await page.GetByTestId("share-url").InputValueAsync();
        await AssertNoSidewaysScrollAsync(page, $"/portfolios/{id}/share");

        // The visitor's phone, with amounts shown (the widest the table gets).
        await using var anonymous = await NewPhoneContextAsync(language);
        var visitor = await anonymous.NewPageAsync();
        await AssertNoSidewaysScrollAsync(visitor, new Uri(shareUrl).PathAndQuery);
        await Expect(visitor.GetByTestId("shared-holding")).ToHaveCountAsync(2);
        await AssertNoSeriousAxeFindingsAsync(visitor);
    }
}
