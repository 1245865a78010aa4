using System.Net.Http.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features;

/// <summary>Account emails delivered by the Hangfire job over a real SMTP conversation, with retries when the server is down.</summary>
public sealed class EmailDeliveryTests : AppTest
{
    private readonly SmtpTestServer _smtp = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = _smtp.Port.ToString(),
        ["Smtp:Security"] = "None",
        ["Smtp:From"] = "MarketWatch <alerts@marketwatch.test>",
        ["Jobs:SchedulePollSeconds"] = "1",
        ["App:BaseUrl"] = "https://marketwatch.example",
    };

    [OneTimeTearDown]
    public async Task StopSmtpAsync() => await _smtp.DisposeAsync();

    /// <summary>The server has the message a moment before the job records it: wait for the outbox row to say Sent.</summary>
    private Task<EmailMessage?> SentRowAsync(string email) =>
        Eventually.ValueAsync(() => App.LatestEmailToAsync(email), row => row?.Status == EmailStatus.Sent, $"the outbox row of the email to {email} to say Sent");

    private Task<MimeKit.MimeMessage?> ReceivedAsync(string email, TimeSpan timeout) =>
        Eventually.ValueAsync(() => Task.FromResult(_smtp.MessagesTo(email).FirstOrDefault()), m => m is not null, $"an email to {email} at the SMTP server", timeout);

    [Test]
    public async Task The_confirmation_email_reaches_the_smtp_server_in_the_users_language_with_html_and_text()
    {
        await _smtp.StartAsync();
        try
        {
            var email = NewEmail("fr");
            var response = await Client().PostAsJsonAsync("/api/auth/register", new { email, password = AppTest.Password, displayName = "Nadia", language = "fr" });
            Assert.That((int)response.StatusCode, Is.EqualTo(202));

            var message = (await ReceivedAsync(email, TimeSpan.FromSeconds(30)))!;
            Assert.That(message.Subject, Is.EqualTo("Confirmez votre adresse e-mail"));
            Assert.That(message.From.Mailboxes.Single().Address, Is.EqualTo("alerts@marketwatch.test"));
            Assert.That(message.HtmlBody, Does.Contain("lang=\"fr\"").And.Not.Contain("Nadia"),
                "an email to an address nobody has confirmed carries no text the registrant chose");
            Assert.That(message.TextBody, Does.Not.Contain("Nadia"));
            Assert.That(message.TextBody, Does.Contain("https://marketwatch.example/account/confirm-email?userId="),
                "links use App:BaseUrl, not the address the request came in on");
            var row = (await SentRowAsync(email))!;
            Assert.That(row.SentAt, Is.Not.Null);
        }
        finally
        {
            await _smtp.StopAsync();
        }
    }

    [Test]
    public async Task Delivery_resumes_after_the_smtp_server_was_down_and_never_sends_twice()
    {
        var email = NewEmail("retry");
        await RegisterAsync(Client(), email);

        // The server is down: the first attempt fails and is recorded on the outbox row.
        var row = (await Eventually.ValueAsync(() => App.LatestEmailToAsync(email), r => r?.Attempts > 0, $"a failed first attempt to send to {email}"))!;
        Assert.That(row.Attempts, Is.GreaterThanOrEqualTo(1));
        Assert.That(row.Status, Is.EqualTo(EmailStatus.Pending));
        Assert.That(row.LastError, Is.Not.Empty);

        // It comes back: Hangfire's retry (10 s backoff) delivers the message, once.
        await _smtp.StartAsync();
        try
        {
            await ReceivedAsync(email, TimeSpan.FromSeconds(45));
            await SentRowAsync(email);
            // No email job left waiting, running or due to retry: nothing else can send it.
            await HangfireQueues.DrainedAsync(App, "email");
            Assert.That(_smtp.MessagesTo(email).Count(), Is.EqualTo(1));
        }
        finally
        {
            await _smtp.StopAsync();
        }
    }

    [Test]
    public async Task A_reset_link_is_removed_from_the_outbox_once_sent_and_still_works()
    {
        await _smtp.StartAsync();
        try
        {
            var admin = await Alerts.AlertTesting.UserAsync(this, App, Client, "outbox-admin", admin: true);
            var adminBrowser = Client();
            await SignInAsync(adminBrowser, admin.Email);
            var email = NewEmail("reset");
            await RegisterAsync(Client(), email);
            var requested = await Client().PostAsJsonAsync("/api/auth/reset-password", new { email });
            Assert.That((int)requested.StatusCode, Is.EqualTo(202));

            var received = (await Eventually.ValueAsync(
                () => Task.FromResult(_smtp.MessagesTo(email).FirstOrDefault(m => m.TextBody?.Contains("/account/reset-password?") == true)),
                m => m is not null, $"the reset email to {email} at the SMTP server", TimeSpan.FromSeconds(30)))!;
            var link = new Uri(System.Text.RegularExpressions.Regex.Match(received.TextBody!, @"https?://\S+/account/reset-password\?\S+").Value);
            var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query)["code"].ToString();
            Assert.That(code, Has.Length.GreaterThan(20));

            // Once the server has it, the row keeps subject, recipient and times, not the link.
            var row = (await Eventually.ValueAsync(
                () => App.WithDbAsync(db => db.EmailMessages.AsNoTracking().SingleOrDefaultAsync(m => m.To == email && m.Subject == received.Subject)),
                r => r?.Status == EmailStatus.Sent, "the reset email's outbox row to say Sent"))!;
            Assert.Multiple(() =>
            {
                Assert.That(row.TextBody, Does.Not.Contain(code).And.Not.Contain("reset-password?"));
                Assert.That(row.HtmlBody, Does.Not.Contain(code).And.Not.Contain("reset-password?"));
                Assert.That(row.TextBody, Is.EqualTo(EmailMessage.LinkRemovedNote));
                Assert.That(row.SentAt, Is.Not.Null);
            });
            var outbox = await (await adminBrowser.GetAsync("/admin/outbox")).Content.ReadAsStringAsync();
            Assert.That(outbox, Does.Contain(email).And.Contain("data-testid=\"link-removed\"").And.Not.Contain(code));

            // The link the user got still resets the password.
            var browser = Client();
            var reset = await PostFormAsync(browser, link.PathAndQuery, new Dictionary<string, string>
            {
                ["Input.Email"] = email,
                ["Input.Code"] = code,
                ["Input.Password"] = "New-Password-2026",
                ["Input.ConfirmPassword"] = "New-Password-2026",
            }, "/account/reset-password");
            Assert.That((int)reset.StatusCode, Is.EqualTo(302), await reset.Content.ReadAsStringAsync());
            await SignInAsync(Client(), email, "New-Password-2026");
        }
        finally
        {
            await _smtp.StopAsync();
        }
    }
}
