using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Alerts;

/// <summary>The JSON API end to end: every /api/alerts and /api/notifications endpoint the other fixtures do not drive already.</summary>
public sealed class AlertApiTests : AppTest
{
    private User _admin = null!;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // Firings come from the sweep this test runs, not from an engine racing it.
        ["Alerts:Engine"] = "false",
        ["MarketData:Simulated:DemoMode"] = "true",
    };

    [OneTimeSetUp]
    public async Task AdminAsync() => _admin = await UserAsync(this, App, Client, "api-admin", admin: true);

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }

    [Test]
    public async Task Lists_filter_by_state_history_shows_deliveries_and_delete_removes_the_alert()
    {
        var user = await UserAsync(this, App, Client);
        await Ticks.WriteAsync(App, ("CDM", 500m));
        var fires = await CreateAsync(user.Api, new { ticker = "CDM", condition = "PriceAbove", level = 450, channels = new[] { "InApp" } });
        var paused = await CreateAsync(user.Api, new { ticker = "CDM", condition = "PriceBelow", level = 100, channels = new[] { "InApp" } });
        await JsonAsync(await user.Api.PostAsync($"/api/alerts/{paused}/pause", null), HttpStatusCode.OK);
        var sweep = await JsonAsync(await _admin.Api.PostAsync("/api/alerts/trigger", null), HttpStatusCode.OK);
        Assert.That(sweep.GetProperty("fired").GetInt32(), Is.GreaterThanOrEqualTo(1));

        var pausedOnes = await JsonAsync(await user.Api.GetAsync("/api/alerts?status=Paused"), HttpStatusCode.OK);
        Assert.That(pausedOnes.EnumerateArray().Select(a => a.GetProperty("id").GetInt64()), Is.EqualTo(new[] { paused }));
        var triggered = await JsonAsync(await user.Api.GetAsync("/api/alerts?status=Triggered"), HttpStatusCode.OK);
        Assert.That(triggered.EnumerateArray().Select(a => a.GetProperty("id").GetInt64()), Is.EqualTo(new[] { fires }));
        Assert.That((await user.Api.GetAsync("/api/alerts?status=Nonsense")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        var history = await JsonAsync(await user.Api.GetAsync($"/api/alerts/{fires}/history"), HttpStatusCode.OK);
        Assert.That(history.GetArrayLength(), Is.EqualTo(1));
        Assert.That(history[0].GetProperty("price").GetDecimal(), Is.EqualTo(500m));
        var delivery = history[0].GetProperty("deliveries")[0];
        Assert.That((delivery.GetProperty("channel").GetString(), delivery.GetProperty("status").GetString()), Is.EqualTo(("InApp", "Sent")));

        await JsonAsync(await user.Api.DeleteAsync($"/api/alerts/{fires}"), HttpStatusCode.NoContent);
        await JsonAsync(await user.Api.GetAsync($"/api/alerts/{fires}"), HttpStatusCode.NotFound);
        await JsonAsync(await user.Api.DeleteAsync($"/api/alerts/{fires}"), HttpStatusCode.NotFound);
        var inbox = await JsonAsync(await user.Api.GetAsync("/api/notifications/history"), HttpStatusCode.OK);
        Assert.That(inbox.GetArrayLength(), Is.Zero, "the alert's history and notifications go with it");
    }

    [Test]
    public async Task Preferences_read_and_write_and_the_webhook_secret_rotates()
    {
        var user = await UserAsync(this, App, Client);
        var defaults = await JsonAsync(await user.Api.GetAsync("/api/notifications/preferences"), HttpStatusCode.OK);
        Assert.That((defaults.GetProperty("emailEnabled").GetBoolean(), defaults.GetProperty("smsEnabled").GetBoolean(), defaults.GetProperty("emailDailyCap").GetInt32()),
            Is.EqualTo((true, false, 50)));
        Assert.That(defaults.GetProperty("webhookSecret").ValueKind, Is.EqualTo(JsonValueKind.Null));

        var bad = await JsonAsync(await user.Api.PutAsJsonAsync("/api/notifications/preferences", new
        {
            emailEnabled = true, pushEnabled = true, smsEnabled = true, webhookEnabled = true, webhookUrl = "http://127.0.0.1/hook",
            emailDailyCap = -1, pushDailyCap = 50, smsDailyCap = 10, webhookDailyCap = 50, quietStart = "22:00",
        }), HttpStatusCode.BadRequest);
        var errors = bad.GetProperty("errors");
        Assert.That(new[] { "emailDailyCap", "quietStart", "webhookUrl", "smsEnabled" }.All(f => errors.TryGetProperty(f, out _)), Is.True, errors.ToString());
        var unchanged = await JsonAsync(await user.Api.GetAsync("/api/notifications/preferences"), HttpStatusCode.OK);
        Assert.That(unchanged.GetProperty("emailDailyCap").GetInt32(), Is.EqualTo(50), "a refused change changes nothing");

        var saved = await JsonAsync(await user.Api.PutAsJsonAsync("/api/notifications/preferences", new
        {
            emailEnabled = false, pushEnabled = true, webhookEnabled = true, webhookUrl = "https://hooks.example.com/marketwatch",
            emailDailyCap = 5, pushDailyCap = 50, smsDailyCap = 10, webhookDailyCap = 50, quietStart = "22:00", quietEnd = "07:00", quietMode = "Drop",
        }), HttpStatusCode.OK);
        Assert.That((saved.GetProperty("emailEnabled").GetBoolean(), saved.GetProperty("quietEnd").GetString(), saved.GetProperty("quietMode").GetString()),
            Is.EqualTo((false, "07:00:00", "Drop")));
        var secret = saved.GetProperty("webhookSecret").GetString();
        Assert.That(secret, Is.Not.Null.And.Length.GreaterThanOrEqualTo(40), "a secret is made with the first webhook address");

        var rotated = await JsonAsync(await user.Api.PostAsync("/api/notifications/preferences/webhook-secret", null), HttpStatusCode.OK);
        Assert.That(rotated.GetProperty("webhookSecret").GetString(), Is.Not.EqualTo(secret));
        var after = await JsonAsync(await user.Api.GetAsync("/api/notifications/preferences"), HttpStatusCode.OK);
        Assert.That(after.GetProperty("webhookSecret").GetString(), Is.EqualTo(rotated.GetProperty("webhookSecret").GetString()));
    }

    [Test]
    public async Task Test_sends_once_per_interval_and_history_is_marked_read_for_its_owner_only()
    {
        var user = await UserAsync(this, App, Client);
        var other = await UserAsync(this, App, Client, "other");
        await JsonAsync(await user.Api.PostAsJsonAsync("/api/notifications/test", new { channels = new[] { "Nonsense" } }), HttpStatusCode.BadRequest);
        await JsonAsync(await user.Api.PostAsJsonAsync("/api/notifications/test", new { channels = new[] { "InApp" } }), HttpStatusCode.Accepted);
        var again = await user.Api.PostAsJsonAsync("/api/notifications/test", new { channels = new[] { "InApp" } });
        await JsonAsync(again, HttpStatusCode.TooManyRequests);
        Assert.That(again.Headers.RetryAfter, Is.Not.Null);

        var unread = await JsonAsync(await user.Api.GetAsync("/api/notifications/history?unread=true"), HttpStatusCode.OK);
        Assert.That(unread.GetArrayLength(), Is.EqualTo(1));
        Assert.That(unread[0].GetProperty("title").GetString(), Does.StartWith("Test — "));
        var id = unread[0].GetProperty("id").GetInt64();
        Assert.That((await JsonAsync(await other.Api.GetAsync("/api/notifications/history"), HttpStatusCode.OK)).GetArrayLength(), Is.Zero);

        var stranger = await JsonAsync(await other.Api.PostAsJsonAsync("/api/notifications/history/read", new { ids = new[] { id } }), HttpStatusCode.OK);
        Assert.That(stranger.GetProperty("marked").GetInt32(), Is.Zero, "another user cannot mark it read");
        var mine = await JsonAsync(await user.Api.PostAsJsonAsync("/api/notifications/history/read", new { ids = new[] { id } }), HttpStatusCode.OK);
        Assert.That(mine.GetProperty("marked").GetInt32(), Is.EqualTo(1));
        Assert.That((await JsonAsync(await user.Api.GetAsync("/api/notifications/history?unread=true"), HttpStatusCode.OK)).GetArrayLength(), Is.Zero);
        var all = await JsonAsync(await user.Api.PostAsJsonAsync("/api/notifications/history/read", new { }), HttpStatusCode.OK);
        Assert.That(all.GetProperty("marked").GetInt32(), Is.Zero, "nothing unread is left");
    }

    [Test]
    public async Task The_api_needs_a_signed_in_user()
    {
        var anonymous = Client();
        foreach (var path in new[] { "/api/alerts", "/api/alerts/1", "/api/alerts/1/history", "/api/notifications/preferences", "/api/notifications/history" })
        {
            Assert.That((await anonymous.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), path);
        }
        Assert.That((await anonymous.PostAsync("/api/alerts/trigger", null)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
