using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>Sharing in a browser: the Share button, the Open Graph tags, following a shared list, phones in English and Arabic.</summary>
public sealed class SocialSharingTests : BrowserTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["MarketData:Simulated:DemoMode"] = "true" };

    /// <summary>An owner whose default list holds ATW and is shared; returns the link's token.</summary>
    private async Task<string> SharedListAsync()
    {
        var email = NewEmail("owner");
        await RegisterAsync(App.CreateClient(), email);
        var (userId, id) = await App.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Email == email);
            return (user.Id, await db.Set<Watchlist>().Where(w => w.UserId == user.Id).Select(w => w.Id).SingleAsync());
        });
        await using var scope = App.Services.CreateAsyncScope();
        var lists = scope.ServiceProvider.GetRequiredService<WatchlistService>();
        Assert.That((await lists.AddItemAsync(userId, id, "ATW", null, null, CancellationToken.None)).Error, Is.Null);
        return (await lists.ShareAsync(userId, id, true, CancellationToken.None)).Value!;
    }

    [Test]
    public async Task The_share_button_copies_the_page_link_on_a_desktop_and_says_so()
    {
        await Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await Page.GotoAsync("/stocks/ATW");
        var image = await Page.Locator("meta[property='og:image']").GetAttributeAsync("content");
        Assert.That(image, Does.Match("^https?://.+/preview/stock/ATW\\.png$"), "an absolute image URL");
        Assert.That(await Page.Locator("meta[name='twitter:card']").GetAttributeAsync("content"), Is.EqualTo("summary_large_image"));

        await Page.GetByTestId("share-button").ClickAsync();
        await Expect(Page.GetByTestId("share-status")).ToHaveTextAsync("Link copied");
        Assert.That(await Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"), Does.Match("^https?://.+/stocks/ATW$"));
        await AssertNoSeriousAxeFindingsAsync(Page);
    }

    [Test]
    public async Task A_visitor_follows_a_shared_list_and_finds_it_under_following()
    {
        var token = await SharedListAsync();
        await SignInNewUserAsync(Page, "follower");
        await Page.GotoAsync($"/w/{token}");
        await Page.GetByTestId("follow-button").ClickAsync();
        await Expect(Page.GetByTestId("unfollow-button")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("follow-notify")).ToBeCheckedAsync();
        await AssertNoSeriousAxeFindingsAsync(Page);

        // Notices off, by the checkbox alone (htmx posts it on change).
        await Page.GetByTestId("follow-notify").UncheckAsync();
        await Expect(Page.GetByTestId("follow-notify")).Not.ToBeCheckedAsync();
        await Page.ReloadAsync();
        await Expect(Page.GetByTestId("follow-notify")).Not.ToBeCheckedAsync();

        await Page.GotoAsync("/watchlists");
        await Expect(Page.GetByTestId("following").GetByTestId("followed-list")).ToHaveTextAsync("My watchlist");
        await Page.GetByTestId("followed-list").ClickAsync();
        await Expect(Page.GetByTestId("list-name")).ToHaveTextAsync("My watchlist");
        await Page.GetByTestId("unfollow-button").ClickAsync();
        await Expect(Page.GetByTestId("follow-button")).ToBeVisibleAsync();
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task Shared_pages_fit_a_phone(string language)
    {
        var token = await SharedListAsync();
        var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        await SignInNewUserAsync(page, "phone");
        await page.GotoAsync($"/w/{token}");
        await page.GetByTestId("follow-button").ClickAsync();
        await Expect(page.GetByTestId("unfollow-button")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("share-button")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);
        await AssertNoSidewaysScrollAsync(page, "/watchlists");
        await Expect(page.GetByTestId("followed-list")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page, "/stocks/ATW");
        await Expect(page.GetByTestId("share-button")).ToBeVisibleAsync();
        await context.CloseAsync();
    }
}
