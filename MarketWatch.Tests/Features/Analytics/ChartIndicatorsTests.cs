using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Analytics;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MarketWatch.Tests.Features.Analytics;

/// <summary>
/// <c>/analytics/chart/{ticker}</c> and <c>/analytics/watchlists/{id}</c>: their numbers are the one library's on the same
/// bars (read back here from the database), bad parameters are 400 problems naming the parameter, strangers get 404s.
/// </summary>
public sealed class ChartIndicatorsTests : AppTest
{
    private async Task<(InstrumentBars Bars, DateOnly Session)> BarsAsync(string ticker, DateOnly from)
    {
        var id = await App.WithDbAsync(db => db.Set<Instrument>().Where(i => i.Ticker == ticker).Select(i => i.Id).SingleAsync());
        var session = App.Services.GetRequiredService<PerformanceMarket>().Session();
        await using var connection = await App.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        var bars = await MarketMetrics.ReadBarsAsync(connection, from, session, CancellationToken.None, [id]);
        return (bars[id], session);
    }

    private static double?[] Doubles(JsonElement array) =>
        [.. array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (double?)null : v.GetDouble())];

    private static void AssertTail(double?[] expected, JsonElement actual, string what)
    {
        var got = Doubles(actual);
        var tail = expected[^got.Length..];
        Assert.That(got, Has.Length.GreaterThan(60), what);
        Assert.That(got[0], Is.Not.Null, $"{what}: the first visible value is defined (warm-up history)");
        for (var i = 0; i < got.Length; i++)
        {
            Assert.That(got[i], Is.EqualTo(tail[i]).Within(1e-9), $"{what} at visible point {i}");
        }
    }

    // Each after a request of another range of the same stock: the bars of closed sessions are read once (the longest range)
    // and sliced per request, so every range must still be the library's on exactly its own bars.
    [TestCase("6M")]
    [TestCase("3M")]
    public async Task The_chart_series_are_the_librarys_on_the_same_bars(string range)
    {
        (await App.CreateClient().GetAsync("/analytics/chart/ATW?range=1Y&overlays=sma:20")).EnsureSuccessStatusCode();
        var response = await App.CreateClient().GetAsync($"/analytics/chart/atw?range={range}&overlays=sma:50,ema:20,bb:20&panes=volume,rsi:14,macd");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.That(body.GetProperty("ticker").GetString(), Is.EqualTo("ATW"));
        var warmupFrom = DateOnly.Parse(body.GetProperty("warmupFrom").GetString()!, CultureInfo.InvariantCulture);
        var (bars, session) = await BarsAsync("ATW", warmupFrom);
        var closes = bars.Closes.ToList();
        var visibleCloses = Doubles(body.GetProperty("closes"));
        if (body.GetProperty("live").GetBoolean())
        {
            closes.Add(visibleCloses[^1]!.Value); // today's session at the live price, as the last point
        }
        var all = closes.ToArray();
        var times = body.GetProperty("times").EnumerateArray().Select(t => t.GetInt64()).ToArray();
        Assert.That(times, Has.Length.EqualTo(visibleCloses.Length));
        Assert.That(times, Is.Ordered.Ascending);

        // The visible sessions are the market history's daily bars of the same range (the candles the lines lie on).
        var history = JsonDocument.Parse(await App.CreateClient().GetStringAsync($"/api/market/history/ATW?range={range}&interval=1d")).RootElement;
        var sessionStart = new DateTimeOffset(session.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
        var candles = history.GetProperty("bars").EnumerateArray().Select(b => b.GetProperty("time").GetInt64()).Where(t => t < sessionStart);
        Assert.That(times.Where(t => t < sessionStart), Is.EqualTo(candles));

        var overlays = body.GetProperty("overlays").EnumerateArray().ToDictionary(o => o.GetProperty("key").GetString()!);
        Assert.That(overlays.Keys, Is.EquivalentTo(new[] { "sma:50", "ema:20", "bb:20:2" }));
        AssertTail(Indicators.Sma(all, 50), overlays["sma:50"].GetProperty("values"), "SMA 50");
        AssertTail(Indicators.Ema(all, 20), overlays["ema:20"].GetProperty("values"), "EMA 20");
        var bands = Indicators.Bollinger(all, 20, 2);
        AssertTail(bands.Middle, overlays["bb:20:2"].GetProperty("values"), "Bollinger middle");
        AssertTail(bands.Upper, overlays["bb:20:2"].GetProperty("upper"), "Bollinger upper");
        AssertTail(bands.Lower, overlays["bb:20:2"].GetProperty("lower"), "Bollinger lower");

        var panes = body.GetProperty("panes").EnumerateArray().ToDictionary(p => p.GetProperty("kind").GetString()!);
        Assert.That(panes.Keys, Is.EqualTo(new[] { "volume", "rsi", "macd" }), "in the order asked");
        AssertTail(Indicators.Rsi(all, 14), panes["rsi"].GetProperty("values"), "RSI 14");
        Assert.That(Doubles(panes["rsi"].GetProperty("levels")), Is.EqualTo(new double?[] { 30, 70 }));
        var macd = Indicators.Macd(all, 12, 26, 9);
        AssertTail(macd.Line, panes["macd"].GetProperty("values"), "MACD line");
        AssertTail(macd.Signal, panes["macd"].GetProperty("signal"), "MACD signal");
        AssertTail(macd.Histogram, panes["macd"].GetProperty("histogram"), "MACD histogram");
        Assert.That(Doubles(panes["volume"].GetProperty("values")), Has.Length.EqualTo(times.Length));
    }

    [TestCase("2026-01-05", new[] { "2026-01-05", "2026-01-06", "2026-01-07" }, TestName = "A slice from a session starts at it")]
    [TestCase("2026-01-03", new[] { "2026-01-05", "2026-01-06", "2026-01-07" }, TestName = "A slice from a weekend starts at the next session")]
    [TestCase("2026-01-06", new[] { "2026-01-06", "2026-01-07" }, TestName = "A slice drops the sessions before it")]
    [TestCase("2026-01-08", new string[0], TestName = "A slice after the last session is empty")]
    public void Cached_bars_are_sliced_from_the_first_session_on_or_after_the_date(string from, string[] expected)
    {
        var dates = new[] { new DateOnly(2026, 1, 5), new DateOnly(2026, 1, 6), new DateOnly(2026, 1, 7) };
        var bars = new InstrumentBars(7, dates, [1, 2, 3], [11, 12, 13], [0.5, 1.5, 2.5], [10, 20, 30], [100, 200, 300]);
        var slice = ChartBars.Slice(bars, DateOnly.Parse(from, CultureInfo.InvariantCulture));
        Assert.That(slice.Dates.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), Is.EqualTo(expected));
        var skipped = 3 - expected.Length;
        Assert.That(slice.Closes, Is.EqualTo(bars.Closes.Skip(skipped)));
        Assert.That(slice.Volumes, Is.EqualTo(bars.Volumes.Skip(skipped)));
        Assert.That(slice.Opens, Is.EqualTo(bars.Opens.Skip(skipped)));
        Assert.That(slice.Highs, Is.EqualTo(bars.Highs.Skip(skipped)));
        Assert.That(slice.Lows, Is.EqualTo(bars.Lows.Skip(skipped)));
        if (slice.Closes.Length > 0)
        {
            slice.Closes[0] = -1;
            Assert.That(bars.Closes, Does.Not.Contain(-1.0), "a slice is a copy: the cached bars are never changed by a caller");
        }
    }

    [TestCase("range=1D", "range")]
    [TestCase("range=2Q", "range")]
    [TestCase("overlays=sma:1", "overlays")]
    [TestCase("overlays=sma:500", "overlays")]
    [TestCase("overlays=wma:10", "overlays")]
    [TestCase("overlays=sma", "overlays")]
    [TestCase("overlays=bb:20:9", "overlays")]
    [TestCase("panes=rsi:x", "panes")]
    [TestCase("panes=macd:26:12:9", "panes")]
    [TestCase("panes=obv", "panes")]
    public async Task A_bad_parameter_is_a_400_problem_naming_it(string query, string field)
    {
        var response = await App.CreateClient().GetAsync($"/analytics/chart/ATW?{query}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.That(errors.TryGetProperty(field, out var messages) && messages[0].GetString()!.Length > 0, text);
    }

    [Test]
    public async Task An_unknown_ticker_is_a_404_problem()
    {
        var response = await App.CreateClient().GetAsync("/analytics/chart/NOPE?range=3M&overlays=sma:20");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    private async Task<(HttpClient Client, string UserId)> SignedInAsync(string prefix)
    {
        var client = Client();
        var email = NewEmail(prefix);
        await RegisterAsync(client, email);
        await SignInAsync(client, email);
        var user = await App.FindUserAsync(email);
        return (client, user!.Id);
    }

    private Task<int> ListAsync(string userId, params string[] tickers) => App.WithDbAsync(async db =>
    {
        var ids = await db.Set<Instrument>().Where(i => tickers.Contains(i.Ticker)).ToDictionaryAsync(i => i.Ticker, i => i.Id);
        var list = new Watchlist
        {
            UserId = userId, Name = "Analytics " + Guid.NewGuid().ToString("N")[..6], CreatedAt = DateTimeOffset.UtcNow,
            Items = [.. tickers.Select((t, n) => new WatchlistItem { InstrumentId = ids[t], Position = n, AddedAt = DateTimeOffset.UtcNow })],
        };
        db.Add(list);
        await db.SaveChangesAsync();
        return list.Id;
    });

    [TestCase("3M", Period.M3)]
    [TestCase("1Y", Period.Y1)]
    public async Task The_watchlist_correlation_is_the_librarys_on_the_two_stocks_bars(string code, Period period)
    {
        var (client, userId) = await SignedInAsync("corr");
        var id = await ListAsync(userId, "ATW", "IAM");
        var request = new HttpRequestMessage(HttpMethod.Get, $"/analytics/watchlists/{id}?period={code}");
        request.Headers.Add("HX-Request", "true");
        var response = await client.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        Assert.That(html, Does.Not.Contain("<html"), "the fragment alone for htmx");
        Assert.That(html, Does.Contain($"data-period=\"{code}\""));
        var cell = Regex.Match(html, "data-a=\"ATW\" data-b=\"IAM\"\\s+data-value=\"([^\"]+)\"");
        Assert.That(cell.Success, html);
        var shown = double.Parse(cell.Groups[1].Value, CultureInfo.InvariantCulture);

        var session = App.Services.GetRequiredService<PerformanceMarket>().Session();
        var start = MetricsCalculator.Start(period, session);
        var (atw, _) = await BarsAsync("ATW", start.AddDays(-14));
        var (iam, _) = await BarsAsync("IAM", start.AddDays(-14));
        // Each from its last session on or before the start, on the dates both traded.
        var a = atw.Dates.Select((d, i) => (d, c: atw.Closes[i])).SkipWhile((x, i) => i < Math.Max(0, MetricsCalculator.OnOrBefore(atw.Dates, start))).ToDictionary(x => x.d, x => x.c);
        var b = iam.Dates.Select((d, i) => (d, c: iam.Closes[i])).SkipWhile((x, i) => i < Math.Max(0, MetricsCalculator.OnOrBefore(iam.Dates, start))).ToDictionary(x => x.d, x => x.c);
        var common = a.Keys.Intersect(b.Keys).Order().ToArray();
        Assert.That(common, Has.Length.GreaterThan(40));
        var expected = Indicators.Correlation([.. common.Select(d => a[d])], [.. common.Select(d => b[d])]);
        Assert.That(shown, Is.EqualTo(expected!.Value).Within(1e-12));
        Assert.That(html, Does.Contain("data-a=\"IAM\" data-b=\"ATW\""), "the matrix is symmetric");
        // Volatility of each stock: the library's on its closes over the period.
        var volatility = Indicators.Volatility([.. a.Values])!.Value;
        Assert.That(html, Does.Contain(Format(volatility)));
    }

    private static string Format(double volatility) =>
        Math.Round((decimal)volatility * 100, 2).ToString("N2", CultureInfo.GetCultureInfo("en")) + " %";

    [Test]
    public async Task A_list_longer_than_the_cap_shows_its_first_30_stocks_with_a_note()
    {
        var (client, me) = await SignedInAsync("cap");
        var tickers = await App.WithDbAsync(db => db.Set<Instrument>().Where(i => i.IsActive).OrderBy(i => i.Ticker).Select(i => i.Ticker).Take(31).ToArrayAsync());
        Assert.That(tickers, Has.Length.EqualTo(31), "the test catalogue has enough stocks");
        var id = await ListAsync(me, tickers);
        var html = await client.GetStringAsync($"/analytics/watchlists/{id}");
        Assert.That(html, Does.Contain("data-testid=\"analytics-cap\"").And.Contain("31"));
        Assert.That(Regex.Matches(html, "<tr data-ticker=").Count, Is.EqualTo(WatchlistAnalytics.MaxStocks));
        Assert.That(Regex.Matches(html, "<td class=\"num corr ").Count, Is.EqualTo(WatchlistAnalytics.MaxStocks * WatchlistAnalytics.MaxStocks));
        Assert.That(html, Does.Not.Contain($"data-ticker=\"{tickers[^1]}\""), "the 31st stock in the list's order is left out");
    }

    [Test]
    public async Task Another_users_list_is_a_404_and_a_bad_period_a_400()
    {
        var (_, owner) = await SignedInAsync("owner");
        var id = await ListAsync(owner, "ATW", "IAM");
        var (stranger, _) = await SignedInAsync("stranger");
        Assert.That((await stranger.GetAsync($"/analytics/watchlists/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var (client, me) = await SignedInAsync("period");
        var mine = await ListAsync(me, "ATW");
        var bad = await client.GetAsync($"/analytics/watchlists/{mine}?period=5Y");
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await bad.Content.ReadAsStringAsync(), Does.Contain("period"));
        var page = await client.GetAsync($"/analytics/watchlists/{mine}");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("<html").And.Contain("data-testid=\"risk-table\""));
    }
}
