using MarketWatch.Tests.Features.Accounts;
using MarketWatch.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// A passkey is a second factor's equal for re-authentication, and adding or removing one needs a recent proof: a
/// stolen session cannot plant a passkey of its own. The app's clock moves past the window instead of waiting.
/// </summary>
public sealed class PasskeyReauthenticationTests : BrowserTest
{
    private readonly ShiftedClock _clock = new();

    protected override Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp =>
        builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));

    private string Local => BaseUrl.Replace("://127.0.0.1", "://localhost");

    [Test]
    public async Task After_the_window_removing_a_passkey_asks_for_a_proof_and_the_passkey_itself_gives_it()
    {
        await PasskeyJourneyTests.AddVirtualAuthenticatorAsync(Page);
        Page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        var email = NewEmail("passkey-reauth");
        await RegisterAsync(App.CreateClient(), email);
        await Page.GotoAsync(Local + "/account/login");
        await Page.Locator("#Input_Email").FillAsync(email);
        await Page.Locator("#Input_Password").FillAsync(Password);
        await Page.Locator("main form button[type=submit]").First.ClickAsync();
        await Expect(Page.GetByTestId("welcome")).ToBeVisibleAsync();

        // Just signed in: the proof is recent, a passkey can be added.
        await Page.GotoAsync(Local + "/account/manage/passkeys");
        await Page.Locator("#passkey-name").FillAsync("Phone");
        await Page.GetByTestId("passkey-add").ClickAsync();
        await Expect(Page.GetByTestId("passkey")).ToHaveCountAsync(1);

        // Past the window: no add form, and removing sends the user to prove it is them.
        _clock.Advance(TimeSpan.FromMinutes(11));
        await Page.ReloadAsync();
        await Expect(Page.GetByTestId("passkeys-confirm")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("passkey-add")).ToHaveCountAsync(0);
        await Page.GetByTestId("passkey-remove").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/reauthenticate"));
        var userId = (await App.FindUserAsync(email))!.Id;
        Assert.That(await PasskeysOfAsync(userId), Is.EqualTo(1), "nothing was removed without the proof");

        // The passkey proves it (no password typed), and the page is back with the add form.
        await Page.GetByTestId("passkey-reauthenticate").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/manage/passkeys$"));
        await Expect(Page.GetByTestId("passkey-add")).ToBeVisibleAsync();
        await Page.GetByTestId("passkey-remove").ClickAsync();
        await Expect(Page.GetByTestId("no-passkeys")).ToBeVisibleAsync();
        Assert.That(await PasskeysOfAsync(userId), Is.Zero);
    }

    private Task<int> PasskeysOfAsync(string userId) =>
        App.WithDbAsync(db => db.Set<Microsoft.AspNetCore.Identity.IdentityUserPasskey<string>>().CountAsync(p => p.UserId == userId));
}
