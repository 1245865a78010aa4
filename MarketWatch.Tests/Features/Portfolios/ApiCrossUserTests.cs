using System.Net;
using System.Net.Http.Json;
using MarketWatch.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;
using static MarketWatch.Tests.Features.Portfolios.ApiTesting;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>
/// Another user's portfolio or transaction is 404 problem+json on every route and method of <c>/api/portfolios</c>, with
/// a valid body and with a bad one (nothing about it leaks as a field error), and stays untouched; so is a transaction of
/// the user's own other portfolio asked for under this portfolio's URL.
/// </summary>
public sealed class ApiCrossUserTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Alerts:Engine"] = "false" };

    private static readonly object ValidBuy = new { type = "Buy", date = Day2, ticker = "IAM", quantity = 1, price = 100 };
    private const string BadBody = """{"type":"Gift","quantity":-1}""";

    [Test]
    public async Task Another_users_portfolio_or_transaction_is_404_on_every_route_and_stays_untouched()
    {
        var owner = await UserAsync(this, App, Client, "pfowner");
        var id = await CreateAsync(owner.Api, "Private");
        var txId = await BuyAsync(owner.Api, id, "ATW", 10, 500, Day1);
        var otherId = await CreateAsync(owner.Api, "Second");
        var otherTx = await BuyAsync(owner.Api, otherId, "BCP", 5, 250, Day1);
        var intruder = await UserAsync(this, App, Client, "pfintruder");
        var intrudersOwn = await CreateAsync(intruder.Api, "Mine");
        var before = await TransactionsAsTextAsync(App, id) + await TransactionsAsTextAsync(App, otherId);

        var p = $"/api/portfolios/{id}";
        var calls = new List<(string What, HttpClient Client, HttpMethod Method, string Url, HttpContent? Body)>();
        foreach (var body in new Func<HttpContent>[] { () => JsonContent.Create(ValidBuy), () => Json(BadBody) })
        {
            calls.AddRange(
            [
                ("GET portfolio", intruder.Api, HttpMethod.Get, p, null),
                ("PUT portfolio", intruder.Api, HttpMethod.Put, p, PortfolioBody(body)),
                ("DELETE portfolio", intruder.Api, HttpMethod.Delete, p, null),
                ("GET transactions", intruder.Api, HttpMethod.Get, p + "/transactions?type=Buy", null),
                ("POST transaction", intruder.Api, HttpMethod.Post, p + "/transactions", body()),
                ("POST preview", intruder.Api, HttpMethod.Post, p + "/transactions/preview", body()),
                ("POST preview of an edit", intruder.Api, HttpMethod.Post, $"{p}/transactions/preview?txId={txId}", body()),
                ("GET transaction", intruder.Api, HttpMethod.Get, $"{p}/transactions/{txId}", null),
                ("PUT transaction", intruder.Api, HttpMethod.Put, $"{p}/transactions/{txId}", body()),
                ("DELETE transaction", intruder.Api, HttpMethod.Delete, $"{p}/transactions/{txId}", null),
                ("GET holdings", intruder.Api, HttpMethod.Get, p + "/holdings", null),
                ("GET performance", intruder.Api, HttpMethod.Get, p + "/performance?range=1Y", null),
                // The intruder's own portfolio, the owner's transaction id.
                ("GET their transaction under my portfolio", intruder.Api, HttpMethod.Get, $"/api/portfolios/{intrudersOwn}/transactions/{txId}", null),
                ("PUT their transaction under my portfolio", intruder.Api, HttpMethod.Put, $"/api/portfolios/{intrudersOwn}/transactions/{txId}", body()),
                ("DELETE their transaction under my portfolio", intruder.Api, HttpMethod.Delete, $"/api/portfolios/{intrudersOwn}/transactions/{txId}", null),
                ("preview an edit of their transaction under my portfolio", intruder.Api, HttpMethod.Post, $"/api/portfolios/{intrudersOwn}/transactions/preview?txId={txId}", body()),
                // The owner: a transaction of their other portfolio under this portfolio's URL.
                ("GET another portfolio's transaction", owner.Api, HttpMethod.Get, $"{p}/transactions/{otherTx}", null),
                ("PUT another portfolio's transaction", owner.Api, HttpMethod.Put, $"{p}/transactions/{otherTx}", body()),
                ("DELETE another portfolio's transaction", owner.Api, HttpMethod.Delete, $"{p}/transactions/{otherTx}", null),
                ("preview an edit of another portfolio's transaction", owner.Api, HttpMethod.Post, $"{p}/transactions/preview?txId={otherTx}", body()),
                // Ids that belong to nobody.
                ("GET a missing portfolio", owner.Api, HttpMethod.Get, "/api/portfolios/2147483647/holdings", null),
                ("GET a missing transaction", owner.Api, HttpMethod.Get, $"{p}/transactions/9223372036854775807", null),
            ]);
        }

        // Every route of the group is in the table: a route added later without a cross-user case fails here.
        var covered = calls.Select(c => (c.Method.Method, Template(c.Url))).ToHashSet();
        var routes = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/portfolios/{id", StringComparison.Ordinal) == true)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (m, e.RoutePattern.RawText!)))
            .ToList();
        Assert.That(routes, Is.Not.Empty);
        foreach (var route in routes)
        {
            Assert.That(covered, Does.Contain(route), $"no cross-user case for {route}");
        }

        foreach (var (what, client, method, url, body) in calls)
        {
            var response = await client.SendAsync(new HttpRequestMessage(method, url) { Content = body });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), $"{what}: {await response.Content.ReadAsStringAsync()}");
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), what);
        }

        Assert.That(await TransactionsAsTextAsync(App, id) + await TransactionsAsTextAsync(App, otherId), Is.EqualTo(before), "nothing changed");
        var still = await JsonAsync(await owner.Api.GetAsync(p), System.Net.HttpStatusCode.OK);
        Assert.That(still.GetProperty("name").GetString(), Is.EqualTo("Private"));
        var theirs = await JsonAsync(await intruder.Api.GetAsync("/api/portfolios"), HttpStatusCode.OK);
        Assert.That(theirs.EnumerateArray().Select(x => x.GetProperty("id").GetInt32()), Is.EqualTo(new[] { intrudersOwn }));
        Assert.That(await TransactionCountAsync(App, intrudersOwn), Is.Zero);
    }

    /// <summary>The portfolio PUT gets a portfolio body: valid when the transaction body is, bad otherwise.</summary>
    private static HttpContent PortfolioBody(Func<HttpContent> transactionBody) =>
        transactionBody() is JsonContent ? JsonContent.Create(new { name = "Taken over" }) : Json("""{"name":"","kind":"Imaginary"}""");

    /// <summary>"/api/portfolios/12/transactions/34?x=y" as its route template "/api/portfolios/{id:int}/transactions/{txId:long}".</summary>
    private static string Template(string url)
    {
        var path = url.Split('?')[0];
        var parts = path.Split('/');
        // "", "api", "portfolios", id, ..., txId
        if (parts.Length > 3)
        {
            parts[3] = "{id:int}";
        }
        if (parts.Length > 5 && parts[4] == "transactions" && long.TryParse(parts[5], out _))
        {
            parts[5] = "{txId:long}";
        }
        return string.Join('/', parts);
    }
}
