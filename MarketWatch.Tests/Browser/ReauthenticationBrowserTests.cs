using System.Net.Http.Json;
using MarketWatch.Tests.Features.Accounts;
using MarketWatch.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>A change of address after the re-authentication window: the browser goes to prove itself, then comes back.</summary>
public sealed class ReauthenticationBrowserTests : BrowserTest
{
    private readonly ShiftedClock _clock = new();

    protected override Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp =>
        builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));

    [Test]
    public async Task An_old_sign_in_proves_itself_with_the_password_then_changes_the_email()
    {
        await SignInNewUserAsync(Page, "reauth-browser");
        var newEmail = NewEmail("reauth-new");
        _clock.Advance(TimeSpan.FromMinutes(11));

        await Page.GotoAsync("/account/manage/email");
        await Page.GetByLabel("New email").FillAsync(newEmail);
        await Page.Locator("main form button[type=submit]").Last.ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/reauthenticate\\?returnUrl="));
        await Expect(Page.Locator("h1")).ToHaveTextAsync("Confirm it is you");

        await Page.GetByLabel("Password").FillAsync("Not-my-password-1");
        await Page.GetByTestId("reauthenticate-form").Locator("button[type=submit]").ClickAsync();
        await Expect(Page.Locator(".field-error")).ToContainTextAsync("The password is wrong.");

        await Page.GetByLabel("Password").FillAsync(Password);
        await Page.GetByTestId("reauthenticate-form").Locator("button[type=submit]").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/manage/email$"));

        await Page.GetByLabel("New email").FillAsync(newEmail);
        await Page.Locator("main form button[type=submit]").Last.ClickAsync();
        await Expect(Page.GetByTestId("status")).ToContainTextAsync($"We sent a link to {newEmail}");
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task The_page_fits_a_small_phone(string language)
    {
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        var email = NewEmail("reauth-phone");
        var registered = await App.CreateClient().PostAsJsonAsync("/api/auth/register", new { email, password = Password, displayName = "Yasmine", language });
        Assert.That((int)registered.StatusCode, Is.EqualTo(202));
        await SignInAsync(page, email);
        await AssertNoSidewaysScrollAsync(page, "/account/reauthenticate?returnUrl=%2Faccount%2Fmanage%2Femail");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("dir", language == "ar" ? "rtl" : "ltr");
        await Expect(page.GetByTestId("reauthenticate-form")).ToBeVisibleAsync();
    }
}
