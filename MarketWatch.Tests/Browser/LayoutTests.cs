using MarketWatch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>The layout at 360 px (a small phone): no horizontal scrolling, in English and in Arabic; dark mode follows the choice.</summary>
public sealed class LayoutTests : BrowserTest
{
    private static readonly string[] PublicPages = ["/", "/account/login", "/account/register", "/account/forgot-password", "/account/resend-confirmation"];
    private static readonly string[] AccountPages =
        ["/account/manage", "/account/manage/email", "/account/manage/password", "/account/manage/two-factor", "/account/manage/privacy",
         "/account/manage/devices", "/account/manage/passkeys", "/watchlists"];

    [TestCase("en")]
    [TestCase("ar")]
    public async Task No_page_scrolls_sideways_at_360_px(string language)
    {
        var email = NewEmail("phone");
        await RegisterAsync(App.CreateClient(), email);
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/login");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);

        foreach (var path in PublicPages)
        {
            await AssertNoSidewaysScrollAsync(page, path);
        }
        // Signed in, the pages speak the account's language (registered through the API, it is English).
        await App.WithDbAsync(db => db.Users.Where(u => u.Email == email).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, language)));
        await SignInAsync(page, email);
        foreach (var path in AccountPages)
        {
            await AssertNoSidewaysScrollAsync(page, path);
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
        }
        // A watchlist with rows: on a phone its table becomes cards.
        await page.GotoAsync("/watchlists");
        await page.Locator("ul[data-testid=lists] a").First.ClickAsync();
        await page.Locator("#add-search").FillAsync("ATW");
        await page.GetByTestId("add-ATW").ClickAsync();
        await Expect(page.Locator("#row-ATW")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page, new Uri(page.Url).PathAndQuery);
        await Expect(page.Locator(".bottom-nav")).ToBeVisibleAsync();

        // The navigation folds behind the menu button on a phone.
        await Expect(page.Locator("#site-nav")).ToBeHiddenAsync();
        await page.Locator(".menu-toggle").ClickAsync();
        await Expect(page.Locator("#site-nav")).ToBeVisibleAsync();
    }

    [Test]
    public async Task The_dark_theme_applies_at_once_and_is_remembered()
    {
        await Page.GotoAsync("/");
        await Page.Locator("#pref-theme").SelectOptionAsync("dark");
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        var background = await Page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");
        Assert.That(background, Is.EqualTo("rgb(15, 19, 24)"));
        await Page.GotoAsync("/account/login");
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
    }
}
