using System.Net;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>
/// The portfolio's read-only share link: weights and returns for anyone with it, amounts only when the owner says so,
/// never notes, the description or who the owner is; revocable; only the owner changes it.
/// </summary>
public sealed class ShareLinkTests : AppTest
{
    private const string Note = "bought after the dinner with Karim";
    private const string Description = "Private plan for the children's studies";

    private sealed record Owner(HttpClient Client, string Id, string Email, int PortfolioId);

    /// <summary>A signed-in owner of a portfolio of 137 ATW at 512.34 and 53 IAM at 101.77 (no fees), priced at 600 and 110.</summary>
    private async Task<Owner> OwnerAsync()
    {
        await Ticks.WriteAsync(App, ("ATW", 600m), ("IAM", 110m));
        var email = NewEmail("share");
        var client = Client(false);
        await RegisterAsync(client, email);
        await SignInAsync(client, email);
        var (userId, portfolioId) = await App.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.NormalizedEmail == email.ToUpperInvariant());
            var instruments = await db.Instruments.Where(i => i.Ticker == "ATW" || i.Ticker == "IAM").ToDictionaryAsync(i => i.Ticker, i => i.Id);
            var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-40);
            var portfolio = new Portfolio
            {
                UserId = user.Id, Name = "Dividend stocks", Description = Description, CreatedAt = DateTimeOffset.UtcNow,
                Transactions =
                [
                    new() { Type = TransactionType.Buy, Date = day, InstrumentId = instruments["ATW"], Quantity = 137, Price = 512.34m, Amount = 137 * 512.34m, Note = Note, CreatedAt = DateTimeOffset.UtcNow },
                    new() { Type = TransactionType.Buy, Date = day, InstrumentId = instruments["IAM"], Quantity = 53, Price = 101.77m, Amount = 53 * 101.77m, CreatedAt = DateTimeOffset.UtcNow },
                ],
            };
            db.Add(portfolio);
            await db.SaveChangesAsync();
            return (user.Id, portfolio.Id);
        });
        return new Owner(client, userId, email, portfolioId);
    }

    private static Task<HttpResponseMessage> ShareAsync(HttpClient client, int portfolioId, bool shared, bool showAmounts = false) =>
        PostFormAsync(client, $"/portfolios/{portfolioId}/share", new Dictionary<string, string>
        {
            ["shared"] = shared ? "true" : "false",
            ["showAmounts"] = showAmounts ? "true" : "false",
        });

    private Task<string?> TokenAsync(int portfolioId) =>
        App.WithDbAsync(db => db.Portfolios.Where(p => p.Id == portfolioId).Select(p => p.ShareToken).SingleAsync());

    /// <summary>The page's own content, as the reader sees its text (Razor writes "+" as an entity).</summary>
    private static string MainOf(string html) =>
        WebUtility.HtmlDecode(html[html.IndexOf("<main", StringComparison.Ordinal)..(html.IndexOf("</main>", StringComparison.Ordinal) + 7)]);

    [Test]
    public async Task Anyone_with_the_link_sees_weights_and_returns_but_no_amount_no_note_and_nothing_of_the_owner()
    {
        var owner = await OwnerAsync();
        Assert.That((await ShareAsync(owner.Client, owner.PortfolioId, shared: true)).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var token = await TokenAsync(owner.PortfolioId);
        Assert.That(token, Has.Length.GreaterThanOrEqualTo(43), "256 random bits");

        // What the owner's page shows, worked out here: 137 × 600 = 82,200.00 of 88,030.00 in all.
        var response = await Client().GetAsync($"/p/{token}");
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        var main = MainOf(html);
        Assert.That(main, Does.Contain("Dividend stocks"));
        Assert.That(main, Does.Contain("93.38 %").And.Contain("6.62 %"), "the weights");
        Assert.That(main, Does.Contain("+17.11 %").And.Contain("+8.09 %"), "the unrealized returns");
        Assert.That(main, Does.Contain("data-testid=\"shared-performance\"").And.Contain("MASI"));
        foreach (var amount in new[] { "82,200", "88,030", "5,830", "512.34", "101.77", "70,190", "600.00", "110.00", "MAD" })
        {
            Assert.That(main, Does.Not.Contain(amount), $"an amount: {amount}");
        }
        Assert.That(Regex.IsMatch(main, @"(?<![\d.,])(137|53)(?![\d.,])"), Is.False, "a quantity");
        var text = WebUtility.HtmlDecode(html);
        Assert.That(text, Does.Not.Contain(Note).And.Not.Contain(Description), "notes and the description are private");
        Assert.That(text, Does.Not.Contain(owner.Email).And.Not.Contain("Test Investor"), "nothing about the owner");
        Assert.That(response.Headers.GetValues("X-Robots-Tag").Single(), Does.Contain("noindex"));
        Assert.That(response.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("no-referrer"));
        Assert.That(html, Does.Contain("<meta name=\"robots\" content=\"noindex, nofollow\" />"));

        // The owner chooses to show amounts: the same link shows them.
        await ShareAsync(owner.Client, owner.PortfolioId, shared: true, showAmounts: true);
        Assert.That(await TokenAsync(owner.PortfolioId), Is.EqualTo(token), "the same link");
        main = MainOf(await Client().GetStringAsync($"/p/{token}"));
        Assert.That(main, Does.Contain("82,200.00").And.Contain("512.34").And.Contain("88,030.00"));
        Assert.That(Regex.IsMatch(main, @"(?<![\d.,])137(\.00)?(?![\d.,])"), Is.True, "the quantity");
        Assert.That(main, Does.Not.Contain(Note).And.Not.Contain(Description));
    }

    [Test]
    public async Task A_French_reader_sees_the_sector_names_in_French()
    {
        var owner = await OwnerAsync();
        await ShareAsync(owner.Client, owner.PortfolioId, shared: true);
        var token = await TokenAsync(owner.PortfolioId);
        var reader = Client();
        reader.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fr");
        var main = MainOf(await reader.GetStringAsync($"/p/{token}"));
        var allocation = main[main.IndexOf("data-testid=\"allocation\"", StringComparison.Ordinal)..];
        Assert.That(allocation, Does.Contain("Sociétés financières").And.Contain("Télécommunications"), "ATW's and IAM's sectors, translated");
        Assert.That(allocation, Does.Not.Contain(">Financials<").And.Not.Contain(">Telecom<"));
    }

    [Test]
    public async Task Revoking_makes_the_link_a_404_and_sharing_again_makes_a_new_one()
    {
        var owner = await OwnerAsync();
        await ShareAsync(owner.Client, owner.PortfolioId, shared: true, showAmounts: true);
        var first = await TokenAsync(owner.PortfolioId);
        Assert.That((await Client().GetAsync($"/p/{first}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await ShareAsync(owner.Client, owner.PortfolioId, shared: false);
        Assert.That(await TokenAsync(owner.PortfolioId), Is.Null);
        var revoked = await Client().GetAsync($"/p/{first}");
        Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await revoked.Content.ReadAsStringAsync(), Does.Not.Contain("Dividend stocks"));

        await ShareAsync(owner.Client, owner.PortfolioId, shared: true);
        var second = await TokenAsync(owner.PortfolioId);
        Assert.That(second, Is.Not.Null.And.Not.EqualTo(first));
        Assert.That((await Client().GetAsync($"/p/{first}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the old link stays dead");
        Assert.That(await App.WithDbAsync(db => db.Portfolios.Where(p => p.Id == owner.PortfolioId).Select(p => p.ShareShowsAmounts).SingleAsync()), Is.False,
            "a new link starts without amounts");
        Assert.That((await Client().GetAsync("/p/no-such-token")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await Client().GetAsync("/p/" + new string('x', 65))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Another_user_cannot_see_or_change_the_share_settings()
    {
        var owner = await OwnerAsync();
        await ShareAsync(owner.Client, owner.PortfolioId, shared: true);
        var token = await TokenAsync(owner.PortfolioId);

        var email = NewEmail("intruder");
        var intruder = Client(false);
        await RegisterAsync(intruder, email);
        await SignInAsync(intruder, email);
        Assert.That((await intruder.GetAsync($"/portfolios/{owner.PortfolioId}/share")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        foreach (var (shared, amounts) in new[] { (false, false), (true, true) })
        {
            var response = await PostFormAsync(intruder, "/alerts/new", new Dictionary<string, string>
            {
                ["shared"] = shared ? "true" : "false",
                ["showAmounts"] = amounts ? "true" : "false",
            }, $"/portfolios/{owner.PortfolioId}/share");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }
        var after = await App.WithDbAsync(db => db.Portfolios.Where(p => p.Id == owner.PortfolioId).Select(p => new { p.ShareToken, p.ShareShowsAmounts }).SingleAsync());
        Assert.That((after.ShareToken, after.ShareShowsAmounts), Is.EqualTo((token, false)), "nothing changed");

        // A visitor is sent to sign in; the owner sees the link.
        var visitor = await Client().GetAsync($"/portfolios/{owner.PortfolioId}/share");
        Assert.That(visitor.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var page = await owner.Client.GetStringAsync($"/portfolios/{owner.PortfolioId}/share");
        Assert.That(page, Does.Contain($"/p/{token}"));
    }
}
