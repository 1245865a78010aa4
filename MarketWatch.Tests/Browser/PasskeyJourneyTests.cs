using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// Passkeys in Chromium with a virtual authenticator (CDP WebAuthn domain): add one on the security page, sign in
/// with it and no password (and no second-factor prompt), remove it and see that it no longer signs in.
/// </summary>
public sealed class PasskeyJourneyTests : BrowserTest
{
    // WebAuthn needs a secure context and a domain as relying party: http://localhost is both, 127.0.0.1 is neither.
    private string Local => BaseUrl.Replace("://127.0.0.1", "://localhost");

    internal static async Task AddVirtualAuthenticatorAsync(IPage page)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
    }

    private async Task SignInWithPasswordAsync(string email)
    {
        await Page.GotoAsync(Local + "/account/login");
        await Page.Locator("#Input_Email").FillAsync(email);
        await Page.Locator("#Input_Password").FillAsync(Password);
        await Page.Locator("main form button[type=submit]").First.ClickAsync();
        await Expect(Page.GetByTestId("welcome")).ToBeVisibleAsync();
    }

    private async Task SignOutAsync()
    {
        await Page.Locator("header").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(Page.Locator("header")).ToContainTextAsync("Sign in");
    }

    [Test]
    public async Task Add_a_passkey_sign_in_with_it_without_a_password_remove_it_and_it_no_longer_signs_in()
    {
        await AddVirtualAuthenticatorAsync(Page);
        Page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        var email = NewEmail("passkey");
        await RegisterAsync(App.CreateClient(), email);
        await SignInWithPasswordAsync(email);

        // Add one from the security (two-factor) page.
        await Page.GotoAsync(Local + "/account/manage/two-factor");
        await Page.GetByTestId("manage-passkeys").ClickAsync();
        await Expect(Page.GetByTestId("no-passkeys")).ToBeVisibleAsync();
        await Page.GetByLabel("Passkey name").FillAsync("Work laptop");
        await Page.GetByTestId("passkey-add").ClickAsync();
        await Expect(Page.GetByTestId("status")).ToContainTextAsync("The passkey was added");
        await Expect(Page.GetByTestId("passkey")).ToHaveCountAsync(1);
        await Expect(Page.GetByTestId("passkey").Locator("input[name=Name]")).ToHaveValueAsync("Work laptop");

        // Rename it.
        await Page.GetByTestId("passkey").Locator("input[name=Name]").FillAsync("My laptop");
        await Page.GetByTestId("passkey").GetByRole(AriaRole.Button, new() { Name = "Rename" }).ClickAsync();
        await Expect(Page.GetByTestId("status")).ToContainTextAsync("The passkey was renamed");
        await Expect(Page.GetByTestId("passkey").Locator("input[name=Name]")).ToHaveValueAsync("My laptop");

        // Two-factor sign-in on: a passkey is both factors, so it signs in without asking for a code.
        await App.WithDbAsync(db => db.Users.Where(u => u.Email == email).ExecuteUpdateAsync(u => u.SetProperty(x => x.TwoFactorEnabled, true)));
        await SignOutAsync();
        await Page.GotoAsync(Local + "/account/login");
        await Page.GetByTestId("passkey-signin").ClickAsync();
        await Expect(Page.GetByTestId("welcome")).ToHaveTextAsync("Welcome, Test Investor.");

        // Remove it: the authenticator still offers it, and the sign-in says why it fails.
        await Page.GotoAsync(Local + "/account/manage/passkeys");
        await Page.GetByTestId("passkey-remove").ClickAsync();
        await Expect(Page.GetByTestId("status")).ToContainTextAsync("The passkey was removed");
        await Expect(Page.GetByTestId("no-passkeys")).ToBeVisibleAsync();
        await SignOutAsync();
        await Page.GotoAsync(Local + "/account/login");
        await Page.GetByTestId("passkey-signin").ClickAsync();
        await Expect(Page.GetByTestId("passkey-error")).ToContainTextAsync("This passkey is not registered with MarketWatch");
        await Expect(Page.Locator("header")).ToContainTextAsync("Sign in");
        var userId = (await App.FindUserAsync(email))!.Id;
        var stored = await App.WithDbAsync(db => db.Set<Microsoft.AspNetCore.Identity.IdentityUserPasskey<string>>().CountAsync(p => p.UserId == userId));
        Assert.That(stored, Is.Zero);
    }

    [Test]
    public async Task The_account_limit_is_a_clear_message_and_nothing_is_added()
    {
        await AddVirtualAuthenticatorAsync(Page);
        var email = NewEmail("passkey-limit");
        await RegisterAsync(App.CreateClient(), email);
        await SignInWithPasswordAsync(email);
        await Page.GotoAsync(Local + "/account/manage/passkeys");
        await Page.Locator("#passkey-name").FillAsync("Phone");
        await Page.GetByTestId("passkey-add").ClickAsync();
        await Expect(Page.GetByTestId("passkey")).ToHaveCountAsync(1);

        // The fixture allows two: a second authenticator may add one more, then the page refuses before any prompt.
        await Page.Locator("#passkey-name").FillAsync("");
        await Page.GetByTestId("passkey-add").ClickAsync();
        Assert.That(await Page.Locator("#passkey-name").EvaluateAsync<bool>("e => e.validity.valueMissing"), Is.True);
        await App.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Email == email);
            var existing = await db.Set<Microsoft.AspNetCore.Identity.IdentityUserPasskey<string>>().AsNoTracking().SingleAsync(p => p.UserId == user.Id);
            // A copy under another id fills the account to its limit of 2 without a second authenticator.
            db.Add(new Microsoft.AspNetCore.Identity.IdentityUserPasskey<string> { UserId = user.Id, CredentialId = [1, 2, 3, 4], Data = existing.Data });
            return await db.SaveChangesAsync();
        });
        await Page.ReloadAsync();
        await Page.Locator("#passkey-name").FillAsync("Tablet");
        await Page.GetByTestId("passkey-add").ClickAsync();
        await Expect(Page.GetByTestId("passkey-status")).ToHaveTextAsync("You already have 2 passkeys: remove one before adding another.");
        await Expect(Page.GetByTestId("passkey")).ToHaveCountAsync(2);
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Accounts:Passkeys:MaxPerUser"] = "2" };
}
