using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web;
using MarketWatch.Web.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Notifications;

/// <summary>
/// Failed deliveries stay visible and can be sent again: by their user (their own rows only, failed rows only) and
/// by an admin in bulk (only failed rows in the filter). An email keeps one Message-ID across its attempts.
/// </summary>
public sealed class ResendTests : AppTest
{
    private readonly SmtpTestServer _smtp = new();
    private readonly List<string> _webhooks = [];
    private LoopbackHttpServer? _receiver;

    private LoopbackHttpServer Receiver => _receiver ??= LoopbackHttpServer.StartAsync(async http =>
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync();
        lock (_webhooks)
        {
            _webhooks.Add(http.Request.Path + " " + body);
        }
        http.Response.StatusCode = 200;
    }).GetAwaiter().GetResult();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = _smtp.Port.ToString(CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
        ["App:BaseUrl"] = "https://marketwatch.example",
        ["Jobs:SchedulePollSeconds"] = "1",
        ["Delivery:RetryBaseSeconds"] = "1",
        ["Webhooks:AllowPrivateNetworks"] = "true",
    };

    [OneTimeSetUp]
    public Task StartPeersAsync() => _smtp.StartAsync();

    [OneTimeTearDown]
    public async Task StopPeersAsync()
    {
        await _smtp.DisposeAsync();
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    internal const string WebhookDown = "The webhook answered {0}; it will be tried again.";

    /// <summary>A delivery row as the sender leaves it (a generic test of the channel, so no alert is needed).</summary>
    private Task<long> SeedAsync(string userId, Channel channel, DeliveryStatus status, DateTimeOffset? completedAt = null,
        string detail = WebhookDown, string[]? args = null) => SeedDeliveryAsync(App, userId, channel, status, completedAt, detail, args);

    /// <inheritdoc cref="SeedAsync"/>
    internal static Task<long> SeedDeliveryAsync(MarketWatchFactory app, string userId, Channel channel, DeliveryStatus status,
        DateTimeOffset? completedAt = null, string detail = WebhookDown, string[]? args = null) =>
        app.WithDbAsync(async db =>
        {
            var row = new Delivery
            {
                UserId = userId,
                Channel = channel,
                Status = status,
                Attempts = 6,
                DetailKey = detail,
                DetailArgs = args ?? ["503"],
                CreatedAt = (completedAt ?? DateTimeOffset.UtcNow).AddMinutes(-20),
                CompletedAt = completedAt ?? DateTimeOffset.UtcNow,
            };
            db.Add(row);
            await db.SaveChangesAsync();
            return row.Id;
        });

    private Task<Delivery> RowAsync(long id) => App.WithDbAsync(db => db.Set<Delivery>().AsNoTracking().SingleAsync(d => d.Id == id));

    private async Task WebhookOnAsync(User user)
    {
        var response = await user.Api.PutAsJsonAsync("/api/notifications/preferences", new
        {
            emailEnabled = true,
            pushEnabled = true,
            webhookEnabled = true,
            webhookUrl = new Uri(Receiver.Address, "/hook/" + user.Id).ToString(),
            emailDailyCap = 50,
            pushDailyCap = 50,
            smsDailyCap = 10,
            webhookDailyCap = 50,
        });
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpClient> SignedInAsync(User user)
    {
        var web = Client();
        await SignInAsync(web, user.Email);
        return web;
    }

    private static void AssertUnchanged(Delivery before, Delivery after) =>
        Assert.That((after.Status, after.Attempts, after.DetailKey, after.CompletedAt, after.NextAttemptAt),
            Is.EqualTo((before.Status, before.Attempts, before.DetailKey, before.CompletedAt, before.NextAttemptAt)));

    [Test]
    public async Task A_user_sends_a_failed_webhook_again_and_it_goes_out()
    {
        var user = await UserAsync(this, App, Client, "resend");
        await WebhookOnAsync(user);
        var id = await SeedAsync(user.Id, Channel.Webhook, DeliveryStatus.Failed);

        var response = await user.Api.PostAsync($"/api/notifications/deliveries/{id}/resend", null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)response.StatusCode, Is.EqualTo(202), body.ToString());
        Assert.That(body.GetProperty("id").GetInt64(), Is.EqualTo(id));

        var sent = await Eventually.ValueAsync(() => RowAsync(id), d => d.Status == DeliveryStatus.Sent, "the resent row to be sent");
        Assert.That(sent.Attempts, Is.EqualTo(1), "a resend starts a new retry schedule");
        Assert.That(sent.DetailKey, Is.EqualTo("The webhook answered {0}."));
        lock (_webhooks)
        {
            Assert.That(_webhooks.Count(w => w.StartsWith("/hook/" + user.Id, StringComparison.Ordinal)), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Another_users_row_is_not_found_through_the_api_and_the_page_and_stays_failed()
    {
        var owner = await UserAsync(this, App, Client, "resend");
        var stranger = await UserAsync(this, App, Client, "resend");
        var id = await SeedAsync(owner.Id, Channel.Webhook, DeliveryStatus.Failed);
        var before = await RowAsync(id);

        var api = await stranger.Api.PostAsync($"/api/notifications/deliveries/{id}/resend", null);
        Assert.That((int)api.StatusCode, Is.EqualTo(404));
        Assert.That(api.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((await api.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), Is.EqualTo("No such delivery."));

        var web = await SignedInAsync(stranger);
        var page = await PostFormAsync(web, "/account/manage/notifications", new Dictionary<string, string> { ["at"] = "" },
            $"/notifications?handler=Resend&id={id}");
        Assert.That((int)page.StatusCode, Is.EqualTo(404));
        var fragment = await web.GetAsync($"/notifications?handler=Delivery&id={id}");
        Assert.That((int)fragment.StatusCode, Is.EqualTo(404), "another user's row is not shown either");

        AssertUnchanged(before, await RowAsync(id));
    }

    [Test]
    public async Task A_row_that_has_not_failed_is_refused_with_a_clear_message_and_stays_as_it_is()
    {
        var user = await UserAsync(this, App, Client, "resend");
        var sent = await SeedAsync(user.Id, Channel.Webhook, DeliveryStatus.Sent, detail: "The webhook answered {0}.", args: ["200"]);
        var skipped = await SeedAsync(user.Id, Channel.Sms, DeliveryStatus.Skipped, detail: "Not sent: the daily limit of {0} for this channel was reached.", args: ["10"]);

        foreach (var (id, status) in new[] { (sent, "Sent"), (skipped, "Not sent") })
        {
            var before = await RowAsync(id);
            var response = await user.Api.PostAsync($"/api/notifications/deliveries/{id}/resend", null);
            Assert.That((int)response.StatusCode, Is.EqualTo(409));
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.That(problem.GetProperty("detail").GetString(), Is.EqualTo($"Only a failed delivery can be sent again; this one is {status}."));
            AssertUnchanged(before, await RowAsync(id));
        }

        // The pages offer the button on failed rows only.
        var failed = await SeedAsync(user.Id, Channel.Webhook, DeliveryStatus.Failed);
        var web = await SignedInAsync(user);
        var html = await web.GetStringAsync("/account/manage/notifications");
        Assert.That(html, Does.Contain($"id=\"delivery-{failed}\""));
        Assert.That(System.Text.RegularExpressions.Regex.Matches(html, "data-testid=\"resend\"").Count, Is.EqualTo(1));
        Assert.That(html, Does.Contain("The webhook answered 503. Attempts made: 6."), "a failed row says why without promising another attempt");
    }

    [Test]
    public async Task The_page_form_resends_and_goes_back_to_the_page_it_came_from()
    {
        var user = await UserAsync(this, App, Client, "resend");
        var id = await SeedAsync(user.Id, Channel.Webhook, DeliveryStatus.Failed);
        var web = await SignedInAsync(user);

        var response = await PostFormAsync(web, "/account/manage/notifications", new Dictionary<string, string> { ["at"] = "1", ["returnUrl"] = "/account/manage/notifications" },
            $"/notifications?handler=Resend&id={id}");
        Assert.That((int)response.StatusCode, Is.EqualTo(302));
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo("/account/manage/notifications"));
        // The webhook channel is off for this user: the sender takes the row and skips it, saying why.
        var settled = await Eventually.ValueAsync(() => RowAsync(id), d => d.Status == DeliveryStatus.Skipped, "the resent row to be taken");
        Assert.That(settled.DetailKey, Is.EqualTo("Not sent: this channel is off in your notification settings."));

        var outside = await PostFormAsync(web, "/account/manage/notifications", new Dictionary<string, string> { ["returnUrl"] = "https://evil.example/" },
            $"/notifications?handler=Resend&id={id}");
        Assert.That(outside.Headers.Location?.ToString(), Is.EqualTo("/account/manage/notifications"), "never redirected off the site");
    }

    [Test]
    public async Task An_admin_resends_only_the_failed_rows_the_filter_matches()
    {
        var admin = await UserAsync(this, App, Client, "resend-admin", admin: true);
        var a = await UserAsync(this, App, Client, "resend");
        var b = await UserAsync(this, App, Client, "resend");
        // A range of days no other test writes in: the filter sees only these rows.
        var day = new DateTimeOffset(2001, 3, 10, 12, 0, 0, TimeSpan.Zero);
        var inA = await SeedAsync(a.Id, Channel.Webhook, DeliveryStatus.Failed, day);
        var inB = await SeedAsync(b.Id, Channel.Webhook, DeliveryStatus.Failed, day.AddDays(2));
        var laterDay = await SeedAsync(a.Id, Channel.Webhook, DeliveryStatus.Failed, day.AddDays(10));
        var otherChannel = await SeedAsync(a.Id, Channel.Email, DeliveryStatus.Failed, day, "The service could not be reached; it will be tried again.", []);
        var sent = await SeedAsync(b.Id, Channel.Webhook, DeliveryStatus.Sent, day, "The webhook answered {0}.", ["200"]);
        var skipped = await SeedAsync(b.Id, Channel.Webhook, DeliveryStatus.Skipped, day, "Not sent: it came during your quiet hours.", []);
        var untouched = new[] { laterDay, otherChannel, sent, skipped };
        var before = new Dictionary<long, Delivery>();
        foreach (var id in untouched)
        {
            before[id] = await RowAsync(id);
        }

        const string filter = "Channel=Webhook&From=2001-03-01&To=2001-03-15";
        var stranger = await SignedInAsync(a);
        var denied = await stranger.GetAsync("/admin/deliveries?" + filter);
        Assert.That(denied.Headers.Location?.ToString() ?? denied.StatusCode.ToString(), Does.Contain("/account/access-denied").Or.EqualTo("Forbidden"), "admins only");

        var refused = await PostFormAsync(stranger, "/account/manage/notifications", new Dictionary<string, string>(), "/admin/deliveries/ResendAll?" + filter);
        Assert.That(refused.Headers.Location?.ToString() ?? refused.StatusCode.ToString(), Does.Contain("/account/access-denied").Or.EqualTo("Forbidden"));
        Assert.That((await RowAsync(inA)).Status, Is.EqualTo(DeliveryStatus.Failed), "a refused bulk resend changes nothing");

        var web = await SignedInAsync(admin);
        var page = await web.GetStringAsync("/admin/deliveries?" + filter);
        Assert.That(page, Does.Contain("Failed deliveries matching: 2"));
        Assert.That(page, Does.Contain($"data-delivery=\"{inA}\"").And.Contain($"data-delivery=\"{inB}\"").And.Not.Contain($"data-delivery=\"{laterDay}\""));

        var response = await PostFormAsync(web, "/admin/deliveries?" + filter, new Dictionary<string, string>(), "/admin/deliveries/ResendAll?" + filter);
        Assert.That((int)response.StatusCode, Is.EqualTo(302));
        var after = await web.GetStringAsync(response.Headers.Location!.ToString());
        Assert.That(after, Does.Contain("2 failed deliveries will be sent again."));

        foreach (var id in new[] { inA, inB })
        {
            // Their users have the webhook off: the sender takes each again and skips it, so it is no longer the old failure.
            var row = await Eventually.ValueAsync(() => RowAsync(id), d => d.Status == DeliveryStatus.Skipped, $"resent row {id} to be taken again");
            Assert.That(row.CompletedAt, Is.GreaterThan(day.AddDays(100)));
        }
        foreach (var id in untouched)
        {
            AssertUnchanged(before[id], await RowAsync(id));
        }

        // One row on its own, from the same page.
        var single = await PostFormAsync(web, "/admin/deliveries?" + filter, new Dictionary<string, string>(), $"/admin/deliveries/Resend?id={laterDay}");
        Assert.That((int)single.StatusCode, Is.EqualTo(302));
        await Eventually.ValueAsync(() => RowAsync(laterDay), d => d.Status == DeliveryStatus.Skipped, "the single resent row to be taken again");
        AssertUnchanged(before[otherChannel], await RowAsync(otherChannel));
    }

    [Test]
    public async Task Two_attempts_of_one_email_delivery_carry_the_same_message_id()
    {
        var user = await UserAsync(this, App, Client, "resend");
        var id = await SeedAsync(user.Id, Channel.Email, DeliveryStatus.Failed, detail: "The service could not be reached; it will be tried again.", args: []);

        Task<List<MimeKit.MimeMessage>> MailsAsync(int count) => Eventually.ValueAsync(
            () => Task.FromResult(_smtp.MessagesTo(user.Email).Where(m => m.MessageId?.StartsWith("delivery-", StringComparison.Ordinal) == true).ToList()),
            m => m.Count >= count, $"{count} alert email(s) to {user.Email}");

        Assert.That((int)(await user.Api.PostAsync($"/api/notifications/deliveries/{id}/resend", null)).StatusCode, Is.EqualTo(202));
        await MailsAsync(1);
        await Eventually.ValueAsync(() => RowAsync(id), d => d.Status == DeliveryStatus.Sent, "the first attempt to be recorded");
        // As if the record of that send had been lost (the at-least-once window): the row failed, and is sent again.
        await App.WithDbAsync(db => db.Set<Delivery>().Where(d => d.Id == id).ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Failed)));
        Assert.That((int)(await user.Api.PostAsync($"/api/notifications/deliveries/{id}/resend", null)).StatusCode, Is.EqualTo(202));

        var mails = await MailsAsync(2);
        Assert.That(mails.Select(m => m.MessageId), Is.EqualTo(new[] { $"delivery-{id}@marketwatch.example", $"delivery-{id}@marketwatch.example" }));
    }

    [Test]
    public void Every_transient_reason_has_a_final_wording_in_every_language()
    {
        var source = Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", "..", "MarketWatch.Web", "Features");
        var retryKeys = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"ChannelResult\.Retry\(""((?:[^""\\]|\\.)*)""").Select(m => m.Groups[1].Value))
            .ToHashSet();
        Assert.That(retryKeys, Is.Not.Empty);
        Assert.That(retryKeys.Except(DeliveryText.FinalWording.Keys), Is.Empty, "a retry reason without its final wording in DeliveryText.FinalWording");
        var localizer = App.Services.GetRequiredService<IStringLocalizer<SharedResource>>();
        foreach (var culture in new[] { "en", "fr", "ar" })
        {
            using var _ = new CultureScope(culture);
            foreach (var key in DeliveryText.FinalWording.Values)
            {
                Assert.That(localizer[key].ResourceNotFound, Is.False, $"'{key}' in {culture}");
            }
        }
    }

    private sealed class CultureScope : IDisposable
    {
        private readonly CultureInfo _previous = CultureInfo.CurrentUICulture;

        public CultureScope(string name) => CultureInfo.CurrentUICulture = new CultureInfo(name);

        public void Dispose() => CultureInfo.CurrentUICulture = _previous;
    }
}
