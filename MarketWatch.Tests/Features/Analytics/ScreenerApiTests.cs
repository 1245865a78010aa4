using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Features.Alerts;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Analytics;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Analytics;

/// <summary>/api/analytics/screener with every filter, bad filters, paging; saved screens across users; add all to a watchlist.</summary>
public sealed class ScreenerApiTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Watchlists:MaxItemsPerList"] = "10",
    };

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }

    private async Task<JsonElement> ScreenAsync(string query) =>
        await JsonAsync(await Client().GetAsync("/api/analytics/screener?" + query), HttpStatusCode.OK);

    private static double? Number(JsonElement row, string name) =>
        row.GetProperty(name).ValueKind == JsonValueKind.Null ? null : row.GetProperty(name).GetDouble();

    private static IEnumerable<JsonElement> Rows(JsonElement result) => result.GetProperty("rows").EnumerateArray();

    [TestCase("sector=Financials", "sector")]
    [TestCase("sector=Financials&sector=Oil%20%26%20Gas", "sector2")]
    [TestCase("priceMin=100&priceMax=1000", "last")]
    [TestCase("period=Y1&chgMin=0", "perf")]
    [TestCase("period=M3&chgMax=0", "perfMax")]
    [TestCase("volMin=1", "volume")]
    [TestCase("relVolMin=0.5", "relativeVolume")]
    [TestCase("capMin=1000000000&capMax=50000000000", "marketCap")]
    [TestCase("pos52Min=20&pos52Max=80", "position52Percent")]
    [TestCase("rsiMin=40&rsiMax=60", "rsi14")]
    [TestCase("sma50=above", "vsSma50Percent")]
    [TestCase("sma200=below", "vsSma200Percent")]
    [TestCase("volatMin=10&volatMax=40", "volatility1YPercent")]
    [TestCase("betaMin=0&betaMax=1.5", "beta1Y")]
    public async Task Every_filter_returns_only_instruments_that_pass_it(string query, string check)
    {
        var all = await ScreenAsync("limit=200");
        var result = await ScreenAsync(query + "&limit=200");
        var rows = Rows(result).ToList();
        Assert.That(result.GetProperty("total").GetInt32(), Is.EqualTo(rows.Count).And.LessThanOrEqualTo(all.GetProperty("total").GetInt32()));
        foreach (var row in rows)
        {
            var ok = check switch
            {
                "sector" => row.GetProperty("sector").GetString() == "Financials",
                "sector2" => row.GetProperty("sector").GetString() is "Financials" or "Oil & Gas",
                "last" => Number(row, "last") is >= 100 and <= 1000,
                "perf" => Number(row, "performancePercent") >= 0,
                "perfMax" => Number(row, "performancePercent") <= 0,
                "volume" => Number(row, "volume") >= 1,
                "relativeVolume" => Number(row, "relativeVolume") >= 0.5,
                "marketCap" => Number(row, "marketCap") is >= 1e9 and <= 5e10,
                "position52Percent" => Number(row, "position52Percent") is >= 20 and <= 80,
                "rsi14" => Number(row, "rsi14") is >= 40 and <= 60,
                "vsSma50Percent" => Number(row, "vsSma50Percent") > 0,
                "vsSma200Percent" => Number(row, "vsSma200Percent") < 0,
                "volatility1YPercent" => Number(row, "volatility1YPercent") is >= 10 and <= 40,
                _ => Number(row, "beta1Y") is >= 0 and <= 1.5,
            };
            Assert.That(ok, Is.True, $"{query}: {row}");
        }
        if (check is "sector" or "sector2")
        {
            Assert.That(rows, Is.Not.Empty, "the test market has financials");
        }
    }

    [Test]
    public async Task The_whole_catalogue_is_screened_with_its_figures_and_sorted_as_asked()
    {
        var result = await ScreenAsync("sort=cap&dir=desc&limit=200");
        var rows = Rows(result).ToList();
        Assert.That(rows, Has.Count.GreaterThan(50));
        var caps = rows.Select(r => Number(r, "marketCap")).Where(c => c is not null).ToList();
        Assert.That(caps, Is.Ordered.Descending);
        Assert.That(rows.Count(r => Number(r, "rsi14") is not null), Is.GreaterThan(rows.Count / 2), "the simulated history gives most instruments an RSI");
        Assert.That(result.GetProperty("query").GetString(), Is.EqualTo("sort=cap&dir=desc&limit=200"));
    }

    [TestCase("rsiMin=abc", "rsiMin", "rsiMin must be a number between 0 and 100.")]
    [TestCase("priceMin=9&priceMax=1", "priceMax", "priceMax must not be less than priceMin.")]
    [TestCase("sector=Mining", "sector", "sector must be one of the catalogue's sectors; Mining is not one.")]
    [TestCase("sort=bogus", "sort", null)]
    [TestCase("cols=last,bogus", "cols", null)]
    [TestCase("period=5Y", "period", "period must be one of: D1, W1, M1, M3, YTD, Y1, Y3.")]
    [TestCase("limit=201", "limit", "limit must be a whole number between 1 and 200.")]
    [TestCase("page=0", "page", "page must be a whole number between 1 and 10000.")]
    public async Task A_bad_filter_is_a_400_problem_naming_the_parameter_and_its_rule(string query, string field, string? message)
    {
        var problem = await JsonAsync(await Client().GetAsync("/api/analytics/screener?" + query), HttpStatusCode.BadRequest);
        var text = problem.GetProperty("errors").GetProperty(field)[0].GetString();
        Assert.That(text, message is null ? Does.StartWith(field + " must be one of: ") : Is.EqualTo(message));
        Assert.That(problem.GetProperty("detail").GetString(), Is.EqualTo(text));
    }

    [Test]
    public async Task Unknown_parameter_names_are_ignored()
    {
        var plain = await ScreenAsync("");
        var extra = await ScreenAsync("utm_source=whatsapp&foo=bar");
        Assert.That(extra.GetProperty("total").GetInt32(), Is.EqualTo(plain.GetProperty("total").GetInt32()));
    }

    [Test]
    public async Task Pages_split_the_results_without_overlap()
    {
        var first = await ScreenAsync("limit=20&sort=ticker");
        var second = await ScreenAsync("limit=20&page=2&sort=ticker");
        var total = first.GetProperty("total").GetInt32();
        Assert.That(first.GetProperty("pages").GetInt32(), Is.EqualTo((total + 19) / 20));
        var a = Rows(first).Select(r => r.GetProperty("ticker").GetString()).ToList();
        var b = Rows(second).Select(r => r.GetProperty("ticker").GetString()).ToList();
        Assert.That((a.Count, b.Count), Is.EqualTo((20, 20)));
        Assert.That(a.Intersect(b), Is.Empty);
        Assert.That(string.CompareOrdinal(a[^1], b[0]), Is.LessThan(0));
        var past = await ScreenAsync("limit=20&page=99");
        Assert.That(Rows(past), Is.Empty);
    }

    [Test]
    public async Task Saved_screens_are_created_listed_refused_and_deleted_and_another_users_is_404()
    {
        var alice = await AlertTesting.UserAsync(this, App, Client, "screens");
        var bob = await AlertTesting.UserAsync(this, App, Client, "screens");
        var saved = await JsonAsync(await alice.Api.PostAsJsonAsync("/api/analytics/screens", new { name = "Cheap banks", query = "?rsiMax=40&sector=Financials&page=3" }), HttpStatusCode.Created);
        var id = saved.GetProperty("id").GetInt64();
        Assert.That(saved.GetProperty("query").GetString(), Is.EqualTo("sector=Financials&rsiMax=40"), "stored canonical, without the page");

        var duplicate = await JsonAsync(await alice.Api.PostAsJsonAsync("/api/analytics/screens", new { name = "cheap BANKS", query = "" }), HttpStatusCode.BadRequest);
        Assert.That(duplicate.GetProperty("errors").GetProperty("name")[0].GetString(), Is.EqualTo("You already have a screen called cheap BANKS."));
        var empty = await JsonAsync(await alice.Api.PostAsJsonAsync("/api/analytics/screens", new { name = " ", query = "" }), HttpStatusCode.BadRequest);
        Assert.That(empty.GetProperty("errors").GetProperty("name")[0].GetString(), Is.EqualTo("Give the screen a name."));
        var tooLong = await JsonAsync(await alice.Api.PostAsJsonAsync("/api/analytics/screens", new { name = new string('x', 61), query = "" }), HttpStatusCode.BadRequest);
        Assert.That(tooLong.GetProperty("errors").GetProperty("name")[0].GetString(), Is.EqualTo("The name can have at most 60 characters."));
        var badQuery = await JsonAsync(await alice.Api.PostAsJsonAsync("/api/analytics/screens", new { name = "Bad", query = "rsiMin=x" }), HttpStatusCode.BadRequest);
        Assert.That(badQuery.GetProperty("errors").GetProperty("query")[0].GetString(), Is.EqualTo("rsiMin must be a number between 0 and 100."));

        var list = await JsonAsync(await alice.Api.GetAsync("/api/analytics/screens"), HttpStatusCode.OK);
        Assert.That(list.EnumerateArray().Select(s => s.GetProperty("name").GetString()), Is.EqualTo(new[] { "Cheap banks" }));
        Assert.That((await JsonAsync(await bob.Api.GetAsync("/api/analytics/screens"), HttpStatusCode.OK)).GetArrayLength(), Is.Zero);

        await JsonAsync(await bob.Api.DeleteAsync($"/api/analytics/screens/{id}"), HttpStatusCode.NotFound);
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var export = await scope.ServiceProvider.GetServices<IPersonalDataContributor>().OfType<ScreenerPersonalData>().Single().ExportAsync(alice.Id, CancellationToken.None);
            Assert.That(JsonSerializer.Serialize(export["savedScreens"]), Does.Contain("Cheap banks").And.Contain("sector=Financials"));
        }
        await JsonAsync(await alice.Api.DeleteAsync($"/api/analytics/screens/{id}"), HttpStatusCode.NoContent);
        await JsonAsync(await alice.Api.DeleteAsync($"/api/analytics/screens/{id}"), HttpStatusCode.NotFound);
        await JsonAsync(await Client().GetAsync("/api/analytics/screens"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Ten_thousand_character_inputs_are_refused_with_a_short_message_and_save_nothing()
    {
        var user = await AlertTesting.UserAsync(this, App, Client, "screens");
        var huge = new string('x', 10_000);
        var name = await JsonAsync(await user.Api.PostAsJsonAsync("/api/analytics/screens", new { name = huge, query = "" }), HttpStatusCode.BadRequest);
        Assert.That(name.GetProperty("errors").GetProperty("name")[0].GetString(), Is.EqualTo("The name can have at most 60 characters."));
        var query = await JsonAsync(await user.Api.PostAsJsonAsync("/api/analytics/screens", new { name = "Huge", query = "sector=" + huge }), HttpStatusCode.BadRequest);
        var message = query.GetProperty("errors").GetProperty("query")[0].GetString()!;
        Assert.That(message, Does.StartWith("sector must be one of the catalogue's sectors; xxxx"));
        Assert.That(message, Has.Length.LessThan(120), "the value is echoed clipped, not whole");
        // On the query string (as long as a request line may be): the same clipped 400.
        var get = await JsonAsync(await Client().GetAsync("/api/analytics/screener?sector=" + huge[..6_000]), HttpStatusCode.BadRequest);
        Assert.That(get.GetProperty("errors").GetProperty("sector")[0].GetString(), Has.Length.LessThan(120));
        Assert.That((await JsonAsync(await user.Api.GetAsync("/api/analytics/screens"), HttpStatusCode.OK)).GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task A_saved_screen_is_renamed_keeping_its_filter_refused_names_change_nothing_and_another_users_is_404()
    {
        var alice = await AlertTesting.UserAsync(this, App, Client, "rename");
        var bob = await AlertTesting.UserAsync(this, App, Client, "rename");
        var banks = await JsonAsync(await alice.Api.PostAsJsonAsync("/api/analytics/screens", new { name = "Cheap banks", query = "sector=Financials&rsiMax=40" }), HttpStatusCode.Created);
        await JsonAsync(await alice.Api.PostAsJsonAsync("/api/analytics/screens", new { name = "Momentum", query = "chgMin=5" }), HttpStatusCode.Created);
        var id = banks.GetProperty("id").GetInt64();

        var renamed = await JsonAsync(await alice.Api.PutAsJsonAsync($"/api/analytics/screens/{id}", new { name = "  Oversold banks " }), HttpStatusCode.OK);
        Assert.That((renamed.GetProperty("name").GetString(), renamed.GetProperty("query").GetString()), Is.EqualTo(("Oversold banks", "sector=Financials&rsiMax=40")));
        await JsonAsync(await alice.Api.PutAsJsonAsync($"/api/analytics/screens/{id}", new { name = "OVERSOLD banks" }), HttpStatusCode.OK);

        var taken = await JsonAsync(await alice.Api.PutAsJsonAsync($"/api/analytics/screens/{id}", new { name = "momentum" }), HttpStatusCode.BadRequest);
        Assert.That(taken.GetProperty("errors").GetProperty("name")[0].GetString(), Is.EqualTo("You already have a screen called momentum."));
        var empty = await JsonAsync(await alice.Api.PutAsJsonAsync($"/api/analytics/screens/{id}", new { name = "" }), HttpStatusCode.BadRequest);
        Assert.That(empty.GetProperty("errors").GetProperty("name")[0].GetString(), Is.EqualTo("Give the screen a name."));
        var tooLong = await JsonAsync(await alice.Api.PutAsJsonAsync($"/api/analytics/screens/{id}", new { name = new string('x', 61) }), HttpStatusCode.BadRequest);
        Assert.That(tooLong.GetProperty("errors").GetProperty("name")[0].GetString(), Is.EqualTo("The name can have at most 60 characters."));
        await JsonAsync(await bob.Api.PutAsJsonAsync($"/api/analytics/screens/{id}", new { name = "Mine now" }), HttpStatusCode.NotFound);
        // Bad input is a 400 that changes nothing: a NUL, 10,000 characters, a body that is not JSON.
        await JsonAsync(await alice.Api.PutAsJsonAsync($"/api/analytics/screens/{id}", new { name = "Oversold\0banks" }), HttpStatusCode.BadRequest);
        var huge = await JsonAsync(await alice.Api.PutAsJsonAsync($"/api/analytics/screens/{id}", new { name = new string('x', 10_000) }), HttpStatusCode.BadRequest);
        Assert.That(huge.GetProperty("errors").GetProperty("name")[0].GetString(), Is.EqualTo("The name can have at most 60 characters."));
        using var broken = await alice.Api.PutAsync($"/api/analytics/screens/{id}", new StringContent("{\"name\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(broken.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        var list = await JsonAsync(await alice.Api.GetAsync("/api/analytics/screens"), HttpStatusCode.OK);
        Assert.That(list.EnumerateArray().Select(s => (s.GetProperty("name").GetString(), s.GetProperty("query").GetString())),
            Is.EqualTo(new[] { ("Momentum", "chgMin=5"), ("OVERSOLD banks", "sector=Financials&rsiMax=40") }));
    }

    [Test]
    public async Task A_user_holds_at_most_50_saved_screens()
    {
        var user = await AlertTesting.UserAsync(this, App, Client, "screens");
        for (var i = 0; i < ScreenerScreens.MaxPerUser; i++)
        {
            await JsonAsync(await user.Api.PostAsJsonAsync("/api/analytics/screens", new { name = $"Screen {i}", query = $"rsiMin={i}" }), HttpStatusCode.Created);
        }
        var refused = await JsonAsync(await user.Api.PostAsJsonAsync("/api/analytics/screens", new { name = "One more", query = "" }), HttpStatusCode.Conflict);
        Assert.That(refused.GetProperty("detail").GetString(), Is.EqualTo("You have reached the limit of 50 saved screens. Delete one to save another."));
    }

    [Test]
    public async Task Add_all_puts_every_result_in_the_list_up_to_its_limit_and_says_what_was_there()
    {
        var user = await AlertTesting.UserAsync(this, App, Client, "addall");
        var financials = (await ScreenAsync("sector=Financials")).GetProperty("total").GetInt32();
        Assert.That(financials, Is.GreaterThan(10), "the seed has 23 financials");
        var first = await JsonAsync(await user.Api.PostAsJsonAsync("/api/analytics/screener/watchlist", new { query = "sector=Financials" }), HttpStatusCode.OK);
        Assert.That((first.GetProperty("added").GetInt32(), first.GetProperty("already").GetInt32(), first.GetProperty("refused").GetInt32()),
            Is.EqualTo((10, 0, financials - 10)));
        var listId = first.GetProperty("watchlistId").GetInt32();
        var items = await JsonAsync(await user.Api.GetAsync($"/api/watchlists/{listId}/items"), HttpStatusCode.OK);
        Assert.That(items.GetArrayLength(), Is.EqualTo(10));
        Assert.That(items.EnumerateArray().Select(i => i.GetProperty("ticker").GetString()),
            Is.EqualTo(Rows(await ScreenAsync("sector=Financials")).Take(10).Select(r => r.GetProperty("ticker").GetString())), "in the screen's order");

        var again = await JsonAsync(await user.Api.PostAsJsonAsync("/api/analytics/screener/watchlist", new { watchlistId = listId, query = "sector=Financials" }), HttpStatusCode.OK);
        Assert.That((again.GetProperty("added").GetInt32(), again.GetProperty("already").GetInt32(), again.GetProperty("refused").GetInt32()),
            Is.EqualTo((0, 10, financials - 10)));

        var other = await AlertTesting.UserAsync(this, App, Client, "addall");
        await JsonAsync(await other.Api.PostAsJsonAsync("/api/analytics/screener/watchlist", new { watchlistId = listId, query = "sector=Financials" }), HttpStatusCode.NotFound);
        var bad = await JsonAsync(await other.Api.PostAsJsonAsync("/api/analytics/screener/watchlist", new { query = "rsiMin=bad" }), HttpStatusCode.BadRequest);
        Assert.That(bad.GetProperty("errors").GetProperty("query")[0].GetString(), Is.EqualTo("rsiMin must be a number between 0 and 100."));
    }
}
