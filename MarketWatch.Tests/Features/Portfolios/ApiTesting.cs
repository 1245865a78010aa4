using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>What the portfolio API tests share: reading answers, creating portfolios and transactions, counting stored rows.</summary>
public static class ApiTesting
{
    /// <summary>Weekdays well in the past, in order (the test market has daily bars for years back).</summary>
    public static readonly DateOnly Day1 = new(2025, 3, 3), Day2 = new(2025, 4, 7), Day3 = new(2025, 5, 5), Day4 = new(2025, 6, 2);

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected, string what = "")
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"{what} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }

    /// <summary>The messages a 400/409 problem gives for <paramref name="field"/>; fails naming the fields it did give.</summary>
    public static string FieldError(JsonElement problem, string field)
    {
        Assert.That(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), Is.True, $"no error on \"{field}\": {problem}");
        return string.Join(" ", errors.GetProperty(field).EnumerateArray().Select(m => m.GetString()));
    }

    public static async Task<int> CreateAsync(HttpClient api, string name = "Main")
    {
        var created = await JsonAsync(await api.PostAsJsonAsync("/api/portfolios", new { name }), HttpStatusCode.Created);
        return created.GetProperty("id").GetInt32();
    }

    public static async Task<JsonElement> AddAsync(HttpClient api, int portfolioId, object transaction) =>
        await JsonAsync(await api.PostAsJsonAsync($"/api/portfolios/{portfolioId}/transactions", transaction), HttpStatusCode.Created);

    public static async Task<long> BuyAsync(HttpClient api, int portfolioId, string ticker, decimal quantity, decimal price, DateOnly date, decimal fees = 0) =>
        (await AddAsync(api, portfolioId, new { type = "Buy", date, ticker, quantity, price, fees })).GetProperty("id").GetInt64();

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<int> TransactionCountAsync(MarketWatchFactory app, int portfolioId) =>
        app.WithDbAsync(db => db.PortfolioTransactions.CountAsync(t => t.PortfolioId == portfolioId));

    public static Task<int> PortfolioCountAsync(MarketWatchFactory app, string userId) =>
        app.WithDbAsync(db => db.Portfolios.CountAsync(p => p.UserId == userId));

    /// <summary>Every stored transaction of the portfolio as text, to show that a refused request changed none of them.</summary>
    public static Task<string> TransactionsAsTextAsync(MarketWatchFactory app, int portfolioId) =>
        app.WithDbAsync(async db => string.Join("\n", (await db.PortfolioTransactions.AsNoTracking().Where(t => t.PortfolioId == portfolioId).OrderBy(t => t.Id).ToListAsync())
            .Select(t => $"{t.Id} {t.Type} {t.Date} {t.InstrumentId} {t.Quantity} {t.Price} {t.Amount} {t.Fees} {t.Taxes} {t.Ratio} {t.Note}")));
}
