using MarketWatch.Web.Features.Market;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Alerts;

/// <summary>
/// The minute sweep on its own (no engine on this instance): it catches up on what no engine saw, expires old
/// alerts, re-arms cooled-down ones and keeps watchlist alerts in step with their list.
/// </summary>
public sealed class AlertSweepTests : AppTest
{
    private User _admin = null!;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Alerts:Engine"] = "false",
        ["MarketData:Simulated:DemoMode"] = "true",
    };

    [OneTimeSetUp]
    public async Task AdminAsync() => _admin = await UserAsync(this, App, Client, "admin", admin: true);

    private async Task<SweepResult> SweepAsync()
    {
        var response = await _admin.Api.PostAsync("/api/alerts/trigger", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return JsonSerializer.Deserialize<SweepResult>(body, JsonSerializerOptions.Web)!;
    }

    private Task<int> SqlAsync(string sql, params object[] args) => App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql, args));

    [Test]
    public async Task A_crossing_no_engine_saw_is_caught_up_against_the_armed_price()
    {
        var user = await UserAsync(this, App, Client);
        await Ticks.WriteAsync(App, ("ATW", 590m));
        var id = await CreateAsync(user.Api, new { ticker = "ATW", condition = "CrossesUp", level = 600, channels = new[] { "InApp" } });
        Assert.That((await SweepAsync()).Fired, Is.Zero, "not crossed yet");

        await Ticks.WriteAsync(App, ("ATW", 612m));
        var result = await SweepAsync();
        Assert.That(result.Fired, Is.GreaterThanOrEqualTo(1));
        var firing = (await FiringsAsync(App, id)).Single();
        Assert.That((firing.Price, firing.Source), Is.EqualTo((612m, "sweep")));
        await SweepAsync();
        Assert.That(await FiringsAsync(App, id), Has.Count.EqualTo(1), "a once alert fires once");
        var alert = await user.Api.GetFromJsonAsync<JsonElement>($"/api/alerts/{id}");
        Assert.That(alert.GetProperty("status").GetString(), Is.EqualTo("Triggered"));
    }

    [Test]
    public async Task An_expired_alert_is_marked_expired_and_never_fires()
    {
        var user = await UserAsync(this, App, Client);
        await Ticks.WriteAsync(App, ("BCP", 300m));
        var id = await CreateAsync(user.Api, new { ticker = "BCP", condition = "PriceAbove", level = 290, channels = new[] { "InApp" } });
        await SqlAsync("UPDATE alerts SET expires_at = now() - interval '1 minute' WHERE id = {0}", id);

        var result = await SweepAsync();
        Assert.That(result.Expired, Is.GreaterThanOrEqualTo(1));
        Assert.That(await FiringsAsync(App, id), Is.Empty);
        var alert = await user.Api.GetFromJsonAsync<JsonElement>($"/api/alerts/{id}");
        Assert.That(alert.GetProperty("status").GetString(), Is.EqualTo("Expired"));
        var resume = await user.Api.PostAsync($"/api/alerts/{id}/resume", null);
        Assert.That((await user.Api.GetFromJsonAsync<JsonElement>($"/api/alerts/{id}")).GetProperty("status").GetString(), Is.EqualTo("Expired"),
            "resuming does not bring an expired alert back");
        Assert.That((int)resume.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task A_repeating_alert_is_re_armed_after_its_cooldown_and_fires_again()
    {
        var user = await UserAsync(this, App, Client);
        await Ticks.WriteAsync(App, ("IAM", 120m));
        var id = await CreateAsync(user.Api, new
        {
            ticker = "IAM", condition = "PriceAbove", level = 110, triggerMode = "EveryTime", cooldownMinutes = 30, channels = new[] { "InApp" },
        });
        await SweepAsync();
        Assert.That(await FiringsAsync(App, id), Has.Count.EqualTo(1));
        await SweepAsync();
        Assert.That(await FiringsAsync(App, id), Has.Count.EqualTo(1), "cooling down");

        await SqlAsync("UPDATE alert_targets SET rearm_at = now() - interval '1 second' WHERE alert_id = {0}", id);
        var result = await SweepAsync();
        Assert.That(result.Rearmed, Is.GreaterThanOrEqualTo(1));
        Assert.That(await FiringsAsync(App, id), Has.Count.EqualTo(1), "re-armed, but the quote is older than the re-arming: no tick has said it holds again");
        await Ticks.WriteAsync(App, ("IAM", 121m));
        await SweepAsync();
        Assert.That(await FiringsAsync(App, id), Has.Count.EqualTo(2), "a new tick still above the level after the cooldown: fires again");
    }

    [Test]
    public async Task Once_per_session_waits_for_the_next_session_and_paused_alerts_wait_for_resume()
    {
        var user = await UserAsync(this, App, Client);
        await Ticks.WriteAsync(App, ("LHM", 1600m));
        var session = await CreateAsync(user.Api, new { ticker = "LHM", condition = "PriceAbove", level = 1500, triggerMode = "OncePerSession", channels = new[] { "InApp" } });
        var paused = await CreateAsync(user.Api, new { ticker = "LHM", condition = "PriceAbove", level = 1400, channels = new[] { "InApp" } });
        await user.Api.PostAsync($"/api/alerts/{paused}/pause", null);

        await SweepAsync();
        Assert.That(await FiringsAsync(App, session), Has.Count.EqualTo(1));
        Assert.That(await FiringsAsync(App, paused), Is.Empty);
        var rearm = await App.WithDbAsync(db => db.Set<AlertTarget>().Where(t => t.AlertId == session).Select(t => t.RearmAt).SingleAsync());
        Assert.That(rearm, Is.GreaterThan(DateTimeOffset.UtcNow), "armed again at the next session's open");

        await user.Api.PostAsync($"/api/alerts/{paused}/resume", null);
        await SweepAsync();
        Assert.That(await FiringsAsync(App, paused), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_watchlist_alert_covers_stocks_added_to_the_list_later()
    {
        var user = await UserAsync(this, App, Client);
        var list = await (await user.Api.PostAsJsonAsync("/api/watchlists", new { name = "Banks" })).Content.ReadFromJsonAsync<JsonElement>();
        var listId = list.GetProperty("id").GetInt32();
        Assert.That((int)(await user.Api.PostAsJsonAsync($"/api/watchlists/{listId}/items", new { ticker = "CIH" })).StatusCode, Is.EqualTo(201));
        await Ticks.WriteAsync(App, ("CIH", 200m), ("BOA", 200m));
        var id = await CreateAsync(user.Api, new { watchlistId = listId, condition = "PriceAbove", level = 250, channels = new[] { "InApp" } });

        Assert.That((int)(await user.Api.PostAsJsonAsync($"/api/watchlists/{listId}/items", new { ticker = "BOA" })).StatusCode, Is.EqualTo(201));
        await Ticks.WriteAsync(App, ("CIH", 251m), ("BOA", 252m));
        var result = await SweepAsync();
        Assert.That(result.TargetsAdded, Is.GreaterThanOrEqualTo(1), "BOA joined the alert");
        var firings = await FiringsAsync(App, id);
        var tickers = await App.WithDbAsync(db => db.Instruments.Where(i => firings.Select(f => f.InstrumentId).Contains(i.Id)).Select(i => i.Ticker).ToListAsync());
        Assert.That(tickers, Is.EquivalentTo(new[] { "CIH", "BOA" }), "each stock of the list fires once");
        var alert = await user.Api.GetFromJsonAsync<JsonElement>($"/api/alerts/{id}");
        Assert.That(alert.GetProperty("status").GetString(), Is.EqualTo("Active"), "a watchlist alert stays armed for stocks that have not fired");
    }

    [Test]
    public async Task The_admin_page_counts_alerts_and_runs_the_sweep_and_is_for_admins_only()
    {
        var user = await UserAsync(this, App, Client);
        await Ticks.WriteAsync(App, ("SID", 50m));
        var id = await CreateAsync(user.Api, new { ticker = "SID", condition = "PriceAbove", level = 40, channels = new[] { "InApp" } });

        var outsider = Client();
        await SignInAsync(outsider, user.Email);
        var refused = await outsider.GetAsync("/admin/alerts");
        Assert.That(refused.Headers.Location?.ToString(), Does.Contain("/account/access-denied"));

        var admin = Client();
        await SignInAsync(admin, _admin.Email);
        var page = await (await admin.GetAsync("/admin/alerts")).Content.ReadAsStringAsync();
        Assert.That(page, Does.Contain("data-testid=\"active-alerts\""));
        var swept = await PostFormAsync(admin, "/admin/alerts", new Dictionary<string, string>(), "/admin/alerts/Sweep");
        var html = await swept.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("data-testid=\"sweep-result\""));
        Assert.That(await FiringsAsync(App, id), Has.Count.EqualTo(1), "the sweep run from the admin page fired it");
    }

    [Test]
    public async Task A_crossing_while_paused_does_not_fire_on_resume()
    {
        var user = await UserAsync(this, App, Client);
        await Ticks.WriteAsync(App, ("ADH", 30m));
        var id = await CreateAsync(user.Api, new { ticker = "ADH", condition = "CrossesEither", level = 32, channels = new[] { "InApp" } });
        await user.Api.PostAsync($"/api/alerts/{id}/pause", null);
        await Ticks.WriteAsync(App, ("ADH", 33m));
        await SweepAsync();
        await user.Api.PostAsync($"/api/alerts/{id}/resume", null);
        await SweepAsync();
        Assert.That(await FiringsAsync(App, id), Is.Empty, "resumed above the level: armed from there");
        await Ticks.WriteAsync(App, ("ADH", 31m));
        await SweepAsync();
        Assert.That(await FiringsAsync(App, id), Has.Count.EqualTo(1), "a crossing after the resume (down through 32) fires");
    }

    [Test]
    public async Task A_match_against_the_rule_before_an_edit_claims_nothing()
    {
        var user = await UserAsync(this, App, Client);
        await Ticks.WriteAsync(App, ("MNG", 2000m));
        var id = await CreateAsync(user.Api, new { ticker = "MNG", condition = "PriceAbove", level = 2500, channels = new[] { "InApp" } });
        var before = await App.WithDbAsync(db => db.Set<AlertTarget>().Where(t => t.AlertId == id).Select(t => new { t.InstrumentId, t.ArmedAt }).SingleAsync());
        var edited = await user.Api.PutAsJsonAsync($"/api/alerts/{id}", new { ticker = "MNG", condition = "PriceAbove", level = 3000, channels = new[] { "InApp" } });
        Assert.That((int)edited.StatusCode, Is.EqualTo(200));

        // An engine still holding the old rule (level 2,500) saw 2,600 just before it heard of the edit.
        await using var scope = App.Services.CreateAsyncScope();
        var claims = scope.ServiceProvider.GetRequiredService<AlertClaims>();
        var stale = await claims.ClaimAsync([new ClaimRequest(id, before.InstrumentId, 2600m, null, before.ArmedAt)], "engine", CancellationToken.None);
        Assert.That(stale.Firings, Is.Zero);
        Assert.That(await FiringsAsync(App, id), Is.Empty);
    }

    [Test]
    public async Task Search_takes_percent_and_underscore_literally()
    {
        var user = await UserAsync(this, App, Client);
        await CreateAsync(user.Api, new { ticker = "ATW", condition = "ChangeUp", level = 5, channels = new[] { "InApp" }, note = "up 50% today" });
        await CreateAsync(user.Api, new { ticker = "IAM", condition = "ChangeUp", level = 5, channels = new[] { "InApp" }, note = "up 500 today" });
        var found = await user.Api.GetFromJsonAsync<JsonElement>("/api/alerts?q=" + Uri.EscapeDataString("50%"));
        Assert.That(found.EnumerateArray().Select(a => a.GetProperty("ticker").GetString()), Is.EqualTo(new[] { "ATW" }));
        var none = await user.Api.GetFromJsonAsync<JsonElement>("/api/alerts?q=" + Uri.EscapeDataString("up_5"));
        Assert.That(none.GetArrayLength(), Is.Zero, "_ is not a wildcard");
    }
}
