using MarketWatch.Web.Host;
using System.Net;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Market;

/// <summary>/api/market against a database seeded by the app (catalogue, simulated history) plus quotes stored by the ingest's own path.</summary>
public sealed class MarketApiTests : AppTest
{
    [OneTimeSetUp]
    public async Task StoreQuotesAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var ingest = ActivatorUtilities.CreateInstance<IngestService>(scope.ServiceProvider);
        var state = await ingest.LoadAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var quotes = new List<ProviderQuote>
        {
            new("ATW", 770m, now, Open: 756m, High: 772m, Low: 755m, PreviousClose: 755m, Volume: 10_000, ValueTraded: 7_650_000m),
            new("IAM", 114m, now, Open: 120m, High: 120m, Low: 113m, PreviousClose: 120m, Volume: 50_000, ValueTraded: 5_800_000m),
            new("BCP", 323m, now, Open: 323m, High: 323m, Low: 323m, PreviousClose: 323m, Volume: 10, ValueTraded: 3_230m),
        };
        var (ticks, _) = state.Normalizer.Normalize(quotes, "Test");
        await scope.ServiceProvider.GetRequiredService<QuoteStore>().WriteAsync(ticks, CancellationToken.None);
    }

    private async Task<JsonElement> GetJsonAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await Client().GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        return JsonDocument.Parse(body).RootElement;
    }

    [Test]
    public async Task Instruments_lists_the_whole_catalogue()
    {
        var json = await GetJsonAsync("/api/market/instruments");
        Assert.That(json.GetArrayLength(), Is.EqualTo(77));
        var bcp = json.EnumerateArray().Single(i => i.GetProperty("ticker").GetString() == "BCP");
        Assert.That(bcp.GetProperty("currency").GetString(), Is.EqualTo("MAD"));
        Assert.That(bcp.GetProperty("exchange").GetString(), Is.EqualTo("XCAS"));
    }

    [Test]
    public async Task One_instrument_has_its_quote_and_key_figures()
    {
        var json = await GetJsonAsync("/api/market/instruments/atw");
        Assert.That(json.GetProperty("instrument").GetProperty("isin").GetString(), Is.EqualTo("MA0000012445"));
        var quote = json.GetProperty("quote");
        Assert.That(quote.GetProperty("last").GetDecimal(), Is.EqualTo(770m));
        Assert.That(quote.GetProperty("changePercent").GetDecimal(), Is.EqualTo(1.9868m));
        Assert.That(json.GetProperty("marketCap").GetDecimal(), Is.EqualTo(770m * 215_140_839));
        Assert.That(json.GetProperty("yearHigh").GetDecimal(), Is.GreaterThanOrEqualTo(json.GetProperty("yearLow").GetDecimal()));
    }

    [Test]
    public async Task Unknown_tickers_are_404_problem_details()
    {
        var json = await GetJsonAsync("/api/market/instruments/NOPE", HttpStatusCode.NotFound);
        Assert.That(json.GetProperty("detail").GetString(), Is.EqualTo("No instrument with the ticker NOPE."));
        json = await GetJsonAsync("/api/market/quotes?tickers=ATW,NOPE,ZZZ", HttpStatusCode.NotFound);
        Assert.That(json.GetProperty("detail").GetString(), Is.EqualTo("No instrument with the ticker NOPE, ZZZ."));
        await GetJsonAsync("/api/market/history/NOPE?range=1M", HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Quotes_come_back_in_the_order_asked()
    {
        var json = await GetJsonAsync("/api/market/quotes?tickers=iam, ATW");
        Assert.That(json.EnumerateArray().Select(q => q.GetProperty("ticker").GetString()), Is.EqualTo(new[] { "IAM", "ATW" }));
        var empty = await GetJsonAsync("/api/market/quotes?tickers=", HttpStatusCode.BadRequest);
        Assert.That(empty.GetProperty("errors").GetProperty("tickers")[0].GetString(), Is.EqualTo("Give at least one ticker, e.g. tickers=IAM,ATW."));
    }

    [TestCase("1W")]
    [TestCase("1M")]
    [TestCase("3M")]
    [TestCase("6M")]
    [TestCase("1Y")]
    [TestCase("5Y")]
    public async Task Every_range_returns_daily_history_in_time_order(string range)
    {
        var json = await GetJsonAsync($"/api/market/history/ATW?range={range}&interval=1d");
        var times = json.GetProperty("bars").EnumerateArray().Select(b => b.GetProperty("time").GetInt64()).ToList();
        Assert.That(times, Is.Not.Empty.And.Ordered.And.Unique);
        var expectedDays = range switch { "1W" => 7, "1M" => 31, "3M" => 92, "6M" => 183, "1Y" => 366, _ => 5 * 366 };
        Assert.That(DateTimeOffset.FromUnixTimeSeconds(times[0]), Is.GreaterThanOrEqualTo(DateTimeOffset.UtcNow.AddDays(-expectedDays - 1)));
    }

    [Test]
    public async Task The_intraday_range_has_minute_bars_and_weekly_bars_summarise_five_years()
    {
        var intraday = await GetJsonAsync("/api/market/history/ATW?range=1D");
        Assert.That(intraday.GetProperty("interval").GetString(), Is.EqualTo("1m"));
        var bar = intraday.GetProperty("bars").EnumerateArray().Last();
        Assert.That(bar.GetProperty("close").GetDecimal(), Is.EqualTo(770m));
        var weekly = await GetJsonAsync("/api/market/history/ATW?range=5Y&interval=1w");
        Assert.That(weekly.GetProperty("bars").GetArrayLength(), Is.InRange(250, 265));
    }

    [Test]
    public async Task Bad_ranges_and_intervals_are_400_with_the_allowed_values()
    {
        var json = await GetJsonAsync("/api/market/history/ATW?range=2Y", HttpStatusCode.BadRequest);
        Assert.That(json.GetProperty("errors").GetProperty("range")[0].GetString(), Is.EqualTo("Unknown range. Use one of: 1D, 1W, 1M, 3M, 6M, 1Y, 5Y."));
        json = await GetJsonAsync("/api/market/history/ATW?range=1D&interval=1w", HttpStatusCode.BadRequest);
        Assert.That(json.GetProperty("errors").GetProperty("interval")[0].GetString(), Is.EqualTo("This range allows these intervals: 1m, 5m."));
    }

    [Test]
    public async Task Movers_rank_gainers_losers_and_the_most_traded()
    {
        var json = await GetJsonAsync("/api/market/movers");
        Assert.That(json.GetProperty("gainers")[0].GetProperty("ticker").GetString(), Is.EqualTo("ATW"));
        Assert.That(json.GetProperty("losers")[0].GetProperty("ticker").GetString(), Is.EqualTo("IAM"));
        Assert.That(json.GetProperty("mostActive").EnumerateArray().Select(q => q.GetProperty("ticker").GetString()), Is.EqualTo(new[] { "ATW", "IAM", "BCP" }));
        Assert.That(json.GetProperty("gainers").EnumerateArray().Any(q => q.GetProperty("ticker").GetString() == "BCP"), Is.False, "unchanged is not a gain");
    }

    [Test]
    public async Task Indices_are_all_listed_and_a_computed_level_says_so()
    {
        var json = await GetJsonAsync("/api/market/indices");
        Assert.That(json.GetArrayLength(), Is.EqualTo(34));
        Assert.That(json[0].GetProperty("name").GetString(), Is.EqualTo("MASI"));
    }

    [Test]
    public async Task Status_reports_the_phase_and_that_prices_are_simulated()
    {
        var json = await GetJsonAsync("/api/market/status");
        Assert.That(Enum.GetNames<MarketWatch.Web.Features.Market.Calendar.MarketPhase>(), Does.Contain(json.GetProperty("phase").GetString()));
        Assert.That(json.GetProperty("simulated").GetBoolean(), Is.True);
        Assert.That(json.GetProperty("nextOpen").GetDateTimeOffset(), Is.GreaterThan(DateTimeOffset.UtcNow));
    }

    [TestCase("attij", "ATW")]
    [TestCase("ATTIJARIWAFA", "ATW")]
    [TestCase("societe des boissons", "SBM")]
    [TestCase("MA0000011488", "IAM")]
    [TestCase("iam", "IAM")]
    public async Task Search_is_accent_and_case_insensitive_by_ticker_name_or_isin(string query, string first)
    {
        var json = await GetJsonAsync("/api/market/search?q=" + Uri.EscapeDataString(query));
        Assert.That(json[0].GetProperty("ticker").GetString(), Is.EqualTo(first));
    }

    [Test]
    public async Task An_empty_search_is_a_field_error()
    {
        var json = await GetJsonAsync("/api/market/search?q=", HttpStatusCode.BadRequest);
        Assert.That(json.GetProperty("errors").GetProperty("q")[0].GetString(), Is.EqualTo("Type a ticker, a name or an ISIN."));
    }
}
