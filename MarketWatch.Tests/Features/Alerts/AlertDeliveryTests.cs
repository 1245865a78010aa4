using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Notifications;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Alerts;

/// <summary>
/// From a tick to the user: the engine fires once, the claim writes history and outbox, and the jobs deliver over a
/// real SMTP conversation, the web push protocol (loopback push service), a signed webhook and Twilio's REST API.
/// </summary>
public sealed class AlertDeliveryTests : AppTest
{
    private readonly SmtpTestServer _smtp = new();
    private readonly PushServiceTestServer _push = new();
    private readonly List<(string Path, string Body, string Signature, string Timestamp, string Delivery)> _webhooks = [];
    private readonly List<Dictionary<string, string>> _sms = [];
    private LoopbackHttpServer? _receiver;
    private int _webhookStatus = 200;

    /// <summary>One loopback server plays the webhook receiver (/hook) and Twilio (/2010-04-01/...).</summary>
    private LoopbackHttpServer Receiver => _receiver ??= LoopbackHttpServer.StartAsync(async http =>
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync();
        if (http.Request.Path.StartsWithSegments("/hook"))
        {
            lock (_webhooks)
            {
                _webhooks.Add((http.Request.Path, body, http.Request.Headers["X-MarketWatch-Signature"].ToString(),
                    http.Request.Headers["X-MarketWatch-Timestamp"].ToString(), http.Request.Headers["X-MarketWatch-Delivery"].ToString()));
            }
            http.Response.StatusCode = _webhookStatus;
            return;
        }
        var form = body.Split('&').Select(p => p.Split('=')).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
        lock (_sms)
        {
            _sms.Add(form);
        }
        http.Response.StatusCode = 201;
        await http.Response.WriteAsJsonAsync(new { sid = "SM" + Guid.NewGuid().ToString("N") });
    }).GetAwaiter().GetResult();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = _smtp.Port.ToString(),
        ["Smtp:Security"] = "None",
        ["App:BaseUrl"] = "https://marketwatch.example",
        ["Jobs:SchedulePollSeconds"] = "1",
        ["Delivery:RetryBaseSeconds"] = "1",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["WebPush:AllowPrivateNetworks"] = "true",
        ["Twilio:AccountSid"] = "ACtest",
        ["Twilio:AuthToken"] = "secret-token",
        ["Twilio:FromNumber"] = "+15005550006",
        ["Twilio:BaseUrl"] = Receiver.Address.ToString().TrimEnd('/'),
        // The simulated market trades around the clock: session-only alerts are evaluated whatever the hour of the run.
        ["MarketData:Simulated:DemoMode"] = "true",
    };

    [OneTimeSetUp]
    public async Task StartPeersAsync()
    {
        await _smtp.StartAsync();
        await _push.StartAsync();
        _push.ExpectedVapidKey = (await App.Services.GetRequiredService<VapidKeys>().GetAsync(CancellationToken.None)).PublicKey;
    }

    [OneTimeTearDown]
    public async Task StopPeersAsync()
    {
        await _smtp.DisposeAsync();
        await _push.DisposeAsync();
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    /// <summary>The account's confirmation email reaches the server too: wait for the one with this subject.</summary>
    private Task<MimeKit.MimeMessage?> MailAsync(string to, string subjectStart, int seconds = 30) =>
        Eventually.ValueAsync(() => Task.FromResult(_smtp.MessagesTo(to).FirstOrDefault(m => (m.Subject ?? "").StartsWith(subjectStart, StringComparison.Ordinal))),
            m => m is not null, $"an email '{subjectStart}…' to {to}", TimeSpan.FromSeconds(seconds));

    private Task<List<Delivery>> DeliveriesAsync(long firingId) =>
        App.WithDbAsync(db => db.Set<Delivery>().AsNoTracking().Where(d => d.EventId == firingId).OrderBy(d => d.Channel).ToListAsync());

    private Task<List<Delivery>> SettledAsync(long firingId, int channels) =>
        Eventually.ValueAsync(() => DeliveriesAsync(firingId), d => d.Count == channels && d.All(x => x.Status is DeliveryStatus.Sent or DeliveryStatus.Failed or DeliveryStatus.Skipped),
            "every channel's delivery to settle");

    [Test]
    public async Task A_tick_that_crosses_fires_once_and_the_email_arrives_over_smtp()
    {
        var user = await UserAsync(this, App, Client);
        await Ticks.WriteAsync(App, ("ATW", 590m));
        var id = await CreateAsync(user.Api, new
        {
            ticker = "ATW", condition = "CrossesUp", level = 600, triggerMode = "EveryTime", cooldownMinutes = 60,
            channels = new[] { "InApp", "Email" }, note = "{ticker} broke out at {price}",
        });
        await WaitArmedAsync(App, 1);

        await Ticks.WriteAsync(App, ("ATW", 595m));
        await Ticks.WriteAsync(App, ("ATW", 601.5m));
        var firings = await Eventually.ValueAsync(() => FiringsAsync(App, id), f => f.Count > 0, "the firing");
        // Still above the level: no new crossing, and the claimed alert is cooling down anyway.
        await Ticks.WriteAsync(App, ("ATW", 603m));
        var last = await Ticks.WriteAsync(App, ("ATW", 604m));
        var sweep = await App.Services.CreateAsyncScope().ServiceProvider.GetRequiredService<AlertSweep>().RunAsync(CancellationToken.None);
        await WaitEvaluatedAsync(App, last);
        firings = await FiringsAsync(App, id);
        Assert.That(firings, Has.Count.EqualTo(1), "a price that stays above the level fires once");
        Assert.That(firings[0].Price, Is.EqualTo(601.5m));
        Assert.That(sweep.Fired, Is.Zero);

        var mail = (await MailAsync(user.Email, "ATW"))!;
        Assert.That(mail.Subject, Is.EqualTo("ATW: Crosses above 600.00"));
        Assert.That(mail.TextBody, Does.Contain("601.50 MAD").And.Contain("ATW broke out at 601.50 MAD")
            .And.Contain("https://marketwatch.example/stocks/ATW").And.Contain($"https://marketwatch.example/alerts/{id}"));
        Assert.That(mail.HtmlBody, Does.Contain("Africa/Casablanca"), "the time is in the user's zone");

        var deliveries = await SettledAsync(firings[0].Id, 2);
        Assert.That(deliveries.Select(d => (d.Channel, d.Status)),
            Is.EqualTo(new[] { (Channel.InApp, DeliveryStatus.Sent), (Channel.Email, DeliveryStatus.Sent) }));
        var inbox = await user.Api.GetFromJsonAsync<JsonElement>("/api/notifications/history");
        Assert.That(inbox[0].GetProperty("title").GetString(), Is.EqualTo("ATW: Crosses above 600.00"));
        var alert = await user.Api.GetFromJsonAsync<JsonElement>($"/api/alerts/{id}");
        Assert.That(alert.GetProperty("firedCount").GetInt32(), Is.EqualTo(1));
        Assert.That(alert.GetProperty("rearmAt").ValueKind, Is.EqualTo(JsonValueKind.String), "cooling down until re-armed");
    }

    [Test]
    public async Task Email_delivery_resumes_after_the_smtp_server_was_down()
    {
        var user = await UserAsync(this, App, Client);
        await Ticks.WriteAsync(App, ("BCP", 250m));
        await _smtp.StopAsync();
        try
        {
            var id = await CreateAsync(user.Api, new { ticker = "BCP", condition = "PriceAbove", level = 260, channels = new[] { "Email" } });
            await WaitArmedAsync(App, 1);
            await Ticks.WriteAsync(App, ("BCP", 261m));
            var firing = (await Eventually.ValueAsync(() => FiringsAsync(App, id), f => f.Count == 1, "the firing"))[0];
            var failed = await Eventually.ValueAsync(() => DeliveriesAsync(firing.Id), d => d.Count == 1 && d[0].Attempts >= 1 && d[0].Status == DeliveryStatus.Pending,
                "a failed first attempt");
            Assert.That(failed[0].NextAttemptAt, Is.Not.Null, "a later attempt is scheduled");
        }
        finally
        {
            await _smtp.StartAsync();
        }
        await MailAsync(user.Email, "BCP", 40);
        var firingId = (await App.WithDbAsync(db => db.Set<AlertFiring>().Where(f => f.UserId == user.Id).Select(f => f.Id).SingleAsync()));
        var delivered = await SettledAsync(firingId, 1);
        Assert.That(delivered[0].Status, Is.EqualTo(DeliveryStatus.Sent));
        Assert.That(delivered[0].Attempts, Is.GreaterThan(1));
        // Nothing left in this user's outbox that could send it again.
        await OutboxDrainedAsync(App, user.Id);
        Assert.That(_smtp.MessagesTo(user.Email).Count(m => (m.Subject ?? "").StartsWith("BCP")), Is.EqualTo(1),
            "sent once, not once per attempt");
    }

    [Test]
    public async Task Web_push_reaches_the_push_service_encrypted_and_signed()
    {
        var user = await UserAsync(this, App, Client);
        var device = _push.NewDevice();
        await App.WithDbAsync(async db =>
        {
            db.Add(new PushSubscription { UserId = user.Id, Endpoint = device.Endpoint, P256dh = device.P256dh, Auth = device.Auth, Name = "Phone", CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        await Ticks.WriteAsync(App, ("IAM", 100m));
        var id = await CreateAsync(user.Api, new { ticker = "IAM", condition = "CrossesDown", level = 95, channels = new[] { "Push" } });
        await WaitArmedAsync(App, 1);
        await Ticks.WriteAsync(App, ("IAM", 94.5m));

        var push = await Eventually.ValueAsync(() => Task.FromResult(_push.DeliveriesTo(device).ToList()), d => d.Count > 0, "the push message");
        var payload = push[0].Json;
        Assert.That(payload.GetProperty("title").GetString(), Is.EqualTo("IAM: Crosses below 95.00"));
        Assert.That(payload.GetProperty("url").GetString(), Is.EqualTo("/stocks/IAM"));
        Assert.That(payload.GetProperty("tag").GetString(), Is.EqualTo($"alert-{id}-IAM"));
        Assert.That(_push.RejectionsOf(device), Is.Empty);
        var firing = (await FiringsAsync(App, id)).Single();
        Assert.That((await SettledAsync(firing.Id, 1))[0].Status, Is.EqualTo(DeliveryStatus.Sent));
    }

    [Test]
    public async Task The_webhook_carries_a_signature_that_verifies_with_the_users_secret()
    {
        var user = await UserAsync(this, App, Client);
        var url = new Uri(Receiver.Address, "/hook/" + user.Id).ToString();
        var preferences = await user.Api.PutAsJsonAsync("/api/notifications/preferences", new
        {
            emailEnabled = true, pushEnabled = true, webhookEnabled = true, webhookUrl = url,
            emailDailyCap = 50, pushDailyCap = 50, smsDailyCap = 10, webhookDailyCap = 50,
        });
        var saved = await preferences.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)preferences.StatusCode, Is.EqualTo(200), saved.ToString());
        var secret = saved.GetProperty("webhookSecret").GetString()!;

        await Ticks.WriteAsync(App, ("LHM", 1500m));
        var id = await CreateAsync(user.Api, new { ticker = "LHM", condition = "PriceAbove", level = 1550, channels = new[] { "Webhook" } });
        await WaitArmedAsync(App, 1);
        await Ticks.WriteAsync(App, ("LHM", 1551.25m));

        var hook = await Eventually.ValueAsync(() => Task.FromResult(_webhooks.Where(h => h.Path.EndsWith(user.Id)).ToList()), h => h.Count > 0, "the webhook");
        var (_, body, signature, timestamp, deliveryId) = hook[0];
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));
        Assert.That(signature, Is.EqualTo(expected));
        var firing = (await FiringsAsync(App, id)).Single();
        Assert.That(deliveryId, Is.EqualTo((await DeliveriesAsync(firing.Id)).Single().Id.ToString()), "the outbox row's id");
        var json = JsonDocument.Parse(body).RootElement;
        Assert.That(json.GetProperty("type").GetString(), Is.EqualTo("alert.triggered"));
        Assert.That(json.GetProperty("alertId").GetInt64(), Is.EqualTo(id));
        Assert.That(json.GetProperty("ticker").GetString(), Is.EqualTo("LHM"));
        Assert.That(json.GetProperty("price").GetDecimal(), Is.EqualTo(1551.25m));
        Assert.That(json.GetProperty("condition").GetString(), Is.EqualTo("PriceAbove"));
    }

    [Test]
    public async Task Sms_needs_a_verified_number_then_reaches_twilio()
    {
        var user = await UserAsync(this, App, Client);
        var refused = await user.Api.PostAsJsonAsync("/api/alerts", new { ticker = "MNG", condition = "PriceAbove", level = 1, channels = new[] { "Sms" } });
        Assert.That((int)refused.StatusCode, Is.EqualTo(400), "SMS is not usable before the number is verified");

        Assert.That((int)(await user.Api.PostAsJsonAsync("/api/notifications/preferences/phone", new { phoneNumber = "06 61 23 45 67" })).StatusCode, Is.EqualTo(202));
        var codeMessage = await Eventually.ValueAsync(() => Task.FromResult(_sms.Where(s => s["To"] == "+212661234567").ToList()), s => s.Count > 0, "the code by SMS");
        var code = System.Text.RegularExpressions.Regex.Match(codeMessage[0]["Body"], @"\d{6}").Value;
        var wrong = await user.Api.PostAsJsonAsync("/api/notifications/preferences/phone/confirm", new { code = code == "000000" ? "111111" : "000000" });
        Assert.That((int)wrong.StatusCode, Is.EqualTo(400));
        Assert.That((int)(await user.Api.PostAsJsonAsync("/api/notifications/preferences/phone/confirm", new { code })).StatusCode, Is.EqualTo(204));

        await Ticks.WriteAsync(App, ("MNG", 3000m));
        var id = await CreateAsync(user.Api, new { ticker = "MNG", condition = "PriceBelow", level = 2990, channels = new[] { "Sms" } });
        await WaitArmedAsync(App, 1);
        await Ticks.WriteAsync(App, ("MNG", 2985m));
        var alertSms = await Eventually.ValueAsync(() => Task.FromResult(_sms.Where(s => s["To"] == "+212661234567" && s["Body"].Contains("MNG")).ToList()), s => s.Count > 0, "the alert SMS");
        Assert.That(alertSms[0]["Body"], Does.Contain("Price at or below 2,990.00").And.Contain("2,985.00 MAD"));
        Assert.That(alertSms[0]["From"], Is.EqualTo("+15005550006"));
        var firing = (await FiringsAsync(App, id)).Single();
        Assert.That((await SettledAsync(firing.Id, 1))[0].Status, Is.EqualTo(DeliveryStatus.Sent));
    }

    [Test]
    public async Task Quiet_hours_that_drop_and_a_daily_cap_of_zero_skip_the_delivery_and_say_why()
    {
        var user = await UserAsync(this, App, Client);
        // Quiet all day but one minute: whenever the test runs, it is within quiet hours.
        var now = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Africa/Casablanca"));
        var start = TimeOnly.FromDateTime(now.DateTime).AddMinutes(-60);
        var response = await user.Api.PutAsJsonAsync("/api/notifications/preferences", new
        {
            emailEnabled = true, pushEnabled = true, emailDailyCap = 50, pushDailyCap = 0, smsDailyCap = 10, webhookDailyCap = 50,
            quietStart = start.ToString("HH:mm"), quietEnd = start.AddMinutes(-1).ToString("HH:mm"), quietMode = "Drop",
        });
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        await Ticks.WriteAsync(App, ("CIH", 300m));
        var id = await CreateAsync(user.Api, new { ticker = "CIH", condition = "PriceAbove", level = 310, channels = new[] { "InApp", "Email" } });
        await WaitArmedAsync(App, 1);
        await Ticks.WriteAsync(App, ("CIH", 311m));
        var firing = (await Eventually.ValueAsync(() => FiringsAsync(App, id), f => f.Count == 1, "the firing"))[0];
        var deliveries = await SettledAsync(firing.Id, 2);
        Assert.That(deliveries[0].Status, Is.EqualTo(DeliveryStatus.Sent), "in-app is not silenced by quiet hours");
        Assert.That((deliveries[1].Status, deliveries[1].DetailKey), Is.EqualTo((DeliveryStatus.Skipped, "Not sent: it came during your quiet hours.")));
        Assert.That(_smtp.MessagesTo(user.Email).Any(m => (m.Subject ?? "").StartsWith("CIH")), Is.False);
    }

    [Test]
    public async Task Send_a_test_goes_through_each_channel_of_the_alert_and_reports_per_channel()
    {
        var user = await UserAsync(this, App, Client);
        var id = await CreateAsync(user.Api, new { ticker = "ATW", condition = "CrossesUp", level = 9999, channels = new[] { "InApp", "Email" } });
        Assert.That((int)(await user.Api.PostAsync($"/api/alerts/{id}/test", null)).StatusCode, Is.EqualTo(202));
        await MailAsync(user.Email, "Test — ATW");
        var tests = await Eventually.ValueAsync(
            () => App.WithDbAsync(db => db.Set<Delivery>().AsNoTracking().Where(d => d.TestSourceId == id && d.EventId == null).OrderBy(d => d.Channel).ToListAsync()),
            d => d.Count == 2 && d.All(x => x.Status == DeliveryStatus.Sent), "both test deliveries sent");
        Assert.That(tests.Select(t => t.Channel), Is.EqualTo(new[] { Channel.InApp, Channel.Email }));
        Assert.That(await FiringsAsync(App, id), Is.Empty, "a test is not a firing");
    }

    [Test]
    public async Task Bad_input_is_a_problem_with_field_errors_and_creates_nothing()
    {
        var user = await UserAsync(this, App, Client);
        var response = await user.Api.PostAsJsonAsync("/api/alerts", new
        {
            ticker = "ATW", condition = "EntersChannel", level = 700, level2 = 650, triggerMode = "EveryTime", cooldownMinutes = 0,
            channels = new[] { "InApp" }, note = new string('x', 501),
        });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/problem+json"));
        var errors = problem.GetProperty("errors");
        Assert.That(errors.GetProperty("level2")[0].GetString(), Is.EqualTo("The channel's high must be above its low."));
        Assert.That(errors.GetProperty("cooldownMinutes")[0].GetString(), Does.Contain("between 1 and"));
        Assert.That(errors.GetProperty("note")[0].GetString(), Does.Contain("500"));
        var both = await user.Api.PostAsJsonAsync("/api/alerts", new { ticker = "ATW", watchlistId = 1, condition = "PriceAbove", level = 1, channels = new[] { "InApp" } });
        Assert.That((int)both.StatusCode, Is.EqualTo(400));
        Assert.That((await user.Api.GetFromJsonAsync<JsonElement>("/api/alerts")).GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Another_users_alert_is_not_found_everywhere()
    {
        var owner = await UserAsync(this, App, Client, "owner");
        var intruder = await UserAsync(this, App, Client, "intruder");
        var id = await CreateAsync(owner.Api, new { ticker = "ATW", condition = "CrossesUp", level = 9999, channels = new[] { "InApp" } });
        var body = new { ticker = "ATW", condition = "CrossesUp", level = 1, channels = new[] { "InApp" } };
        var api = intruder.Api;
        HttpResponseMessage[] responses =
        [
            await api.GetAsync($"/api/alerts/{id}"),
            await api.PutAsJsonAsync($"/api/alerts/{id}", body),
            await api.DeleteAsync($"/api/alerts/{id}"),
            await api.PostAsync($"/api/alerts/{id}/pause", null),
            await api.PostAsync($"/api/alerts/{id}/resume", null),
            await api.PostAsync($"/api/alerts/{id}/test", null),
            await api.GetAsync($"/api/alerts/{id}/history"),
        ];
        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await api.GetFromJsonAsync<JsonElement>("/api/alerts")).GetArrayLength(), Is.Zero);
        Assert.That((int)(await api.PostAsJsonAsync("/api/alerts/trigger", new { })).StatusCode, Is.EqualTo(403), "the sweep is for admins");

        // The pages: sign the intruder in with cookies.
        var browser = Client();
        await SignInAsync(browser, intruder.Email);
        Assert.That((await browser.GetAsync($"/alerts/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await browser.GetAsync($"/alerts/{id}/edit")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        foreach (var handler in new[] { "Pause", "Resume", "Delete", "Test" })
        {
            var post = await PostFormAsync(browser, "/alerts", new Dictionary<string, string>(), $"/alerts?handler={handler}&id={id}");
            Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), handler);
        }
        var edit = await PostFormAsync(browser, "/alerts/new", new Dictionary<string, string>
        {
            ["Input.Ticker"] = "ATW", ["Input.Condition"] = "PriceAbove", ["Input.Level"] = "1", ["Input.Channels"] = "InApp",
        }, $"/alerts/{id}/edit");
        Assert.That(edit.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var owned = await owner.Api.GetFromJsonAsync<JsonElement>($"/api/alerts/{id}");
        Assert.That((owned.GetProperty("status").GetString(), owned.GetProperty("level").GetDecimal()), Is.EqualTo(("Active", 9999m)), "untouched");
    }

    [Test]
    public async Task A_daily_cap_holds_when_many_deliveries_run_at_once()
    {
        var user = await UserAsync(this, App, Client);
        var url = new Uri(Receiver.Address, "/hook/cap-" + user.Id).ToString();
        var saved = await user.Api.PutAsJsonAsync("/api/notifications/preferences", new
        {
            emailEnabled = true, pushEnabled = true, webhookEnabled = true, webhookUrl = url,
            emailDailyCap = 50, pushDailyCap = 50, smsDailyCap = 10, webhookDailyCap = 2,
        });
        Assert.That((int)saved.StatusCode, Is.EqualTo(200));
        await Ticks.WriteAsync(App, ("SID", 40m));
        var ids = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await CreateAsync(user.Api, new { ticker = "SID", condition = "CrossesUp", level = 41 + i / 10m, channels = new[] { "Webhook" } }));
        }
        await WaitArmedAsync(App, 6);
        await Ticks.WriteAsync(App, ("SID", 45m));

        var firingIds = await Eventually.ValueAsync(
            () => App.WithDbAsync(db => db.Set<AlertFiring>().Where(f => ids.Contains(f.AlertId)).Select(f => f.Id).ToListAsync()), f => f.Count == 6, "six firings");
        var deliveries = await Eventually.ValueAsync(
            () => App.WithDbAsync(db => db.Set<Delivery>().AsNoTracking().Where(d => firingIds.Contains(d.EventId!.Value)).ToListAsync()),
            d => d.Count == 6 && d.All(x => x.Status is DeliveryStatus.Sent or DeliveryStatus.Skipped), "six settled deliveries");
        Assert.That(deliveries.Count(d => d.Status == DeliveryStatus.Sent), Is.EqualTo(2), "the cap of 2, however many jobs ran in parallel");
        Assert.That(deliveries.Where(d => d.Status == DeliveryStatus.Skipped).Select(d => d.DetailKey),
            Is.All.EqualTo("Not sent: the daily limit of {0} for this channel was reached."));
        Assert.That(_webhooks.Count(h => h.Path.EndsWith("cap-" + user.Id)), Is.EqualTo(2));
    }

    [Test]
    public async Task Quiet_hours_that_defer_hold_the_email_until_they_end()
    {
        var user = await UserAsync(this, App, Client);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Africa/Casablanca");
        var now = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime);
        var (start, end) = (now.AddMinutes(-30), now.AddMinutes(90));
        var response = await user.Api.PutAsJsonAsync("/api/notifications/preferences", new
        {
            emailEnabled = true, pushEnabled = true, emailDailyCap = 50, pushDailyCap = 50, smsDailyCap = 10, webhookDailyCap = 50,
            quietStart = start.ToString("HH:mm"), quietEnd = end.ToString("HH:mm"), quietMode = "Defer",
        });
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        await Ticks.WriteAsync(App, ("TQM", 900m));
        var id = await CreateAsync(user.Api, new { ticker = "TQM", condition = "PriceBelow", level = 890, channels = new[] { "Email" } });
        await WaitArmedAsync(App, 1);
        await Ticks.WriteAsync(App, ("TQM", 880m));

        var firing = (await Eventually.ValueAsync(() => FiringsAsync(App, id), f => f.Count == 1, "the firing"))[0];
        var held = await Eventually.ValueAsync(() => DeliveriesAsync(firing.Id), d => d.Count == 1 && d[0].DetailKey == "Held until your quiet hours end.", "the held delivery");
        Assert.That(held[0].Status, Is.EqualTo(DeliveryStatus.Pending));
        Assert.That(held[0].Attempts, Is.Zero, "holding is not a failed attempt");
        var expected = DateTimeOffset.UtcNow.AddMinutes(90);
        Assert.That(held[0].NextAttemptAt, Is.EqualTo(expected).Within(TimeSpan.FromMinutes(2)), "delivered when the quiet hours end");
        Assert.That(_smtp.MessagesTo(user.Email).Any(m => (m.Subject ?? "").StartsWith("TQM")), Is.False);
    }
}
