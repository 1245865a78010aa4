using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;
using static MarketWatch.Tests.Features.Portfolios.ApiTesting;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>
/// <c>/api/portfolios/{id}/transactions</c>: add, read, filter, replace, delete and preview; fees and taxes omitted vs 0;
/// bad input on every write endpoint is a 400 naming the field and stores nothing; the sell rule.
/// </summary>
public sealed class ApiTransactionTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Alerts:Engine"] = "false" };

    [Test]
    public async Task Transactions_are_added_read_filtered_replaced_and_deleted()
    {
        var user = await UserAsync(this, App, Client, "txapi");
        var id = await CreateAsync(user.Api);
        var buy = await AddAsync(user.Api, id, new { type = "Buy", date = Day1, time = "10:30:00", ticker = "atw", quantity = 10, price = 500, fees = 5, taxes = 0, note = "first" });
        var buyId = buy.GetProperty("id").GetInt64();
        Assert.That((buy.GetProperty("type").GetString(), buy.GetProperty("date").GetString(), buy.GetProperty("time").GetString(), buy.GetProperty("ticker").GetString()),
            Is.EqualTo(("Buy", "2025-03-03", "10:30:00", "ATW")));
        Assert.That((buy.GetProperty("quantity").GetDecimal(), buy.GetProperty("price").GetDecimal(), buy.GetProperty("amount").GetDecimal(), buy.GetProperty("fees").GetDecimal()),
            Is.EqualTo((10m, 500m, 5000m, 5m)));
        Assert.That((buy.GetProperty("note").GetString(), buy.GetProperty("isin").GetString()), Is.EqualTo(("first", "MA0000012445")));

        var byIsin = await AddAsync(user.Api, id, new { type = "Buy", date = Day2, isin = "MA0000012445", quantity = 5, price = 520, fees = 0 });
        Assert.That(byIsin.GetProperty("ticker").GetString(), Is.EqualTo("ATW"), "an ISIN finds the instrument");
        await BuyAsync(user.Api, id, "IAM", 20, 100, Day2);
        var sell = await AddAsync(user.Api, id, new { type = "Sell", date = Day3, ticker = "ATW", quantity = 8, price = 560, fees = 0, taxes = 0 });
        var deposit = await AddAsync(user.Api, id, new { type = "Deposit", date = Day1, amount = 20_000 });
        Assert.That((deposit.GetProperty("amount").GetDecimal(), deposit.GetProperty("ticker").ValueKind), Is.EqualTo((20_000m, JsonValueKind.Null)));

        var one = await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}/transactions/{buyId}"), HttpStatusCode.OK);
        Assert.That(one.GetProperty("note").GetString(), Is.EqualTo("first"));

        var all = await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}/transactions"), HttpStatusCode.OK);
        Assert.That(all.GetArrayLength(), Is.EqualTo(5));
        var dates = all.EnumerateArray().Select(t => t.GetProperty("date").GetString()).ToList();
        Assert.That(dates, Is.EqualTo(dates.OrderByDescending(d => d).ToList()), "newest first");
        Assert.That(await IdsAsync(user.Api, $"/api/portfolios/{id}/transactions?type=sell"), Is.EqualTo(new[] { sell.GetProperty("id").GetInt64() }));
        Assert.That(await IdsAsync(user.Api, $"/api/portfolios/{id}/transactions?ticker=ATW"), Has.Length.EqualTo(3));
        Assert.That(await IdsAsync(user.Api, $"/api/portfolios/{id}/transactions?from=2025-04-01&to=2025-04-30"), Has.Length.EqualTo(2));
        Assert.That(await IdsAsync(user.Api, $"/api/portfolios/{id}/transactions?type=Buy&ticker=IAM&from=2025-04-07&to=2025-04-07"), Has.Length.EqualTo(1));
        var badFilter = await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}/transactions?type=Gift&from=yesterday&to=2025-02-30"), HttpStatusCode.BadRequest);
        Assert.That(FieldError(badFilter, "type"), Does.Contain("Buy"));
        Assert.That(FieldError(badFilter, "from"), Does.Contain("YYYY-MM-DD"));
        Assert.That(FieldError(badFilter, "to"), Does.Contain("YYYY-MM-DD"));

        var replaced = await JsonAsync(await user.Api.PutAsJsonAsync($"/api/portfolios/{id}/transactions/{buyId}",
            new { type = "Buy", date = Day1, ticker = "ATW", quantity = 12, price = 490, fees = 0, taxes = 0, note = "corrected" }), HttpStatusCode.OK);
        Assert.That((replaced.GetProperty("id").GetInt64(), replaced.GetProperty("quantity").GetDecimal(), replaced.GetProperty("amount").GetDecimal(),
            replaced.GetProperty("note").GetString(), replaced.GetProperty("time").ValueKind), Is.EqualTo((buyId, 12m, 5880m, "corrected", JsonValueKind.Null)));

        await JsonAsync(await user.Api.DeleteAsync($"/api/portfolios/{id}/transactions/{deposit.GetProperty("id").GetInt64()}"), HttpStatusCode.NoContent);
        await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}/transactions/{deposit.GetProperty("id").GetInt64()}"), HttpStatusCode.NotFound);
        Assert.That(await TransactionCountAsync(App, id), Is.EqualTo(4));
    }

    private static async Task<long[]> IdsAsync(HttpClient api, string url) =>
        (await JsonAsync(await api.GetAsync(url), HttpStatusCode.OK)).EnumerateArray().Select(t => t.GetProperty("id").GetInt64()).ToArray();

    [Test]
    public async Task Fees_and_taxes_omitted_take_the_schedule_and_zero_means_none()
    {
        var user = await UserAsync(this, App, Client, "txfees");
        var id = await CreateAsync(user.Api);
        // Default schedule: brokerage 0.6 % + exchange 0.1 %, VAT 10 % on them: 50,000 × 0.007 × 1.1 = 385.
        var omitted = await AddAsync(user.Api, id, new { type = "Buy", date = Day1, ticker = "ATW", quantity = 100, price = 500 });
        Assert.That((omitted.GetProperty("fees").GetDecimal(), omitted.GetProperty("taxes").GetDecimal()), Is.EqualTo((385m, 0m)));
        var zero = await AddAsync(user.Api, id, new { type = "Buy", date = Day1, ticker = "ATW", quantity = 100, price = 500, fees = 0 });
        Assert.That(zero.GetProperty("fees").GetDecimal(), Is.Zero);
        var given = await AddAsync(user.Api, id, new { type = "Buy", date = Day1, ticker = "IAM", quantity = 10, price = 100, fees = 12.5m });
        Assert.That(given.GetProperty("fees").GetDecimal(), Is.EqualTo(12.5m));
        var explicitNull = await JsonAsync(await user.Api.PostAsync($"/api/portfolios/{id}/transactions",
            Json("""{"type":"Buy","date":"2025-03-03","ticker":"IAM","quantity":10,"price":100,"fees":null}""")), HttpStatusCode.Created);
        Assert.That(explicitNull.GetProperty("fees").GetDecimal(), Is.EqualTo(7.7m), "null is the same as omitted: 1,000 × 0.0077");

        // A fresh portfolio for the sells, so that the gain is plain: average cost 500.
        var other = await CreateAsync(user.Api, "Taxes");
        await BuyAsync(user.Api, other, "ATW", 100, 500, Day1);
        var taxed = await AddAsync(user.Api, other, new { type = "Sell", date = Day2, ticker = "ATW", quantity = 50, price = 600, fees = 0 });
        Assert.That(taxed.GetProperty("taxes").GetDecimal(), Is.EqualTo(750m), "15 % of the gain 50 × (600 − 500)");
        var untaxed = await AddAsync(user.Api, other, new { type = "Sell", date = Day2, ticker = "ATW", quantity = 10, price = 600, fees = 0, taxes = 0 });
        Assert.That(untaxed.GetProperty("taxes").GetDecimal(), Is.Zero);
        var dividend = await AddAsync(user.Api, other, new { type = "Dividend", date = Day3, ticker = "ATW", quantity = 40, price = 10 });
        Assert.That((dividend.GetProperty("amount").GetDecimal(), dividend.GetProperty("taxes").GetDecimal()), Is.EqualTo((400m, 40m)), "10 % withholding");
        var net = await AddAsync(user.Api, other, new { type = "Dividend", date = Day4, ticker = "ATW", quantity = 40, price = 9, taxes = 0 });
        Assert.That(net.GetProperty("taxes").GetDecimal(), Is.Zero, "a net dividend");
    }

    [Test]
    public async Task Preview_shows_the_effect_and_saves_nothing()
    {
        var user = await UserAsync(this, App, Client, "txpreview");
        var id = await CreateAsync(user.Api);
        var buyId = await BuyAsync(user.Api, id, "ATW", 100, 500, Day1);
        var stored = await TransactionsAsTextAsync(App, id);

        var sale = await JsonAsync(await user.Api.PostAsJsonAsync($"/api/portfolios/{id}/transactions/preview",
            new { type = "Sell", date = Day2, ticker = "ATW", quantity = 40, price = 600, fees = 0, taxes = 0 }), HttpStatusCode.OK);
        Assert.That(sale.GetProperty("ticker").GetString(), Is.EqualTo("ATW"));
        Assert.That((sale.GetProperty("before").GetProperty("quantity").GetDecimal(), sale.GetProperty("after").GetProperty("quantity").GetDecimal()), Is.EqualTo((100m, 60m)));
        Assert.That(sale.GetProperty("realizedGain").GetDecimal(), Is.EqualTo(4_000m));

        var withDefaults = await JsonAsync(await user.Api.PostAsJsonAsync($"/api/portfolios/{id}/transactions/preview",
            new { type = "Buy", date = Day2, ticker = "ATW", quantity = 100, price = 500 }), HttpStatusCode.OK);
        Assert.That(withDefaults.GetProperty("fees").GetDecimal(), Is.EqualTo(385m), "the preview resolves the schedule's fees");

        var edit = await JsonAsync(await user.Api.PostAsJsonAsync($"/api/portfolios/{id}/transactions/preview?txId={buyId}",
            new { type = "Buy", date = Day1, ticker = "ATW", quantity = 150, price = 500, fees = 0 }), HttpStatusCode.OK);
        Assert.That(edit.GetProperty("after").GetProperty("quantity").GetDecimal(), Is.EqualTo(150m), "replacing the buy, not adding to it");

        var tooMany = await JsonAsync(await user.Api.PostAsJsonAsync($"/api/portfolios/{id}/transactions/preview",
            new { type = "Sell", date = Day2, ticker = "ATW", quantity = 101, price = 600 }), HttpStatusCode.BadRequest);
        Assert.That(tooMany.GetProperty("errors").EnumerateObject().Count(), Is.GreaterThan(0));
        var badTx = await JsonAsync(await user.Api.PostAsJsonAsync($"/api/portfolios/{id}/transactions/preview?txId=abc",
            new { type = "Buy", date = Day1, ticker = "ATW", quantity = 1, price = 1 }), HttpStatusCode.BadRequest);
        Assert.That(FieldError(badTx, "txId"), Is.Not.Empty);
        Assert.That(await TransactionsAsTextAsync(App, id), Is.EqualTo(stored), "nothing saved");
    }

    /// <summary>A valid buy with one field replaced (raw JSON, so that malformed values can be sent).</summary>
    private static string Buy(string field, string json)
    {
        var fields = new Dictionary<string, string>
        {
            ["type"] = "\"Buy\"",
            ["date"] = "\"2025-03-03\"",
            ["ticker"] = "\"ATW\"",
            ["quantity"] = "10",
            ["price"] = "500",
        };
        fields[field] = json;
        return "{" + string.Join(",", fields.Where(f => f.Value.Length > 0).Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
    }

    private static readonly (string What, string Body, string Field)[] BadTransactions =
    [
        ("negative quantity", Buy("quantity", "-5"), "quantity"),
        ("zero quantity", Buy("quantity", "0"), "quantity"),
        ("negative price", Buy("price", "-1"), "price"),
        ("negative fees", Buy("fees", "-1"), "fees"),
        ("a quantity that is not a number", Buy("quantity", "\"ten\""), "quantity"),
        ("unknown ticker", Buy("ticker", "\"NOPE\""), "ticker"),
        ("unknown ISIN", Buy("ticker", "").Replace("}", ",\"isin\":\"MA0000000000\"}"), "isin"),
        ("ticker and ISIN both", Buy("isin", "\"MA0000012445\""), "isin"),
        ("no instrument", Buy("ticker", ""), "ticker"),
        ("10,000-character note", Buy("note", $"\"{new string('n', 10_000)}\""), "note"),
        ("future date", Buy("date", $"\"{DateOnly.FromDateTime(DateTime.UtcNow).AddDays(10):yyyy-MM-dd}\""), "date"),
        ("impossible date", Buy("date", "\"2025-02-30\""), "date"),
        ("no date", Buy("date", ""), "date"),
        ("a time that is not a time", Buy("time", "\"25:99\""), "time"),
        ("unknown type", Buy("type", "\"Gift\""), "type"),
        ("a type given as a number out of range", Buy("type", "42"), "type"),
        ("no type", Buy("type", ""), "type"),
        ("NUL in the note", Buy("note", "\"a\\u0000b\""), "note"),
        ("NUL in the ticker", Buy("ticker", "\"AT\\u0000W\""), "ticker"),
        ("malformed JSON", "{\"type\":\"Buy\",", "body"),
        ("JSON that is not an object", "42", "body"),
        ("a deposit without an amount", """{"type":"Deposit","date":"2025-03-03"}""", "amount"),
        ("a split without a ratio", """{"type":"Split","date":"2025-03-03","ticker":"ATW"}""", "ratio"),
    ];

    [Test]
    public async Task Bad_input_on_every_write_endpoint_is_a_400_naming_the_field_and_stores_nothing()
    {
        var user = await UserAsync(this, App, Client, "txbad");
        var id = await CreateAsync(user.Api);
        var buyId = await BuyAsync(user.Api, id, "ATW", 100, 500, Day1);
        var stored = await TransactionsAsTextAsync(App, id);
        var endpoints = new (string Name, Func<string, Task<HttpResponseMessage>> Send)[]
        {
            ("POST transactions", body => user.Api.PostAsync($"/api/portfolios/{id}/transactions", Json(body))),
            ("PUT transaction", body => user.Api.PutAsync($"/api/portfolios/{id}/transactions/{buyId}", Json(body))),
            ("POST preview", body => user.Api.PostAsync($"/api/portfolios/{id}/transactions/preview", Json(body))),
            ("POST preview of an edit", body => user.Api.PostAsync($"/api/portfolios/{id}/transactions/preview?txId={buyId}", Json(body))),
        };
        foreach (var (name, send) in endpoints)
        {
            foreach (var (what, body, field) in BadTransactions)
            {
                var problem = await JsonAsync(await send(body), HttpStatusCode.BadRequest, $"{name}, {what}:");
                Assert.That(FieldError(problem, field), Is.Not.Empty, $"{name}, {what}");
            }
        }
        Assert.That(await TransactionsAsTextAsync(App, id), Is.EqualTo(stored), "nothing stored or changed");

        var post = endpoints[0].Send;
        Assert.That(FieldError(await JsonAsync(await post(Buy("type", "\"Gift\"")), HttpStatusCode.BadRequest), "type"), Does.Contain("Buy, Sell, Dividend"));
        Assert.That(FieldError(await JsonAsync(await post(Buy("note", "\"a\\u0000b\"")), HttpStatusCode.BadRequest), "note"), Does.Contain("NUL"));
        Assert.That(FieldError(await JsonAsync(await post(Buy("ticker", "\"NOPE\"")), HttpStatusCode.BadRequest), "ticker"), Does.Contain("NOPE"));
    }

    [Test]
    public async Task A_sell_beyond_the_holding_at_its_date_is_refused_naming_the_sell()
    {
        var user = await UserAsync(this, App, Client, "txsell");
        var id = await CreateAsync(user.Api);
        var buyId = await BuyAsync(user.Api, id, "ATW", 10, 500, Day1);
        var tooMany = await JsonAsync(await user.Api.PostAsJsonAsync($"/api/portfolios/{id}/transactions",
            new { type = "Sell", date = Day2, ticker = "ATW", quantity = 11, price = 600 }), HttpStatusCode.BadRequest);
        Assert.That(Messages(tooMany), Does.Contain("10").And.Contain("11"), "how many were held and how many were sold");

        var sell = await AddAsync(user.Api, id, new { type = "Sell", date = Day3, ticker = "ATW", quantity = 10, price = 600, fees = 0, taxes = 0 });
        var stored = await TransactionsAsTextAsync(App, id);
        // Each of these would leave the sale of Day3 selling shares the portfolio no longer holds: the error names that sale.
        var attempts = new (string What, Func<Task<HttpResponseMessage>> Send)[]
        {
            ("a back-dated sell", () => user.Api.PostAsJsonAsync($"/api/portfolios/{id}/transactions", new { type = "Sell", date = Day2, ticker = "ATW", quantity = 5, price = 600 })),
            ("an edit of the buy", () => user.Api.PutAsJsonAsync($"/api/portfolios/{id}/transactions/{buyId}", new { type = "Buy", date = Day1, ticker = "ATW", quantity = 5, price = 500 })),
            ("moving the buy after the sell", () => user.Api.PutAsJsonAsync($"/api/portfolios/{id}/transactions/{buyId}", new { type = "Buy", date = Day4, ticker = "ATW", quantity = 10, price = 500 })),
            ("deleting the buy", () => user.Api.DeleteAsync($"/api/portfolios/{id}/transactions/{buyId}")),
        };
        foreach (var (what, send) in attempts)
        {
            var problem = await JsonAsync(await send(), HttpStatusCode.BadRequest, what);
            Assert.That(Messages(problem), Does.Contain("ATW").And.Contain("2025"), $"{what}: the message names the sale of 5 May 2025");
        }
        Assert.That(await TransactionsAsTextAsync(App, id), Is.EqualTo(stored), "nothing changed");
        await JsonAsync(await user.Api.DeleteAsync($"/api/portfolios/{id}/transactions/{sell.GetProperty("id").GetInt64()}"), HttpStatusCode.NoContent);
        await JsonAsync(await user.Api.DeleteAsync($"/api/portfolios/{id}/transactions/{buyId}"), HttpStatusCode.NoContent, "without the sale the buy can go");
    }

    private static string Messages(JsonElement problem) =>
        string.Join(" ", problem.GetProperty("errors").EnumerateObject().SelectMany(f => f.Value.EnumerateArray().Select(m => m.GetString())));

    [Test]
    public async Task A_cookie_request_without_the_pages_token_is_refused_and_stores_nothing()
    {
        var user = await UserAsync(this, App, Client, "txcsrf");
        var id = await CreateAsync(user.Api);
        var browser = Client();
        await SignInAsync(browser, user.Email);
        Assert.That((await browser.GetAsync($"/api/portfolios/{id}/transactions")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "reads need no token");
        var refused = await browser.PostAsJsonAsync($"/api/portfolios/{id}/transactions", new { type = "Buy", date = Day1, ticker = "ATW", quantity = 1, price = 1 });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await browser.DeleteAsync($"/api/portfolios/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await TransactionCountAsync(App, id), Is.Zero);
        await JsonAsync(await user.Api.GetAsync($"/api/portfolios/{id}"), HttpStatusCode.OK);
    }
}
