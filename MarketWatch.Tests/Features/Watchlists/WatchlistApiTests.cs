using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Watchlists;

public sealed class WatchlistApiTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Watchlists:MaxLists"] = "3",
        ["Watchlists:MaxItemsPerList"] = "3",
    };

    private static async Task<HttpClient> SignedInApiClientAsync(AppTest test, Func<bool, HttpClient> client, string email)
    {
        var http = client(false);
        await RegisterAsync(http, email);
        var login = await http.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private Task<HttpClient> NewUserAsync(string prefix = "user") => SignedInApiClientAsync(this, Client, NewEmail(prefix));

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }

    private static string FieldError(JsonElement problem, string field) => problem.GetProperty("errors").GetProperty(field)[0].GetString()!;

    [Test]
    public async Task A_new_account_starts_with_one_default_list()
    {
        var http = await NewUserAsync();
        var lists = await JsonAsync(await http.GetAsync("/api/watchlists"), HttpStatusCode.OK);
        Assert.That(lists.GetArrayLength(), Is.EqualTo(1));
        Assert.That(lists[0].GetProperty("name").GetString(), Is.EqualTo("My watchlist"));
        Assert.That(lists[0].GetProperty("isDefault").GetBoolean(), Is.True);
    }

    [Test]
    public async Task Lists_and_items_are_created_read_changed_and_deleted()
    {
        var http = await NewUserAsync();
        var created = await JsonAsync(await http.PostAsJsonAsync("/api/watchlists", new { name = "Banks" }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt32();
        Assert.That(created.GetProperty("isDefault").GetBoolean(), Is.False);

        var item = await JsonAsync(await http.PostAsJsonAsync($"/api/watchlists/{id}/items", new { ticker = "atw", note = "core holding", targetPrice = 800m }), HttpStatusCode.Created);
        Assert.That((item.GetProperty("ticker").GetString(), item.GetProperty("note").GetString(), item.GetProperty("targetPrice").GetDecimal()), Is.EqualTo(("ATW", "core holding", 800m)));
        await JsonAsync(await http.PostAsJsonAsync($"/api/watchlists/{id}/items", new { ticker = "BCP" }), HttpStatusCode.Created);

        var items = await JsonAsync(await http.GetAsync($"/api/watchlists/{id}/items"), HttpStatusCode.OK);
        Assert.That(items.EnumerateArray().Select(i => i.GetProperty("ticker").GetString()), Is.EqualTo(new[] { "ATW", "BCP" }));

        var updated = await JsonAsync(await http.PutAsJsonAsync($"/api/watchlists/{id}/items/ATW", new { note = "trim at 800", targetPrice = 790m }), HttpStatusCode.OK);
        Assert.That(updated.GetProperty("targetPrice").GetDecimal(), Is.EqualTo(790m));

        var renamed = await JsonAsync(await http.PutAsJsonAsync($"/api/watchlists/{id}", new { name = "Moroccan banks", isDefault = true, sortColumn = "ticker", sortDescending = true }), HttpStatusCode.OK);
        Assert.That((renamed.GetProperty("name").GetString(), renamed.GetProperty("isDefault").GetBoolean()), Is.EqualTo(("Moroccan banks", true)));
        Assert.That(renamed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("ticker").GetString()), Is.EqualTo(new[] { "BCP", "ATW" }));
        var all = await JsonAsync(await http.GetAsync("/api/watchlists"), HttpStatusCode.OK);
        Assert.That(all.EnumerateArray().Count(l => l.GetProperty("isDefault").GetBoolean()), Is.EqualTo(1), "one default at a time");

        await JsonAsync(await http.DeleteAsync($"/api/watchlists/{id}/items/BCP"), HttpStatusCode.NoContent);
        await JsonAsync(await http.DeleteAsync($"/api/watchlists/{id}"), HttpStatusCode.NoContent);
        await JsonAsync(await http.GetAsync($"/api/watchlists/{id}"), HttpStatusCode.NotFound);
        all = await JsonAsync(await http.GetAsync("/api/watchlists"), HttpStatusCode.OK);
        Assert.That(all.EnumerateArray().Single().GetProperty("isDefault").GetBoolean(), Is.True, "deleting the default makes another list the default");
    }

    [Test]
    public async Task Bad_input_is_refused_field_by_field_and_changes_nothing()
    {
        var http = await NewUserAsync();
        var id = (await JsonAsync(await http.GetAsync("/api/watchlists"), HttpStatusCode.OK))[0].GetProperty("id").GetInt32();
        Assert.That(FieldError(await JsonAsync(await http.PostAsJsonAsync("/api/watchlists", new { name = "" }), HttpStatusCode.BadRequest), "name"), Is.EqualTo("Enter a name for the list."));
        Assert.That(FieldError(await JsonAsync(await http.PostAsJsonAsync("/api/watchlists", new { name = new string('x', 61) }), HttpStatusCode.BadRequest), "name"), Is.EqualTo("The name can be at most 60 characters long."));
        Assert.That(FieldError(await JsonAsync(await http.PostAsJsonAsync($"/api/watchlists/{id}/items", new { ticker = "NOPE" }), HttpStatusCode.BadRequest), "ticker"), Is.EqualTo("No instrument with the ticker NOPE."));
        Assert.That(FieldError(await JsonAsync(await http.PostAsJsonAsync($"/api/watchlists/{id}/items", new { ticker = "ATW", note = new string('n', 501) }), HttpStatusCode.BadRequest), "note"), Is.EqualTo("The note can be at most 500 characters long."));
        Assert.That(FieldError(await JsonAsync(await http.PostAsJsonAsync($"/api/watchlists/{id}/items", new { ticker = "ATW", targetPrice = -5 }), HttpStatusCode.BadRequest), "targetPrice"), Does.StartWith("The target price must be more than 0"));
        await JsonAsync(await http.PostAsJsonAsync($"/api/watchlists/{id}/items", new { ticker = "ATW" }), HttpStatusCode.Created);
        Assert.That(FieldError(await JsonAsync(await http.PostAsJsonAsync($"/api/watchlists/{id}/items", new { ticker = "ATW" }), HttpStatusCode.BadRequest), "ticker"), Is.EqualTo("ATW is already in this list."));

        await App.WithDbAsync(db => db.Instruments.Where(i => i.Ticker == "SNA").ExecuteUpdateAsync(s => s.SetProperty(i => i.IsActive, false)));
        Assert.That(FieldError(await JsonAsync(await http.PostAsJsonAsync($"/api/watchlists/{id}/items", new { ticker = "SNA" }), HttpStatusCode.BadRequest), "ticker"), Is.EqualTo("SNA is no longer traded and cannot be added."));
        await App.WithDbAsync(db => db.Instruments.Where(i => i.Ticker == "SNA").ExecuteUpdateAsync(s => s.SetProperty(i => i.IsActive, true)));

        var items = await JsonAsync(await http.GetAsync($"/api/watchlists/{id}/items"), HttpStatusCode.OK);
        Assert.That(items.GetArrayLength(), Is.EqualTo(1));
        var malformed = await http.PostAsync("/api/watchlists", new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(malformed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task The_limits_per_user_are_clear()
    {
        var http = await NewUserAsync();
        await JsonAsync(await http.PostAsJsonAsync("/api/watchlists", new { name = "Two" }), HttpStatusCode.Created);
        var third = await JsonAsync(await http.PostAsJsonAsync("/api/watchlists", new { name = "Three" }), HttpStatusCode.Created);
        Assert.That(FieldError(await JsonAsync(await http.PostAsJsonAsync("/api/watchlists", new { name = "Four" }), HttpStatusCode.Conflict), "name"),
            Is.EqualTo("You have reached the limit of 3 watchlists. Delete one to create another."));
        var id = third.GetProperty("id").GetInt32();
        foreach (var ticker in new[] { "ATW", "IAM", "BCP" })
        {
            await JsonAsync(await http.PostAsJsonAsync($"/api/watchlists/{id}/items", new { ticker }), HttpStatusCode.Created);
        }
        Assert.That(FieldError(await JsonAsync(await http.PostAsJsonAsync($"/api/watchlists/{id}/items", new { ticker = "LHM" }), HttpStatusCode.Conflict), "ticker"),
            Is.EqualTo("This list has reached the limit of 3 instruments."));
    }

    [Test]
    public async Task Concurrent_creations_never_pass_the_limit_or_make_two_defaults()
    {
        var http = await NewUserAsync("race");
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => http.PostAsJsonAsync("/api/watchlists", new { name = $"List {i}" })));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Created), Is.EqualTo(2), "1 default + 2 = the limit of 3");
        var lists = await JsonAsync(await http.GetAsync("/api/watchlists"), HttpStatusCode.OK);
        Assert.That(lists.GetArrayLength(), Is.EqualTo(3));
        Assert.That(lists.EnumerateArray().Count(l => l.GetProperty("isDefault").GetBoolean()), Is.EqualTo(1));
    }

    [Test]
    public async Task Another_users_list_is_404_on_every_endpoint_and_stays_untouched()
    {
        var owner = await NewUserAsync("owner");
        var id = (await JsonAsync(await owner.GetAsync("/api/watchlists"), HttpStatusCode.OK))[0].GetProperty("id").GetInt32();
        await JsonAsync(await owner.PostAsJsonAsync($"/api/watchlists/{id}/items", new { ticker = "ATW", note = "private" }), HttpStatusCode.Created);
        var intruder = await NewUserAsync("intruder");

        var attempts = new (string Name, Func<Task<HttpResponseMessage>> Call)[]
        {
            ("GET list", () => intruder.GetAsync($"/api/watchlists/{id}")),
            ("PUT list", () => intruder.PutAsJsonAsync($"/api/watchlists/{id}", new { name = "mine" })),
            ("PUT share", () => intruder.PutAsJsonAsync($"/api/watchlists/{id}", new { shared = true })),
            ("DELETE list", () => intruder.DeleteAsync($"/api/watchlists/{id}")),
            ("GET items", () => intruder.GetAsync($"/api/watchlists/{id}/items")),
            ("POST item", () => intruder.PostAsJsonAsync($"/api/watchlists/{id}/items", new { ticker = "IAM" })),
            ("PUT item", () => intruder.PutAsJsonAsync($"/api/watchlists/{id}/items/ATW", new { note = "x" })),
            ("DELETE item", () => intruder.DeleteAsync($"/api/watchlists/{id}/items/ATW")),
        };
        foreach (var (name, call) in attempts)
        {
            var response = await call();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), name);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), name);
        }
        var mine = await JsonAsync(await intruder.GetAsync("/api/watchlists"), HttpStatusCode.OK);
        Assert.That(mine.EnumerateArray().Select(l => l.GetProperty("id").GetInt32()), Does.Not.Contain(id));
        var still = await JsonAsync(await owner.GetAsync($"/api/watchlists/{id}"), HttpStatusCode.OK);
        Assert.That(still.GetProperty("items")[0].GetProperty("note").GetString(), Is.EqualTo("private"));
        Assert.That(still.GetProperty("name").GetString(), Is.EqualTo("My watchlist"));
        Assert.That((still.GetProperty("shared").GetBoolean(), still.GetProperty("shareToken").ValueKind), Is.EqualTo((false, JsonValueKind.Null)),
            "another user cannot open a share link on the list");
        Assert.That((await Client().GetAsync("/api/watchlists")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
