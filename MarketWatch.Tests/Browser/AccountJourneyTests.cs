using MarketWatch.Web.Infrastructure.Email;
using MarketWatch.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>The whole life of an account in a real browser, as the foundation issue lists it.</summary>
public sealed class AccountJourneyTests : BrowserTest
{
    private ILocator Submit => Page.Locator("main form button[type=submit]").Last;

    private async Task SignInAsync(string email, string password)
    {
        await Page.GotoAsync("/account/login");
        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.Locator("main form button[type=submit]").First.ClickAsync();
    }

    private async Task SignOutAsync()
    {
        await Page.Locator("header").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(Page.Locator("header")).ToContainTextAsync("Sign in");
    }

    [Test]
    public async Task Register_confirm_sign_in_profile_languages_two_factor_sign_out_forgot_reset_and_sign_in_again()
    {
        var email = NewEmail("journey");

        // Register.
        await Page.GotoAsync("/account/register");
        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Display name").FillAsync("Amina");
        await Page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await Page.GetByLabel("Confirm password").FillAsync(Password);
        await Submit.ClickAsync();
        await Expect(Page.GetByTestId("status")).ToContainTextAsync($"we sent an email to {email}");

        // Signed in before confirming, the banner asks for the confirmation.
        await SignInAsync(email, Password);
        await Expect(Page.GetByTestId("unconfirmed-banner")).ToBeVisibleAsync();

        // Ask for the link again from the banner: htmx swaps in the answer without a reload.
        await Page.GetByTestId("unconfirmed-banner").GetByRole(AriaRole.Button).ClickAsync();
        await Expect(Page.GetByTestId("resend-result")).ToHaveTextAsync($"We sent a new confirmation link to {email}.");
        var confirmations = await App.WithDbAsync(db => Task.FromResult(db.EmailMessages.Count(m => m.To == email)));
        Assert.That(confirmations, Is.EqualTo(2));

        // Confirm from the outbox.
        await OpenLinkFromMailboxAsync(email, "Confirm your email address");
        await Expect(Page.GetByTestId("confirm-result")).ToContainTextAsync("your email address is confirmed");
        await Page.GotoAsync("/");
        await Expect(Page.GetByTestId("unconfirmed-banner")).ToHaveCountAsync(0);

        // Sign out and in again.
        await SignOutAsync();
        await SignInAsync(email, Password);
        await Expect(Page.GetByTestId("welcome")).ToHaveTextAsync("Welcome, Amina.");

        // Edit the profile.
        await Page.GotoAsync("/account/manage");
        await Page.GetByLabel("Display name").FillAsync("Amina Benali");
        await Page.GetByLabel("Time zone").SelectOptionAsync("Europe/Paris");
        await Page.Locator("main form button[type=submit]").ClickAsync();
        await Expect(Page.GetByTestId("status")).ToHaveTextAsync("Your profile was saved.");
        await Expect(Page.GetByTestId("account-link")).ToHaveTextAsync("Amina Benali");
        await Expect(Page.GetByLabel("Time zone")).ToHaveValueAsync("Europe/Paris");

        // French, then Arabic (right to left), then back to English, with the header switcher.
        await Page.Locator("#pref-language").SelectOptionAsync("fr");
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "fr");
        await Expect(Page.Locator("header")).ToContainTextAsync("Se déconnecter");
        await Expect(Page.Locator("h1")).ToHaveTextAsync("Votre compte");
        await Page.Locator("#pref-language").SelectOptionAsync("ar");
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "ar");
        await Expect(Page.Locator("h1")).ToHaveTextAsync("حسابك");
        await Page.Locator("#pref-language").SelectOptionAsync("en");
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("dir", "ltr");

        // Turn on two-factor sign-in with the key the page shows, as an authenticator app would.
        await Page.GotoAsync("/account/manage/two-factor");
        var key = await Page.GetByTestId("shared-key").InnerTextAsync();
        await Expect(Page.GetByAltText("QR code for your authenticator app")).ToBeVisibleAsync();
        await Page.GetByLabel("Authenticator code").FillAsync(Totp.Code(key));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Turn on two-factor sign-in" }).ClickAsync();
        await Expect(Page.GetByTestId("recovery-codes").Locator("code")).ToHaveCountAsync(10);
        await Expect(Page.GetByTestId("2fa-status")).ToContainTextAsync("Two-factor sign-in is on.");

        // Sign out; signing in now asks for a code.
        await SignOutAsync();
        await SignInAsync(email, Password);
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login-2fa"));
        // Each code works once: the app's next one (it accepts two steps of drift).
        await Page.GetByLabel("Authenticator code").FillAsync(Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30)));
        await Submit.ClickAsync();
        await Expect(Page.GetByTestId("welcome")).ToHaveTextAsync("Welcome, Amina Benali.");
        await SignOutAsync();

        // Forgot password: the link in the email sets a new one.
        await Page.GotoAsync("/account/forgot-password");
        await Page.GetByLabel("Email").FillAsync(email);
        await Submit.ClickAsync();
        await Expect(Page.GetByTestId("status")).ToContainTextAsync("If an account uses this address");
        await OpenLinkFromMailboxAsync(email, "Reset your password");
        await Expect(Page.GetByLabel("Email")).ToHaveValueAsync(email);
        const string newPassword = "Marrakech-2027";
        await Page.GetByLabel("New password").FillAsync(newPassword);
        await Page.GetByLabel("Confirm password").FillAsync(newPassword);
        await Submit.ClickAsync();
        await Expect(Page.GetByTestId("status")).ToHaveTextAsync("Your password was changed. Sign in with the new one.");

        // The old password no longer works; the new one does (with the second factor).
        await SignInAsync(email, Password);
        await Expect(Page.GetByTestId("form-errors")).ToContainTextAsync("Wrong email or password.");
        await SignInAsync(email, newPassword);
        await Page.GetByLabel("Authenticator code").FillAsync(Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(60)));
        await Submit.ClickAsync();
        await Expect(Page.GetByTestId("welcome")).ToHaveTextAsync("Welcome, Amina Benali.");
    }

    [Test]
    public async Task Five_bad_passwords_lock_the_account_for_15_minutes_with_a_message_that_says_so()
    {
        var email = NewEmail("locked");
        await RegisterAsync(App.CreateClient(), email);
        for (var i = 0; i < 4; i++)
        {
            await SignInAsync(email, "Not-the-password-1");
            await Expect(Page.GetByTestId("form-errors")).ToContainTextAsync("Wrong email or password.");
        }
        await SignInAsync(email, "Not-the-password-1");
        await Expect(Page.GetByTestId("form-errors")).ToContainTextAsync("this account is locked for 15 minutes");
        await SignInAsync(email, Password);
        await Expect(Page.GetByTestId("form-errors")).ToContainTextAsync("this account is locked for 15 minutes");
        await Expect(Page.GetByTestId("welcome")).ToHaveCountAsync(0);
    }
}
