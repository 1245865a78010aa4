using System.Net;
using System.Net.Http.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Accounts;

/// <summary>Finding 3: emails sent on request are limited per address and per account, in PostgreSQL; no user text reaches an unproven address.</summary>
public sealed class EmailThrottleTests : AppTest
{
    private Task<int> EmailsToAsync(string address) =>
        App.WithDbAsync(db => db.EmailMessages.CountAsync(m => m.To == address));

    private static Task<HttpResponseMessage> ChangeEmailAsync(HttpClient client, string newEmail) =>
        PostFormAsync(client, "/account/manage/email", new Dictionary<string, string> { ["NewEmail"] = newEmail });

    [Test]
    public async Task Six_rapid_change_email_requests_send_three_to_one_address_and_an_account_gets_five_in_all()
    {
        var email = NewEmail("spray");
        var client = Client();
        await RegisterAsync(client, email);
        await SignInAsync(client, email);

        // Six at once to one stranger's address: three emails (Accounts:EmailThrottle:PerRecipient), every answer the same.
        var target = NewEmail("victim");
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ChangeEmailAsync(client, target)));
        Assert.That(answers.Select(a => a.StatusCode), Is.All.EqualTo(HttpStatusCode.Redirect));
        Assert.That(await EmailsToAsync(target), Is.EqualTo(3));

        // The account's own share (5 in the window; the confirmation at registration counts): one more address gets
        // one email, then the account is told to wait.
        var others = Enumerable.Range(0, 2).Select(_ => NewEmail("other")).ToList();
        Assert.That((await ChangeEmailAsync(client, others[0])).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var refused = await ChangeEmailAsync(client, others[1]);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("You asked for too many emails. Try again in an hour."));
        Assert.That(await EmailsToAsync(others[0]), Is.EqualTo(1));
        Assert.That(await EmailsToAsync(others[1]), Is.EqualTo(0));
    }

    [Test]
    public async Task Forgot_password_and_resend_give_the_same_answer_past_the_limit_and_send_no_more()
    {
        var email = NewEmail("reset");
        await RegisterAsync(Client(), email);
        for (var i = 0; i < 5; i++)
        {
            var response = await PostFormAsync(Client(), "/account/forgot-password", new Dictionary<string, string> { ["Email"] = email });
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("If an account uses this address, we sent it a link"));
            response = await PostFormAsync(Client(), "/account/resend-confirmation", new Dictionary<string, string> { ["Email"] = email });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        Assert.That(await EmailsToAsync(email), Is.EqualTo(3), "the confirmation at registration and two more");
    }

    [Test]
    public async Task Strangers_registering_with_an_address_cannot_use_up_its_owners_password_resets()
    {
        var email = NewEmail("owner");
        await RegisterAsync(Client(), email);
        for (var i = 0; i < 4; i++)
        {
            var again = await Client().PostAsJsonAsync("/api/auth/register", new { email, password = Password, displayName = "Someone Else" });
            Assert.That((int)again.StatusCode, Is.EqualTo(202));
        }
        var notices = await App.WithDbAsync(db => db.EmailMessages.CountAsync(m => m.To == email && m.Subject == "Someone tried to create an account with your address"));
        Assert.That(notices, Is.EqualTo(1), "one notice per address an hour, however many attempts");

        var reset = await PostFormAsync(Client(), "/account/forgot-password", new Dictionary<string, string> { ["Email"] = email });
        Assert.That(reset.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var resets = await App.WithDbAsync(db => db.EmailMessages.CountAsync(m => m.To == email && m.Subject == "Reset your password"));
        Assert.That(resets, Is.EqualTo(1), "the owner's own reset still goes out");
    }

    [Test]
    public async Task A_display_name_with_a_web_address_is_a_field_error_on_the_profile_and_the_register_form()
    {
        var email = NewEmail("name");
        var client = Client();
        await RegisterAsync(client, email, displayName: "Amina");
        await SignInAsync(client, email);
        var response = await PostFormAsync(client, "/account/manage", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = "Claim at evil.example/x",
            ["Input.TimeZone"] = "Africa/Casablanca",
            ["Input.Language"] = "en",
            ["Input.Theme"] = "system",
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("The display name cannot contain a web address."));
        Assert.That((await App.FindUserAsync(email))!.DisplayName, Is.EqualTo("Amina"));

        // The same rule in French, on the register form.
        var french = Client();
        french.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fr");
        var other = NewEmail("name-fr");
        response = await PostFormAsync(french, "/account/register", new Dictionary<string, string>
        {
            ["Input.Email"] = other,
            ["Input.DisplayName"] = "https://evil.example",
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
        });
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.That(System.Text.RegularExpressions.Regex.Matches(html, "field-error[^>]*>([^<]*)<").Select(m => m.Groups[1].Value),
            Has.Member("Le nom affiché ne peut pas contenir d'adresse web."));
        Assert.That(await App.FindUserAsync(other), Is.Null);

        // Ordinary names pass.
        foreach (var name in new[] { "J. R. Smith", "Amina Benali", "أمينة", "Dr. Karim" })
        {
            response = await PostFormAsync(client, "/account/manage", new Dictionary<string, string>
            {
                ["Input.DisplayName"] = name,
                ["Input.TimeZone"] = "Africa/Casablanca",
                ["Input.Language"] = "en",
                ["Input.Theme"] = "system",
            });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), name);
        }
    }

    [Test]
    public async Task The_confirmation_email_to_an_unproven_address_carries_no_display_name()
    {
        var email = NewEmail("plain");
        await RegisterAsync(Client(), email, displayName: "Mallory Spam Offer");
        var message = (await App.LatestEmailToAsync(email))!;
        Assert.That(message.Subject, Is.EqualTo("Confirm your email address"));
        Assert.That(message.HtmlBody + message.TextBody, Does.Not.Contain("Mallory"));
    }
}
