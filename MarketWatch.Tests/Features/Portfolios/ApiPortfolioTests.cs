using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;
using static MarketWatch.Tests.Features.Portfolios.ApiTesting;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary><c>/api/portfolios</c> and <c>/api/portfolios/{id}</c>: create, read with figures, replace, delete; the limit; holdings; the OpenAPI document.</summary>
public sealed class ApiPortfolioTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Portfolios:MaxPerUser"] = "3",
        ["Alerts:Engine"] = "false",
    };

    [Test]
    public async Task Portfolios_are_created_listed_read_replaced_and_deleted()
    {
        var user = await UserAsync(this, App, Client, "pfapi");
        var created = await JsonAsync(await user.Api.PostAsJsonAsync("/api/portfolios", new { name = "Retirement", currency = "mad", description = "Long term" }),
            HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt32();
        Assert.That((created.GetProperty("name").GetString(), created.GetProperty("currency").GetString(), created.GetProperty("kind").GetString(),
            created.GetProperty("description").GetString()), Is.EqualTo(("Retirement", "MAD", "Real", "Long term")));
        Assert.That(created.GetProperty("figures").GetProperty("value").GetDecimal(), Is.Zero);

        var list = await JsonAsync(await user.Api.GetAsync("/api/portfolios"), HttpStatusCode.OK);
        var row = list.EnumerateArray().Single(p => p.GetProperty("id").GetInt32() == id);
        Assert.That((row.GetProperty("name").GetString(), row.GetProperty("transactions").GetInt32(), row.GetProperty("shared").GetBoolean()),
            Is.EqualTo(("Retirement", 0, false)));

        await BuyAsync(user.Api, id, "ATW", 10, 500, Day1);
        var replaced = await JsonAsync(await user.Api.PutAsJsonAsync($"/api/portfolios/{id}", new { name = "Pension", description = (string?)null, accountAtBank = true }),
            HttpStatusCode.OK);
        Assert.That((replaced.GetProperty("name").GetString(), replaced.GetProperty("accountAtBank").GetBoolean()), Is.EqualTo(("Pension", true)));
        Assert.That(replaced.GetProperty("description").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var detail = await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}"), HttpStatusCode.OK);
        Assert.That(detail.GetProperty("figures").GetProperty("holdings").GetInt32(), Is.EqualTo(1), "PUT keeps the transactions");
        Assert.That(detail.GetProperty("figures").GetProperty("invested").GetDecimal(), Is.EqualTo(5000m));

        await JsonAsync(await user.Api.DeleteAsync($"/api/portfolios/{id}"), HttpStatusCode.NoContent);
        await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}"), HttpStatusCode.NotFound);
        Assert.That(await TransactionCountAsync(App, id), Is.Zero, "its transactions went with it");
        Assert.That((await Client().GetAsync("/api/portfolios")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    private static readonly (string What, string Body, string Field)[] BadPortfolios =
    [
        ("empty name", """{"name":""}""", "name"),
        ("61-character name", $$"""{"name":"{{new string('n', 61)}}"}""", "name"),
        ("10,000-character description", $$"""{"name":"Ok","description":"{{new string('d', 10_000)}}"}""", "description"),
        ("another currency", """{"name":"Ok","currency":"USD"}""", "currency"),
        ("a paper portfolio", """{"name":"Ok","kind":"Paper"}""", "kind"),
        ("an unknown kind", """{"name":"Ok","kind":"Imaginary"}""", "kind"),
        ("a number for the name", """{"name":12}""", "name"),
        ("NUL in the name", """{"name":"a\u0000b"}""", "name"),
        ("NUL in the description", """{"name":"Ok","description":"a\u0000b"}""", "description"),
        ("malformed JSON", """{"name":""", "body"),
        ("not an object", """["Ok"]""", "body"),
    ];

    [Test]
    public async Task Bad_portfolio_input_is_refused_naming_the_field_and_stores_nothing()
    {
        var user = await UserAsync(this, App, Client, "pfbad");
        var id = await CreateAsync(user.Api, "Kept");
        var before = await PortfolioCountAsync(App, user.Id);
        foreach (var (what, body, field) in BadPortfolios)
        {
            var created = await JsonAsync(await user.Api.PostAsync("/api/portfolios", Json(body)), HttpStatusCode.BadRequest, "POST " + what);
            Assert.That(FieldError(created, field), Is.Not.Empty, what);
            Assert.That(created.GetProperty("status").GetInt32(), Is.EqualTo(400));
            var replaced = await JsonAsync(await user.Api.PutAsync($"/api/portfolios/{id}", Json(body)), HttpStatusCode.BadRequest, "PUT " + what);
            Assert.That(FieldError(replaced, field), Is.Not.Empty, what);
        }
        Assert.That(await PortfolioCountAsync(App, user.Id), Is.EqualTo(before), "nothing created");
        var kept = await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}"), HttpStatusCode.OK);
        Assert.That((kept.GetProperty("name").GetString(), kept.GetProperty("kind").GetString()), Is.EqualTo(("Kept", "Real")), "nothing changed");

        var paper = await JsonAsync(await user.Api.PostAsJsonAsync("/api/portfolios", new { name = "Sim", kind = "Paper" }), HttpStatusCode.BadRequest);
        Assert.That(FieldError(paper, "kind"), Does.Contain("paper trading"));
        var unknownKind = await JsonAsync(await user.Api.PostAsJsonAsync("/api/portfolios", new { name = "Sim", kind = "Imaginary" }), HttpStatusCode.BadRequest);
        Assert.That(FieldError(unknownKind, "kind"), Does.Contain("Real"), "the message lists the kinds");
        var plain = await JsonAsync(await user.Api.PostAsync("/api/portfolios", new StringContent("""{"name":"Ok"}""")), HttpStatusCode.UnsupportedMediaType);
        Assert.That(plain.GetProperty("status").GetInt32(), Is.EqualTo(415));
    }

    [Test]
    public async Task The_limit_is_a_409_and_stores_nothing()
    {
        var user = await UserAsync(this, App, Client, "pflimit");
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(user.Api, $"P{i}");
        }
        var refused = await JsonAsync(await user.Api.PostAsJsonAsync("/api/portfolios", new { name = "One too many" }), HttpStatusCode.Conflict);
        Assert.That(refused.GetProperty("errors").EnumerateObject().Count(), Is.EqualTo(1));
        Assert.That(refused.GetProperty("detail").GetString(), Does.Contain("3"));
        Assert.That(await PortfolioCountAsync(App, user.Id), Is.EqualTo(3));
    }

    [Test]
    public async Task Holdings_and_figures_follow_the_transactions()
    {
        var user = await UserAsync(this, App, Client, "pfhold");
        var id = await CreateAsync(user.Api);
        await BuyAsync(user.Api, id, "ATW", 100, 500, Day1);
        await BuyAsync(user.Api, id, "ATW", 100, 600, Day2);
        await AddAsync(user.Api, id, new { type = "Sell", date = Day3, ticker = "ATW", quantity = 50, price = 700, fees = 0, taxes = 0 });
        await BuyAsync(user.Api, id, "IAM", 10, 100, Day3);
        await AddAsync(user.Api, id, new { type = "Sell", date = Day4, ticker = "IAM", quantity = 10, price = 110, fees = 0, taxes = 0 });

        var holdings = await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}/holdings"), HttpStatusCode.OK);
        var atw = holdings.GetProperty("holdings").EnumerateArray().Single();
        Assert.That(atw.GetProperty("ticker").GetString(), Is.EqualTo("ATW"));
        Assert.That((atw.GetProperty("quantity").GetDecimal(), atw.GetProperty("averageCost").GetDecimal(), atw.GetProperty("cost").GetDecimal()),
            Is.EqualTo((150m, 550m, 82_500m)), "weighted average cost: (50,000 + 60,000) / 200");
        Assert.That(atw.GetProperty("realized").GetDecimal(), Is.EqualTo(7_500m), "50 × (700 − 550)");
        var iam = holdings.GetProperty("closed").EnumerateArray().Single();
        Assert.That((iam.GetProperty("ticker").GetString(), iam.GetProperty("realized").GetDecimal()), Is.EqualTo(("IAM", 100m)));
        Assert.That(holdings.GetProperty("figures").GetProperty("realized").GetDecimal(), Is.EqualTo(7_600m));

        var detail = await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}"), HttpStatusCode.OK);
        var figures = detail.GetProperty("figures");
        Assert.That(figures.GetProperty("realized").GetDecimal(), Is.EqualTo(7_600m));
        Assert.That(figures.GetProperty("tracksCash").GetBoolean(), Is.False);
        Assert.That(figures.GetProperty("holdingsValue").GetDecimal(), Is.EqualTo(atw.GetProperty("marketValue").GetDecimal()));
    }

    [Test]
    public async Task Performance_gives_the_series_and_every_ranges_figures_and_refuses_an_unknown_range()
    {
        var user = await UserAsync(this, App, Client, "pfperf");
        var id = await CreateAsync(user.Api);
        await AddAsync(user.Api, id, new { type = "Deposit", date = Day1, amount = 100_000 });
        await BuyAsync(user.Api, id, "ATW", 50, 700, Day1);
        await BuyAsync(user.Api, id, "IAM", 100, 100, Day2);

        var report = await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}/performance?range=1Y"), HttpStatusCode.OK);
        Assert.That((report.GetProperty("range").GetString(), report.GetProperty("figures").GetProperty("range").GetString()), Is.EqualTo(("1Y", "1Y")));
        var series = report.GetProperty("series").EnumerateArray().ToList();
        Assert.That(series, Has.Count.GreaterThan(200), "about one point per session of a year");
        var dates = series.Select(p => p.GetProperty("date").GetString()).ToList();
        Assert.That(dates, Is.Ordered.Ascending);
        Assert.That(series[0].GetProperty("portfolioIndex").GetDecimal(), Is.EqualTo(100m), "the index starts at 100");
        Assert.That(series.All(p => p.GetProperty("value").GetDecimal() > 0), Is.True);
        Assert.That(report.GetProperty("figures").GetProperty("twr").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(report.GetProperty("ranges").EnumerateArray().Select(r => r.GetProperty("range").GetString()),
            Is.EqualTo(new[] { "1D", "1W", "1M", "YTD", "1Y", "3Y", "5Y", "ALL" }));

        var byDefault = await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}/performance"), HttpStatusCode.OK);
        Assert.That(byDefault.GetProperty("range").GetString(), Is.EqualTo("1Y"), "1Y when omitted");
        foreach (var code in new[] { "1d", "1W", "1M", "ytd", "3Y", "5Y", "all" })
        {
            var one = await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}/performance?range={code}"), HttpStatusCode.OK, code);
            Assert.That(one.GetProperty("range").GetString(), Is.EqualTo(code.ToUpperInvariant()));
        }
        foreach (var bad in new[] { "2Y", "Y1", "1Y1", "-1", "%20x" })
        {
            var refused = await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}/performance?range={bad}"), HttpStatusCode.BadRequest, bad);
            Assert.That(FieldError(refused, "range"), Does.Contain("1D, 1W, 1M, YTD, 1Y, 3Y, 5Y, ALL"), bad);
        }
    }

    [Test]
    public async Task The_openapi_document_lists_every_portfolio_route_and_its_shapes()
    {
        var document = JsonDocument.Parse(await Client().GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");
        var routes = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/portfolios", StringComparison.Ordinal) == true)
            .SelectMany(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Select(m => (Path: OpenApiPath(e.RoutePattern.RawText!), Method: m)))
            .ToList();
        Assert.That(routes.Select(r => $"{r.Method} {r.Path}"), Is.SupersetOf(new[]
        {
            "GET /api/portfolios", "POST /api/portfolios", "GET /api/portfolios/{id}", "PUT /api/portfolios/{id}", "DELETE /api/portfolios/{id}",
            "GET /api/portfolios/{id}/transactions", "POST /api/portfolios/{id}/transactions", "POST /api/portfolios/{id}/transactions/preview",
            "GET /api/portfolios/{id}/transactions/{txId}", "PUT /api/portfolios/{id}/transactions/{txId}", "DELETE /api/portfolios/{id}/transactions/{txId}",
            "GET /api/portfolios/{id}/holdings", "GET /api/portfolios/{id}/performance",
        }));
        foreach (var (path, method) in routes)
        {
            Assert.That(paths.TryGetProperty(path, out var operations) && operations.TryGetProperty(method.ToLowerInvariant(), out _), Is.True, $"{method} {path}");
        }
        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var (schema, property) in new[] { ("TransactionRequest", "fees"), ("TransactionResponse", "taxes"), ("PortfolioRequest", "currency"),
                     ("HoldingsResponse", "closed"), ("PreviewResponse", "after"), ("PerformanceResponse", "series"), ("RangeFiguresResponse", "xirr") })
        {
            Assert.That(schemas.TryGetProperty(schema, out var s) && s.GetProperty("properties").TryGetProperty(property, out _), Is.True, $"{schema}.{property}");
        }
        Assert.That(schemas.GetProperty("TransactionRequest").GetProperty("properties").GetProperty("fees").GetProperty("description").GetString(),
            Does.Contain("fee schedule"), "the records' XML comments describe the fields");
        var post = paths.GetProperty("/api/portfolios/{id}/transactions").GetProperty("post");
        Assert.That(post.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _), Is.True);
        Assert.That(post.GetProperty("responses").TryGetProperty("400", out _), Is.True);
    }

    /// <summary>"/api/portfolios/{id:int}/transactions/{txId:long}" as OpenAPI writes it: "/api/portfolios/{id}/transactions/{txId}".</summary>
    private static string OpenApiPath(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern.TrimEnd('/'), @"\{(\w+):\w+\}", "{$1}");
}
