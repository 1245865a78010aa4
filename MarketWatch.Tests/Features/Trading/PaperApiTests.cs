using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Trading;
using Microsoft.EntityFrameworkCore;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>/api/paper end to end: shapes, refusals as RFC 7807 problems naming the field, the limits' 409, 404 across users.</summary>
public sealed class PaperApiTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Simulated:DemoMode"] = "true",
        ["Trading:MaxAccountsPerUser"] = "2",
        ["Trading:Engine"] = "false",
    };

    [OneTimeSetUp]
    public Task QuoteAsync() => Ticks.WriteAsync(App, ("ATW", 600m));

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected, string? what = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"{what} {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }

    private static string FieldError(JsonElement problem, string field) =>
        problem.GetProperty("errors").TryGetProperty(field, out var messages) ? string.Join(" ", messages.EnumerateArray().Select(m => m.GetString())) : "";

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<int> OpenAsync(User user, string name = "Api", decimal? startingCash = 100_000m)
    {
        var opened = await JsonAsync(await user.Api.PostAsJsonAsync("/api/paper/accounts", new { name, startingCash }), HttpStatusCode.Created);
        return opened.GetProperty("id").GetInt32();
    }

    private static async Task<(decimal Low, decimal High)> BandAsync(User user, int account)
    {
        var check = await JsonAsync(await user.Api.PostAsJsonAsync($"/api/paper/accounts/{account}/orders/check",
            new { ticker = "ATW", side = "Buy", type = "Market", quantity = 1 }), HttpStatusCode.OK);
        return (check.GetProperty("low").GetDecimal(), check.GetProperty("high").GetDecimal());
    }

    [Test]
    public async Task An_account_and_an_order_in_the_shapes_the_issue_names()
    {
        var user = await UserAsync(this, App, Client, "paper-api");
        var created = await user.Api.PostAsJsonAsync("/api/paper/accounts", new { name = "Shapes", startingCash = 50_000 });
        var account = await JsonAsync(created, HttpStatusCode.Created);
        var id = account.GetProperty("id").GetInt32();
        Assert.That(created.Headers.Location?.ToString(), Is.EqualTo($"/api/paper/accounts/{id}"));
        Assert.Multiple(() =>
        {
            Assert.That(account.GetProperty("name").GetString(), Is.EqualTo("Shapes"));
            Assert.That(account.GetProperty("startingCash").GetDecimal(), Is.EqualTo(50_000m));
            Assert.That(account.GetProperty("cash").GetDecimal(), Is.EqualTo(50_000m));
            Assert.That(account.GetProperty("equity").GetDecimal(), Is.EqualTo(50_000m));
            Assert.That(account.GetProperty("run").GetInt32(), Is.EqualTo(1));
        });
        var band = await BandAsync(user, id);
        var placed = await user.Api.PostAsJsonAsync($"/api/paper/accounts/{id}/orders", new
        {
            ticker = "ATW",
            side = "Buy",
            type = "Limit",
            quantity = 10,
            limitPrice = band.Low,
            stopPrice = (decimal?)null,
            validity = "GoodTillCancelled",
            expiresOn = (string?)null,
        });
        var order = await JsonAsync(placed, HttpStatusCode.Created);
        var orderId = order.GetProperty("id").GetInt64();
        Assert.That(placed.Headers.Location?.ToString(), Is.EqualTo($"/api/paper/orders/{orderId}"));
        Assert.Multiple(() =>
        {
            Assert.That(order.GetProperty("ticker").GetString(), Is.EqualTo("ATW"));
            Assert.That(order.GetProperty("side").GetString(), Is.EqualTo("Buy"));
            Assert.That(order.GetProperty("type").GetString(), Is.EqualTo("Limit"));
            Assert.That(order.GetProperty("validity").GetString(), Is.EqualTo("GoodTillCancelled"));
            Assert.That(order.GetProperty("state").GetString(), Is.EqualTo("Open"));
            Assert.That(order.GetProperty("quantity").GetInt64(), Is.EqualTo(10));
            Assert.That(order.GetProperty("limitPrice").GetDecimal(), Is.EqualTo(band.Low));
            Assert.That(order.GetProperty("reservedCash").GetDecimal(), Is.GreaterThan(10 * band.Low));
        });

        var listed = await JsonAsync(await user.Api.GetAsync($"/api/paper/accounts/{id}/orders"), HttpStatusCode.OK);
        Assert.That(listed.EnumerateArray().Select(o => o.GetProperty("id").GetInt64()), Is.EqualTo(new[] { orderId }));
        var changed = await JsonAsync(await user.Api.PutAsJsonAsync($"/api/paper/orders/{orderId}", new { quantity = 12, limitPrice = band.Low + 0.1m }), HttpStatusCode.OK);
        Assert.That((changed.GetProperty("quantity").GetInt64(), changed.GetProperty("limitPrice").GetDecimal()), Is.EqualTo((12L, band.Low + 0.1m)));
        var cancelled = await JsonAsync(await user.Api.DeleteAsync($"/api/paper/orders/{orderId}"), HttpStatusCode.OK);
        Assert.That((cancelled.GetProperty("state").GetString(), cancelled.GetProperty("cancelReason").GetString()), Is.EqualTo(("Cancelled", "User")));
        var detail = await JsonAsync(await user.Api.GetAsync($"/api/paper/orders/{orderId}"), HttpStatusCode.OK);
        Assert.That(detail.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()), Is.EqualTo(new[] { "Entered", "Modified", "Cancelled" }));
        Assert.That(detail.GetProperty("events")[2].GetProperty("reason").GetString(), Is.EqualTo("Cancelled by you."));
        var again = await JsonAsync(await user.Api.DeleteAsync($"/api/paper/orders/{orderId}"), HttpStatusCode.Conflict);
        Assert.That(again.GetProperty("status").GetInt32(), Is.EqualTo(409));
        Assert.That(await JsonAsync(await user.Api.GetAsync($"/api/paper/accounts/{id}/orders?status=open"), HttpStatusCode.OK), Has.Property("ValueKind").EqualTo(JsonValueKind.Array));
        Assert.That((await JsonAsync(await user.Api.GetAsync($"/api/paper/accounts/{id}/orders?status=open"), HttpStatusCode.OK)).GetArrayLength(), Is.Zero);
        Assert.That((await JsonAsync(await user.Api.GetAsync($"/api/paper/accounts/{id}/orders?status=done"), HttpStatusCode.OK)).GetArrayLength(), Is.EqualTo(1));
        Assert.That((await JsonAsync(await user.Api.GetAsync($"/api/paper/accounts/{id}/fills"), HttpStatusCode.OK)).GetArrayLength(), Is.Zero);
        await JsonAsync(await user.Api.GetAsync($"/api/paper/accounts/{id}/orders?status=nonsense"), HttpStatusCode.BadRequest);
        await JsonAsync(await user.Api.GetAsync($"/api/paper/accounts/{id}/fills?take=0"), HttpStatusCode.BadRequest);

        var run = await JsonAsync(await user.Api.PostAsync($"/api/paper/accounts/{id}/reset", null), HttpStatusCode.OK);
        Assert.That((run.GetProperty("run").GetInt32(), run.GetProperty("endingEquity").GetDecimal()), Is.EqualTo((1, 50_000m)));
        var runs = await JsonAsync(await user.Api.GetAsync($"/api/paper/accounts/{id}/runs"), HttpStatusCode.OK);
        Assert.That(runs.GetArrayLength(), Is.EqualTo(1));
        var after = await JsonAsync(await user.Api.GetAsync($"/api/paper/accounts/{id}"), HttpStatusCode.OK);
        Assert.That((after.GetProperty("run").GetInt32(), after.GetProperty("cash").GetDecimal()), Is.EqualTo((2, 50_000m)));
        Assert.That((await JsonAsync(await user.Api.GetAsync("/api/paper/accounts"), HttpStatusCode.OK)).GetArrayLength(), Is.EqualTo(1));
        await JsonAsync(await user.Api.DeleteAsync($"/api/paper/accounts/{id}"), HttpStatusCode.NoContent);
        await JsonAsync(await user.Api.GetAsync($"/api/paper/accounts/{id}"), HttpStatusCode.NotFound);
        await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}"), HttpStatusCode.NotFound, "the portfolio goes with it");
    }

    [Test]
    public async Task Every_refusal_is_a_problem_naming_its_field_and_the_rule()
    {
        var user = await UserAsync(this, App, Client, "paper-api");
        var id = await OpenAsync(user, startingCash: 5_000m);
        var band = await BandAsync(user, id);
        var cases = new (string Body, string Field, string Rule)[]
        {
            ("""{"ticker":"ATW","side":"Buy","type":"Market","quantity":1.5}""", "quantity", "whole number"),
            ("""{"ticker":"ATW","side":"Buy","type":"Market","quantity":0}""", "quantity", "at least 1"),
            ("""{"ticker":"ATW","side":"Sideways","type":"Market","quantity":1}""", "side", "Buy, Sell"),
            ("""{"ticker":"ATW","side":"Buy","type":"Iceberg","quantity":1}""", "type", "Market, Limit, Stop, StopLimit"),
            ("""{"ticker":"ATW","side":"Buy","type":"Market","quantity":1,"validity":"Forever"}""", "validity", "Day, GoodTillDate, GoodTillCancelled"),
            ("""{"ticker":"ATW","side":"Buy","type":"Market","quantity":1,"validity":"GoodTillDate","expiresOn":"soon"}""", "expiresOn", "YYYY-MM-DD"),
            ($$"""{"ticker":"ATW","side":"Buy","type":"Limit","quantity":1,"limitPrice":{{band.Low + 0.05m}}}""", "limitPrice", "steps of 0.10 MAD"),
            ($$"""{"ticker":"ATW","side":"Buy","type":"Limit","quantity":1,"limitPrice":{{band.High + 1m}}}""", "limitPrice", "thresholds"),
            ("""{"ticker":"ATW","side":"Buy","type":"Market","quantity":1000}""", "quantity", "MAD is available"),
            ("""{"ticker":"ATW","side":"Sell","type":"Market","quantity":1}""", "quantity", "available to sell"),
            ("""{"ticker":"ZZZZ","side":"Buy","type":"Market","quantity":1}""", "ticker", "No listed stock"),
            ("""[1]""", "body", "JSON object"),
        };
        foreach (var (body, field, rule) in cases)
        {
            foreach (var path in new[] { $"/api/paper/accounts/{id}/orders", $"/api/paper/accounts/{id}/orders/check" })
            {
                var response = await user.Api.PostAsync(path, Json(body));
                var problem = await JsonAsync(response, HttpStatusCode.BadRequest, body);
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
                Assert.That(FieldError(problem, field), Does.Contain(rule), $"{path} {body}");
            }
        }
        var account = await JsonAsync(await user.Api.GetAsync($"/api/paper/accounts/{id}"), HttpStatusCode.OK);
        Assert.That(account.GetProperty("openOrders").GetInt32(), Is.Zero, "nothing refused was placed");

        var badAccount = await JsonAsync(await user.Api.PostAsJsonAsync("/api/paper/accounts", new { name = "", startingCash = 5 }), HttpStatusCode.BadRequest);
        Assert.That(FieldError(badAccount, "name"), Is.Not.Empty);
        var badCash = await JsonAsync(await user.Api.PostAsJsonAsync("/api/paper/accounts", new { name = "x", startingCash = 5 }), HttpStatusCode.BadRequest);
        Assert.That(FieldError(badCash, "startingCash"), Does.Contain("1,000.00"));
    }

    [Test]
    public async Task The_account_limit_is_a_409()
    {
        var user = await UserAsync(this, App, Client, "paper-api");
        await OpenAsync(user, "One");
        await OpenAsync(user, "Two");
        var refused = await JsonAsync(await user.Api.PostAsJsonAsync("/api/paper/accounts", new { name = "Three" }), HttpStatusCode.Conflict);
        Assert.That(refused.GetProperty("detail").GetString(), Does.Contain("at most 2 paper accounts"));
    }

    [Test]
    public async Task Another_users_account_and_orders_are_404_on_every_endpoint()
    {
        var owner = await UserAsync(this, App, Client, "paper-owner");
        var id = await OpenAsync(owner);
        var band = await BandAsync(owner, id);
        var order = await JsonAsync(await owner.Api.PostAsJsonAsync($"/api/paper/accounts/{id}/orders",
            new { ticker = "ATW", side = "Buy", type = "Limit", quantity = 1, limitPrice = band.Low }), HttpStatusCode.Created);
        var orderId = order.GetProperty("id").GetInt64();
        var other = await UserAsync(this, App, Client, "paper-other");
        var orderBody = """{"ticker":"ATW","side":"Buy","type":"Market","quantity":1}""";
        var requests = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, $"/api/paper/accounts/{id}", null),
            (HttpMethod.Delete, $"/api/paper/accounts/{id}", null),
            (HttpMethod.Post, $"/api/paper/accounts/{id}/reset", null),
            (HttpMethod.Get, $"/api/paper/accounts/{id}/runs", null),
            (HttpMethod.Get, $"/api/paper/accounts/{id}/orders", null),
            (HttpMethod.Post, $"/api/paper/accounts/{id}/orders", orderBody),
            (HttpMethod.Post, $"/api/paper/accounts/{id}/orders/check", orderBody),
            (HttpMethod.Get, $"/api/paper/accounts/{id}/fills", null),
            (HttpMethod.Get, $"/api/paper/orders/{orderId}", null),
            (HttpMethod.Put, $"/api/paper/orders/{orderId}", """{"quantity":2}"""),
            (HttpMethod.Delete, $"/api/paper/orders/{orderId}", null),
        };
        foreach (var (method, path, body) in requests)
        {
            var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
            var problem = await JsonAsync(await other.Api.SendAsync(request), HttpStatusCode.NotFound, $"{method} {path}");
            Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(404));
        }
        var still = await JsonAsync(await owner.Api.GetAsync($"/api/paper/orders/{orderId}"), HttpStatusCode.OK);
        Assert.That(still.GetProperty("order").GetProperty("state").GetString(), Is.EqualTo("Open"), "nothing the other user sent changed it");
        Assert.That(await App.WithDbAsync(db => db.Set<PaperAccount>().CountAsync(a => a.Id == id)), Is.EqualTo(1));
    }

    [Test]
    public async Task A_paper_portfolios_transactions_cannot_be_changed_by_hand()
    {
        var user = await UserAsync(this, App, Client, "paper-api");
        var id = await OpenAsync(user);
        var add = await JsonAsync(await user.Api.PostAsJsonAsync($"/api/portfolios/{id}/transactions",
            new { type = "Deposit", date = "2026-01-05", amount = 1_000_000 }), HttpStatusCode.BadRequest);
        Assert.That(add.GetProperty("errors").GetProperty("").EnumerateArray().First().GetString(), Does.Contain("paper-trading account"));
        var deposit = (await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}/transactions"), HttpStatusCode.OK))[0].GetProperty("id").GetInt64();
        await JsonAsync(await user.Api.PutAsJsonAsync($"/api/portfolios/{id}/transactions/{deposit}",
            new { type = "Deposit", date = "2026-01-05", amount = 1_000_000 }), HttpStatusCode.BadRequest);
        await JsonAsync(await user.Api.DeleteAsync($"/api/portfolios/{id}/transactions/{deposit}"), HttpStatusCode.BadRequest);
        var account = await JsonAsync(await user.Api.GetAsync($"/api/paper/accounts/{id}"), HttpStatusCode.OK);
        Assert.That(account.GetProperty("equity").GetDecimal(), Is.EqualTo(100_000m), "nothing changed");
    }

    [Test]
    public async Task A_paper_portfolio_is_renamed_but_not_deleted_nor_moved_to_a_bank_through_portfolios()
    {
        var user = await UserAsync(this, App, Client, "paper-api");
        var id = await OpenAsync(user);
        var delete = await JsonAsync(await user.Api.DeleteAsync($"/api/portfolios/{id}"), HttpStatusCode.Conflict);
        Assert.That(delete.GetProperty("detail").GetString(), Does.Contain($"/paper/{id}"));
        var bank = await JsonAsync(await user.Api.PutAsJsonAsync($"/api/portfolios/{id}", new { name = "Renamed", accountAtBank = true }), HttpStatusCode.BadRequest);
        Assert.That(FieldError(bank, "accountAtBank"), Does.Contain("never held at a bank"));
        await JsonAsync(await user.Api.PutAsJsonAsync($"/api/portfolios/{id}", new { name = "Renamed" }), HttpStatusCode.OK);
        var account = await JsonAsync(await user.Api.GetAsync($"/api/paper/accounts/{id}"), HttpStatusCode.OK, "the account is still there");
        Assert.That(account.GetProperty("name").GetString(), Is.EqualTo("Renamed"));
        Assert.That(await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Portfolios.Portfolio>().Where(p => p.Id == id).Select(p => p.AccountAtBank).SingleAsync()), Is.False);
    }

    [Test]
    public async Task Cancelling_or_changing_an_order_no_longer_live_is_a_409_naming_the_rule()
    {
        var user = await UserAsync(this, App, Client, "paper-api");
        var id = await OpenAsync(user);
        var band = await BandAsync(user, id);
        var order = await JsonAsync(await user.Api.PostAsJsonAsync($"/api/paper/accounts/{id}/orders",
            new { ticker = "ATW", side = "Buy", type = "Limit", quantity = 1, limitPrice = band.Low, validity = "GoodTillCancelled" }), HttpStatusCode.Created);
        var orderId = order.GetProperty("id").GetInt64();
        await JsonAsync(await user.Api.DeleteAsync($"/api/paper/orders/{orderId}"), HttpStatusCode.OK);
        var again = await JsonAsync(await user.Api.DeleteAsync($"/api/paper/orders/{orderId}"), HttpStatusCode.Conflict);
        Assert.That(again.GetProperty("detail").GetString(), Does.Contain("no longer open"));
        var modify = await JsonAsync(await user.Api.PutAsJsonAsync($"/api/paper/orders/{orderId}", new { quantity = 2 }), HttpStatusCode.Conflict);
        Assert.That(modify.GetProperty("detail").GetString(), Does.Contain("can no longer be changed"));
    }

    [Test]
    public async Task A_competition_account_trades_only_during_the_competition_is_not_reset_before_its_end_and_is_joined_once()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var competition = new PaperCompetition
        {
            Name = "Later cup " + Guid.NewGuid().ToString("N")[..8],
            StartsOn = today.AddDays(5),
            EndsOn = today.AddDays(30),
            StartingCash = 20_000m,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        await App.WithDbAsync(async db =>
        {
            db.Add(competition);
            return await db.SaveChangesAsync();
        });
        var user = await UserAsync(this, App, Client, "paper-api");
        var joins = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            user.Api.PostAsJsonAsync("/api/paper/accounts", new { name = "Cup", competitionId = competition.Id })));
        Assert.That(joins.Count(r => r.StatusCode == HttpStatusCode.Created), Is.EqualTo(1), "two joins at once: one account");
        Assert.That(await App.WithDbAsync(db => db.PaperAccounts.CountAsync(a => a.CompetitionId == competition.Id)), Is.EqualTo(1));
        var id = await App.WithDbAsync(db => db.PaperAccounts.Where(a => a.CompetitionId == competition.Id).Select(a => a.Id).SingleAsync());

        var early = await JsonAsync(await user.Api.PostAsJsonAsync($"/api/paper/accounts/{id}/orders",
            new { ticker = "ATW", side = "Buy", type = "Market", quantity = 1 }), HttpStatusCode.Conflict);
        Assert.That(early.GetProperty("detail").GetString(), Does.Contain("starts on"));
        var reset = await JsonAsync(await user.Api.PostAsync($"/api/paper/accounts/{id}/reset", null), HttpStatusCode.Conflict);
        Assert.That(reset.GetProperty("detail").GetString(), Does.Contain("cannot be reset"));

        await App.WithDbAsync(db => db.PaperCompetitions.Where(c => c.Id == competition.Id)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.StartsOn, today.AddDays(-30)).SetProperty(x => x.EndsOn, today.AddDays(-1))));
        var late = await JsonAsync(await user.Api.PostAsJsonAsync($"/api/paper/accounts/{id}/orders",
            new { ticker = "ATW", side = "Buy", type = "Market", quantity = 1 }), HttpStatusCode.Conflict);
        Assert.That(late.GetProperty("detail").GetString(), Does.Contain("ended on"));
        await JsonAsync(await user.Api.PostAsync($"/api/paper/accounts/{id}/reset", null), HttpStatusCode.OK, "reset once the competition ended");
    }
}
