using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Watchlists;

/// <summary>The cap on instruments per list holds when adds and CSV imports of one user race (each is checked under the user's lock).</summary>
public sealed class WatchlistLimitTests : AppTest
{
    private const int Max = 8;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Watchlists:MaxItemsPerList"] = Max.ToString(),
    };

    private sealed record Owner(HttpClient Api, HttpClient Browser, int ListId);

    private async Task<Owner> OwnerAsync(string prefix)
    {
        var email = NewEmail(prefix);
        var api = Client();
        await RegisterAsync(api, email);
        var login = await api.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
        var browser = Client();
        await SignInAsync(browser, email);
        var id = await App.WithDbAsync(db => db.Set<Watchlist>().Where(w => db.Users.Any(u => u.Id == w.UserId && u.Email == email)).Select(w => w.Id).SingleAsync());
        return new Owner(api, browser, id);
    }

    private Task<List<string>> TickersAsync(int count) =>
        App.WithDbAsync(db => db.Instruments.Where(i => i.IsActive).OrderBy(i => i.Ticker).Select(i => i.Ticker).Take(count).ToListAsync());

    private Task<int> ItemsAsync(int listId) => App.WithDbAsync(db => db.Set<WatchlistItem>().CountAsync(i => i.WatchlistId == listId));

    private static async Task<HttpResponseMessage> AddAsync(Owner owner, string ticker) =>
        await owner.Api.PostAsJsonAsync($"/api/watchlists/{owner.ListId}/items", new { ticker });

    private static async Task<string> ImportAsync(Owner owner, IEnumerable<string> tickers)
    {
        var html = await (await owner.Browser.GetAsync("/watchlists")).Content.ReadAsStringAsync();
        var token = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value);
        var file = new StringContent("ticker,note,target_price\n" + string.Concat(tickers.Select(t => t + ",,\n")));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var form = new MultipartFormDataContent { { file, "upload", "list.csv" } };
        form.Add(new StringContent(token), "__RequestVerificationToken");
        var response = await owner.Browser.PostAsync($"/watchlists/{owner.ListId}/import", form);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    [Test]
    public async Task Twenty_five_parallel_adds_with_three_slots_left_add_exactly_three()
    {
        var owner = await OwnerAsync("items-race");
        var tickers = await TickersAsync(5 + 25);
        Assume.That(tickers, Has.Count.EqualTo(30), "enough instruments in the catalogue");
        foreach (var ticker in tickers.Take(5))
        {
            Assert.That((await AddAsync(owner, ticker)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }
        var responses = await Task.WhenAll(tickers.Skip(5).Select(t => AddAsync(owner, t)));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Created), Is.EqualTo(3));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            var body = await refused.Content.ReadAsStringAsync();
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), body);
            Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("errors").GetProperty("ticker")[0].GetString(),
                Is.EqualTo($"This list has reached the limit of {Max} instruments."));
        }
        Assert.That(await ItemsAsync(owner.ListId), Is.EqualTo(Max));
    }

    [Test]
    public async Task Parallel_imports_and_adds_never_pass_the_limit_together()
    {
        var owner = await OwnerAsync("import-race");
        var tickers = await TickersAsync(5 + 5 * 3 + 6);
        Assume.That(tickers, Has.Count.EqualTo(26), "enough instruments in the catalogue");
        foreach (var ticker in tickers.Take(5))
        {
            Assert.That((await AddAsync(owner, ticker)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }
        // Five files of three new instruments each (each fits alone: 5 + 3 = 8) and six single adds, all at once.
        var imports = Enumerable.Range(0, 5).Select(i => ImportAsync(owner, tickers.Skip(5 + i * 3).Take(3))).ToList();
        var adds = tickers.Skip(20).Select(t => AddAsync(owner, t)).ToList();
        await Task.WhenAll(Task.WhenAll(imports), Task.WhenAll(adds));

        var imported = imports.Count(i => i.Result.Contains("Imported: 3 added"));
        var added = adds.Count(a => a.Result.StatusCode == HttpStatusCode.Created);
        Assert.That(await ItemsAsync(owner.ListId), Is.EqualTo(5 + imported * 3 + added).And.LessThanOrEqualTo(Max));
        Assert.That(imports.Where(i => !i.Result.Contains("Imported: 3 added")).Select(i => i.Result),
            Is.All.Contain($"This list has reached the limit of {Max} instruments."));
    }
}
