using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using Microsoft.EntityFrameworkCore;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Alerts;

/// <summary>
/// The cap on live alerts holds when a user's requests race: creates, edits that re-arm a triggered alert and resumes
/// all spend it under the user's lock (counted apart, 18 of 25 parallel creates got past it).
/// </summary>
public sealed class AlertLimitTests : AppTest
{
    private const int Max = 8;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Alerts:MaxAlertsPerUser"] = Max.ToString(),
        ["Alerts:Engine"] = "false",
    };

    private static readonly object Rule = new { ticker = "ATW", condition = "PriceAbove", level = 100000, channels = new[] { "InApp" } };

    [OneTimeSetUp]
    public Task QuoteAsync() => Ticks.WriteAsync(App, ("ATW", 500m));

    private Task<int> LiveAsync(string userId) =>
        App.WithDbAsync(db => db.Set<Alert>().CountAsync(a => a.UserId == userId && (a.Status == AlertStatus.Active || a.Status == AlertStatus.Paused)));

    private static async Task AssertLimitProblemAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.That(problem.GetProperty("detail").GetString(), Is.EqualTo($"You can have at most {Max} active alerts."));
        Assert.That(problem.GetProperty("errors").GetProperty("")[0].GetString(), Is.EqualTo($"You can have at most {Max} active alerts."));
    }

    [Test]
    public async Task Twenty_five_parallel_creates_with_three_slots_left_create_exactly_three()
    {
        var user = await UserAsync(this, App, Client, "limit-create");
        for (var i = 0; i < Max - 3; i++)
        {
            await CreateAsync(user.Api, Rule);
        }
        var responses = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => user.Api.PostAsJsonAsync("/api/alerts", Rule)));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Created), Is.EqualTo(3));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await AssertLimitProblemAsync(refused);
        }
        Assert.That(await LiveAsync(user.Id), Is.EqualTo(Max));
    }

    [Test]
    public async Task Re_arming_triggered_alerts_by_editing_them_in_parallel_stops_at_the_limit()
    {
        var user = await UserAsync(this, App, Client, "limit-rearm");
        var ids = new List<long>();
        for (var i = 0; i < Max; i++)
        {
            ids.Add(await CreateAsync(user.Api, Rule));
        }
        // Five fire (one-time alerts end Triggered), freeing five slots; three of them are taken again by new alerts.
        var fired = ids.Take(5).ToList();
        await App.WithDbAsync(db => db.Set<Alert>().Where(a => fired.Contains(a.Id)).ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AlertStatus.Triggered)));
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(user.Api, Rule);
        }
        // Two slots left, five triggered alerts edited (re-armed) at once, each five times.
        var responses = await Task.WhenAll(fired.SelectMany(id => Enumerable.Range(0, 5).Select(_ => user.Api.PutAsJsonAsync($"/api/alerts/{id}", Rule))));
        Assert.That(await LiveAsync(user.Id), Is.EqualTo(Max));
        var rearmed = await App.WithDbAsync(db => db.Set<Alert>().CountAsync(a => fired.Contains(a.Id) && a.Status == AlertStatus.Active));
        Assert.That(rearmed, Is.EqualTo(2));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await AssertLimitProblemAsync(refused);
        }

        // At the limit: one more re-arm is refused and the alert stays triggered; resume does not re-arm it either.
        var stillTriggered = await App.WithDbAsync(db => db.Set<Alert>().Where(a => fired.Contains(a.Id) && a.Status == AlertStatus.Triggered).Select(a => a.Id).FirstAsync());
        await AssertLimitProblemAsync(await user.Api.PutAsJsonAsync($"/api/alerts/{stillTriggered}", Rule));
        await user.Api.PostAsync($"/api/alerts/{stillTriggered}/resume", null);
        Assert.That(await App.WithDbAsync(db => db.Set<Alert>().Where(a => a.Id == stillTriggered).Select(a => a.Status).SingleAsync()), Is.EqualTo(AlertStatus.Triggered));
        // An edit of an alert that is already live is no new alert: allowed at the limit.
        var live = await App.WithDbAsync(db => db.Set<Alert>().Where(a => a.UserId == user.Id && a.Status == AlertStatus.Active).Select(a => a.Id).FirstAsync());
        Assert.That((await user.Api.PutAsJsonAsync($"/api/alerts/{live}", Rule)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Resuming_past_the_limit_is_refused_and_the_alert_stays_paused()
    {
        var user = await UserAsync(this, App, Client, "limit-resume");
        var paused = await CreateAsync(user.Api, Rule);
        Assert.That((await user.Api.PostAsync($"/api/alerts/{paused}/pause", null)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        for (var i = 0; i < Max - 1; i++)
        {
            await CreateAsync(user.Api, Rule);
        }
        // More live alerts than the cap allows, as a lowered Alerts:MaxAlertsPerUser leaves them.
        await App.WithDbAsync(async db =>
        {
            var extra = await db.Set<Alert>().AsNoTracking().FirstAsync(a => a.UserId == user.Id && a.Status == AlertStatus.Active);
            extra.Id = 0;
            db.Add(extra);
            return await db.SaveChangesAsync();
        });
        await AssertLimitProblemAsync(await user.Api.PostAsync($"/api/alerts/{paused}/resume", null));
        Assert.That(await App.WithDbAsync(db => db.Set<Alert>().Where(a => a.Id == paused).Select(a => a.Status).SingleAsync()), Is.EqualTo(AlertStatus.Paused));

        // The page says why, on the list.
        var browser = Client();
        await SignInAsync(browser, user.Email);
        var resumed = await PostFormAsync(browser, "/alerts", new Dictionary<string, string>(), $"/alerts?handler=Resume&id={paused}");
        Assert.That(resumed.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var list = await (await browser.GetAsync(resumed.Headers.Location!.ToString())).Content.ReadAsStringAsync();
        Assert.That(list, Does.Contain($"You can have at most {Max} active alerts."));
        Assert.That(await App.WithDbAsync(db => db.Set<Alert>().Where(a => a.Id == paused).Select(a => a.Status).SingleAsync()), Is.EqualTo(AlertStatus.Paused));
    }

    [Test]
    public async Task The_alert_form_at_the_limit_shows_the_limit_as_an_error_and_creates_nothing()
    {
        var user = await UserAsync(this, App, Client, "limit-form");
        for (var i = 0; i < Max; i++)
        {
            await CreateAsync(user.Api, Rule);
        }
        var browser = Client();
        await SignInAsync(browser, user.Email);
        var form = await PostFormAsync(browser, "/alerts/new", new Dictionary<string, string>
        {
            ["Input.Ticker"] = "ATW",
            ["Input.Condition"] = "PriceAbove",
            ["Input.Level"] = "100000",
            ["Input.Channels"] = "InApp",
            ["Input.TriggerMode"] = "Once",
            ["Input.NeverExpires"] = "true",
        });
        var html = await form.Content.ReadAsStringAsync();
        Assert.That(form.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        Assert.That(html, Does.Contain($"You can have at most {Max} active alerts."));
        Assert.That(await LiveAsync(user.Id), Is.EqualTo(Max));
    }
}
