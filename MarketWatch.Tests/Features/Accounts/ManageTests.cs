using System.Net;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;

namespace MarketWatch.Tests.Features.Accounts;

public sealed partial class ManageTests : AppTest
{
    [Test]
    public async Task Changing_email_waits_for_the_link_sent_to_the_new_address()
    {
        var client = Client();
        var email = NewEmail("old");
        var newEmail = NewEmail("new");
        await RegisterAsync(client, email);
        await SignInAsync(client, email);

        var response = await PostFormAsync(client, "/account/manage/email", new Dictionary<string, string> { ["NewEmail"] = newEmail });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That((await App.FindUserAsync(email))!.Email, Is.EqualTo(email), "nothing changes before the link is opened");

        var mail = await App.LatestEmailToAsync(newEmail);
        Assert.That(mail!.Subject, Is.EqualTo("Confirm your new email address"));
        var page = await client.GetAsync(new Uri(MarketWatchFactory.LinkIn(mail)).PathAndQuery);
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("Your account now uses this email address."));

        var user = await App.FindUserAsync(newEmail);
        Assert.That(user, Is.Not.Null);
        Assert.That((user!.UserName, user.EmailConfirmed), Is.EqualTo((newEmail, true)));
        Assert.That(await App.FindUserAsync(email), Is.Null);
        await SignInAsync(Client(), newEmail);
    }

    [Test]
    public async Task Changing_to_an_address_already_in_use_answers_as_for_a_free_one_and_tells_its_owner()
    {
        var client = Client();
        var email = NewEmail();
        var taken = NewEmail("taken");
        await RegisterAsync(Client(), taken);
        await RegisterAsync(client, email);
        await SignInAsync(client, email);
        var response = await PostFormAsync(client, "/account/manage/email", new Dictionary<string, string> { ["NewEmail"] = taken });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var page = await (await client.GetAsync("/account/manage/email")).Content.ReadAsStringAsync();
        Assert.That(page, Does.Contain($"We sent a link to {taken}. Your address changes when you open it."));
        var notice = await App.LatestEmailToAsync(taken);
        Assert.That(notice!.Subject, Is.EqualTo("Someone tried to use your address for another account"));
        Assert.That((await App.FindUserAsync(email))!.Email, Is.EqualTo(email));
    }

    [Test]
    public async Task Changing_the_password_needs_the_current_one()
    {
        var client = Client();
        var email = NewEmail();
        await RegisterAsync(client, email);
        await SignInAsync(client, email);
        var wrong = await PostFormAsync(client, "/account/manage/password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = "Not-my-password-1",
            ["Input.NewPassword"] = "Tangier-2030",
            ["Input.ConfirmPassword"] = "Tangier-2030",
        });
        Assert.That(await wrong.Content.ReadAsStringAsync(), Does.Contain("The current password is wrong."));
        var right = await PostFormAsync(client, "/account/manage/password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = Password,
            ["Input.NewPassword"] = "Tangier-2030",
            ["Input.ConfirmPassword"] = "Tangier-2030",
        });
        Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        await SignInAsync(Client(), email, "Tangier-2030");
    }

    [Test]
    public async Task Recovery_codes_sign_in_once_each_and_two_factor_can_be_turned_off()
    {
        var client = Client();
        var email = NewEmail("2fa");
        await RegisterAsync(client, email);
        await SignInAsync(client, email);

        var setup = await (await client.GetAsync("/account/manage/two-factor")).Content.ReadAsStringAsync();
        var key = SharedKey().Match(setup).Groups[1].Value;
        var enabled = await PostFormAsync(client, "/account/manage/two-factor", new Dictionary<string, string> { ["Code"] = Totp.Code(key) }, "/account/manage/two-factor/Enable");
        var html = await enabled.Content.ReadAsStringAsync();
        var codes = RecoveryCode().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.That(codes, Has.Count.EqualTo(10));

        // A new browser: password, then a recovery code instead of the app's code.
        var phone = Client();
        await SignInAsync(phone, email);
        var recovery = await PostFormAsync(phone, "/account/login-recovery", new Dictionary<string, string> { ["Code"] = codes[0] });
        Assert.That(recovery.Headers.Location?.ToString(), Is.EqualTo("/"));
        Assert.That(await (await phone.GetAsync("/")).Content.ReadAsStringAsync(), Does.Contain("data-testid=\"welcome\""));

        // The same code does not work twice.
        var tablet = Client();
        await SignInAsync(tablet, email);
        var reused = await PostFormAsync(tablet, "/account/login-recovery", new Dictionary<string, string> { ["Code"] = codes[0] });
        Assert.That(await reused.Content.ReadAsStringAsync(), Does.Contain("This recovery code is wrong or was already used."));

        // Turned off, the password alone signs in again.
        await PostFormAsync(client, "/account/manage/two-factor", new Dictionary<string, string>(), "/account/manage/two-factor/Disable");
        Assert.That((await App.FindUserAsync(email))!.TwoFactorEnabled, Is.False);
        var laptop = Client();
        await SignInAsync(laptop, email);
        Assert.That(await (await laptop.GetAsync("/")).Content.ReadAsStringAsync(), Does.Contain("data-testid=\"welcome\""));
    }

    [GeneratedRegex("data-testid=\"shared-key\">([a-z0-9 ]+)<")]
    private static partial Regex SharedKey();

    [GeneratedRegex("<code>([A-Za-z0-9-]+)</code>")]
    private static partial Regex RecoveryCode();
}
