using System.Net;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Trading;
using Microsoft.EntityFrameworkCore;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>Competitions: admins create and change them (field by field validation), users join with a fresh account that ranks on the competition's board.</summary>
public sealed class CompetitionTests : AppTest
{
    private static DateOnly Today => Web.Features.Market.Calendar.ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow);

    private static Dictionary<string, string> Form(string name, DateOnly starts, DateOnly ends, string cash, string rules = "") => new()
    {
        ["Input.Name"] = name,
        ["Input.StartsOn"] = starts.ToString("yyyy-MM-dd"),
        ["Input.EndsOn"] = ends.ToString("yyyy-MM-dd"),
        ["Input.StartingCash"] = cash,
        ["Input.Rules"] = rules,
    };

    private async Task<HttpClient> SignedInAsync(bool admin)
    {
        var user = await UserAsync(this, App, Client, admin ? "boss" : "player", admin);
        var client = Client();
        await SignInAsync(client, user.Email);
        return client;
    }

    [Test]
    public async Task Only_admins_reach_the_competitions_admin_page()
    {
        var player = await SignedInAsync(admin: false);
        var get = await player.GetAsync("/admin/competitions");
        Assert.That(get.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound
            || get.Headers.Location?.ToString().Contains("/account/access-denied") == true, Is.True, $"{(int)get.StatusCode} {get.Headers.Location}");
        var admin = await SignedInAsync(admin: true);
        Assert.That((await admin.GetAsync("/admin/competitions")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_admin_creates_and_changes_a_competition_and_bad_fields_are_told_on_their_field()
    {
        var admin = await SignedInAsync(admin: true);
        var refused = await PostFormAsync(admin, "/admin/competitions", Form("", Today.AddDays(3), Today.AddDays(1), "12"));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the form again, with its errors");
        var html = await refused.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("id=\"Input_Name_error\"").And.Contain("Give the competition a name."));
        var before = await App.WithDbAsync(db => db.PaperCompetitions.CountAsync());

        var bad = new[]
        {
            (Form("Past", Today.AddDays(-2), Today.AddDays(10), "50000"), "Input_StartsOn_error", "The first day cannot be in the past."),
            (Form("Backwards", Today.AddDays(5), Today.AddDays(1), "50000"), "Input_EndsOn_error", "The last day cannot be before the first."),
            (Form("Tiny", Today, Today.AddDays(10), "12"), "Input_StartingCash_error", "Between 1,000 and 100,000,000 MAD"),
            (Form("Unparsed", Today, Today.AddDays(10), "lots"), "Input_StartingCash_error", "Enter the starting cash."),
        };
        foreach (var (form, field, message) in bad)
        {
            var body = await (await PostFormAsync(admin, "/admin/competitions", form)).Content.ReadAsStringAsync();
            Assert.That(body, Does.Contain($"id=\"{field}\"").And.Contain(message), form["Input.Name"]);
        }
        Assert.That(await App.WithDbAsync(db => db.PaperCompetitions.CountAsync()), Is.EqualTo(before), "nothing saved");

        var created = await PostFormAsync(admin, "/admin/competitions", Form("Ramadan cup", Today, Today.AddDays(30), "250000", "No more than five orders a day."));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var competition = await App.WithDbAsync(db => db.PaperCompetitions.SingleAsync(c => c.Name == "Ramadan cup"));
        Assert.That(competition.StartingCash, Is.EqualTo(250_000m));
        Assert.That(competition.Rules, Is.EqualTo("No more than five orders a day."));

        var changed = await PostFormAsync(admin, $"/admin/competitions?id={competition.Id}",
            Form("Ramadan cup 2026", Today, Today.AddDays(40), "250000"), action: $"/admin/competitions?id={competition.Id}");
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var reread = await App.WithDbAsync(db => db.PaperCompetitions.AsNoTracking().SingleAsync(c => c.Id == competition.Id));
        Assert.That((reread.Name, reread.EndsOn, reread.Rules), Is.EqualTo(("Ramadan cup 2026", Today.AddDays(40), (string?)null)));
        Assert.That((await admin.GetAsync("/admin/competitions?id=987654")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Joining_opens_an_account_with_the_competitions_cash_on_its_leaderboard()
    {
        var admin = await SignedInAsync(admin: true);
        await PostFormAsync(admin, "/admin/competitions", Form("Atlas challenge", Today, Today.AddDays(20), "75000", "Buy and hold."));
        var competition = await App.WithDbAsync(db => db.PaperCompetitions.SingleAsync(c => c.Name == "Atlas challenge"));

        var player = await UserAsync(this, App, Client, "player");
        var client = Client();
        await SignInAsync(client, player.Email);
        var page = await client.GetStringAsync("/paper/competitions");
        Assert.That(page, Does.Contain("Atlas challenge").And.Contain("Buy and hold."));

        // A leaderboard name is needed: nothing is opened without it.
        var refused = await PostFormAsync(client, "/paper/competitions", new Dictionary<string, string>
            { ["competitionId"] = competition.Id.ToString(), ["displayName"] = " " }, action: "/paper/competitions/Join");
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("data-testid=\"join-error\"").And.Contain("Choose the name to show on the leaderboard."));
        Assert.That(await App.WithDbAsync(db => db.PaperAccounts.CountAsync(a => a.UserId == player.Id)), Is.Zero);

        var joined = await PostFormAsync(client, "/paper/competitions", new Dictionary<string, string>
            { ["competitionId"] = competition.Id.ToString(), ["displayName"] = "Casablanca Bull" }, action: "/paper/competitions/Join");
        Assert.That(joined.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var account = await App.WithDbAsync(db => db.PaperAccounts.AsNoTracking().SingleAsync(a => a.UserId == player.Id));
        Assert.That(joined.Headers.Location?.ToString(), Is.EqualTo($"/paper/{account.Id}"));
        Assert.That((account.CompetitionId, account.StartingCash, account.Cash, account.OnLeaderboard, account.DisplayName),
            Is.EqualTo(((int?)competition.Id, 75_000m, 75_000m, true, "Casablanca Bull")));

        var board = await client.GetStringAsync($"/paper/leaderboard?competition={competition.Id}");
        Assert.That(board, Does.Contain("data-testid=\"display-name\">Casablanca Bull"));
        Assert.That(board, Does.Contain("aria-current=\"true\""), "the player's own row");
        Assert.That(board, Does.Not.Contain(player.Email));
        Assert.That(await client.GetStringAsync("/paper/competitions"), Does.Contain("data-testid=\"joined\""), "joined once; the page says so");
    }
}
