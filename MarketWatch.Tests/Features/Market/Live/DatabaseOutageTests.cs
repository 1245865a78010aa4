using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market.Live;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MarketWatch.Tests.Features.Market.Live;

/// <summary>
/// PostgreSQL stopped for 15 s, then started, under the running app (its own private cluster): fast 503s with
/// Retry-After during the outage (a page for browsers, problem+json for the API), readiness that says so, never a 500,
/// and fresh prices on the stream that stayed open within 3 s of the restart.
/// </summary>
[NonParallelizable]
public sealed partial class DatabaseOutageTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(15);

    private sealed record Sample(string Probe, TimeSpan At, int Status, TimeSpan Took, string? RetryAfter, string? ContentType, string? Body);

    [Test]
    public async Task A_15_second_outage_answers_fast_503s_and_prices_resume_on_the_open_stream_within_3_seconds_of_the_restart()
    {
        await using var cluster = await PrivateCluster.CreateAsync("marketwatch");
        var app = new MarketWatchFactory("marketwatch", migrate: true, kestrel: true, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = cluster.ConnectionString("marketwatch"),
            ["MarketData:Ingest"] = "true",
            ["MarketData:Simulated:DemoMode"] = "true",
            ["MarketData:Simulated:TickIntervalMs"] = "200",
            ["MarketData:Simulated:HistoryYears"] = "1",
        });
        try
        {
            var address = app.ServerAddress;
            var health = app.Services.GetRequiredService<DatabaseHealth>();
            var engine = app.Services.GetRequiredService<AlertEngine>();
            await Eventually.TrueAsync(() => health.Listeners.Count >= 3 && health.Listeners.All(l => l.Up), "every LISTEN connection up");
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
            using var streaming = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
            using var stream = await SseClient.ConnectAsync(streaming, "/stream/quotes?tickers=ATW&view=price");
            var started = DateTimeOffset.UtcNow;
            Assert.That(await NextFreshPriceAsync(stream, started, TimeSpan.FromSeconds(30)), Is.Not.Null, "prices flow before the outage");
            await Eventually.TrueAsync(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "ready before the outage");

            // A browser's page, an API route and a new stream, polled from before the stop until after the start.
            var clock = Stopwatch.StartNew();
            var samples = new ConcurrentQueue<Sample>();
            using var polling = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var pollers = new[]
            {
                PollAsync(http, "page", "/stocks/ATW", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", clock, samples, polling.Token),
                PollAsync(http, "api", "/api/market/instruments/ATW", "application/json", clock, samples, polling.Token),
                PollAsync(http, "stream", "/stream/quotes?tickers=IAM", "text/event-stream", clock, samples, polling.Token),
            };
            var reloads = engine.FullLoads;
            var connections = health.Listeners.ToDictionary(l => l.Name, l => l.Connections);

            var stoppedAt = DateTimeOffset.UtcNow;
            await cluster.StopAsync("fast");
            var stoppedAtClock = clock.Elapsed;
            var ready = await Eventually.ValueAsync(() => ReadyAsync(http), r => r.Status == 503, "readiness to fail during the outage", TimeSpan.FromSeconds(10));
            Assert.That(ready.Checks["postgresql"], Is.EqualTo("Unhealthy"));
            Assert.That(ready.Checks["listeners"], Is.EqualTo("Degraded"), "the LISTEN connections are down");
            await Eventually.TrueAsync(() => samples.Any(s => s.Probe == "page" && s.Status == 503) && samples.Any(s => s.Probe == "api" && s.Status == 503),
                "503s for the page and the API", Outage);
            // In the reader's language, right to left for Arabic.
            using (var arabic = new HttpRequestMessage(HttpMethod.Get, "/stocks/IAM"))
            {
                arabic.Headers.Accept.ParseAdd("text/html");
                arabic.Headers.AcceptLanguage.ParseAdd("ar");
                using var response = await http.SendAsync(arabic);
                Assert.That((int)response.StatusCode, Is.EqualTo(503));
                Assert.That(WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), Does.Contain("dir=\"rtl\"").And.Contain("غير متاح"));
            }
            // The outage lasts until every probe (page, API, new stream) has been answered at least 15 s into it.
            await Eventually.TrueAsync(() => new[] { "page", "api", "stream" }.All(probe => samples.Any(s => s.Probe == probe && s.At >= stoppedAtClock + Outage)),
                "every probe to be answered 15 s into the outage", Outage + Eventually.DefaultTimeout);

            // The outage ends when the start begins: a request retrying across it may succeed before pg_ctl returns.
            var startingAtClock = clock.Elapsed;
            await cluster.StartAsync();
            var restartedAt = Stopwatch.StartNew();
            var startedAtClock = clock.Elapsed;
            var fresh = await NextFreshPriceAsync(stream, stoppedAt, TimeSpan.FromSeconds(30));
            var freshAfter = restartedAt.Elapsed;
            TestContext.Progress.WriteLine($"fresh price on the open stream {freshAfter.TotalSeconds:0.00} s after PostgreSQL started");
            Assert.That(fresh, Is.Not.Null, "a price stored after the restart reaches the stream that stayed open");
            Assert.That(freshAfter, Is.LessThan(TimeSpan.FromSeconds(3)), "fresh prices within 3 s of the start");

            await Eventually.TrueAsync(() => engine.FullLoads > reloads, "the alert engine to reload armed alerts and market memory");
            await Eventually.TrueAsync(() => health.Listeners.All(l => l.Up && l.Connections > connections[l.Name]), "every LISTEN connection to come back");
            await Eventually.TrueAsync(async () => (await ReadyAsync(http)).Status == 200, "ready again");
            await Eventually.TrueAsync(() => samples.Any(s => s.Probe == "page" && s.Status == 200 && s.At > startedAtClock)
                                             && samples.Any(s => s.Probe == "api" && s.Status == 200 && s.At > startedAtClock), "pages and API answer again");
            await polling.CancelAsync();
            await Task.WhenAll(pollers);

            var all = samples.ToList();
            Assert.That(all.Where(s => s.Status >= 500 && s.Status != 503).Select(s => $"{s.Probe} {s.Status} at {s.At.TotalSeconds:0.0} s"), Is.Empty,
                "no 500 at any time");
            var during = all.Where(s => s.At > stoppedAtClock && s.At + s.Took < startingAtClock).ToList();
            Assert.That(during.Where(s => s.Status != 503).Select(s => $"{s.Probe} {s.Status}"), Is.Empty, "everything answers 503 while the database is down");
            Assert.That(during.Where(s => s.RetryAfter is null), Is.Empty, "every 503 says when to retry");
            var page = during.First(s => s.Probe == "page");
            Assert.That(page.ContentType, Is.EqualTo("text/html"));
            Assert.That(page.Body, Does.Contain("data-testid=\"unavailable\"").And.Contain("<html"), "browsers get a page with the layout");
            var api = during.First(s => s.Probe == "api");
            Assert.That(api.ContentType, Is.EqualTo("application/problem+json"));
            Assert.That(JsonDocument.Parse(api.Body!).RootElement.GetProperty("status").GetInt32(), Is.EqualTo(503));
            Assert.That(during.First(s => s.Probe == "stream").ContentType, Is.EqualTo("application/problem+json"), "a stream asked for during the outage");
            var slowest = during.Max(s => s.Took);
            var typical = during.Select(s => s.Took).Order().ElementAt(during.Count / 2);
            TestContext.Progress.WriteLine($"{during.Count} requests during the outage, all 503: median {typical.TotalMilliseconds:0} ms, slowest {slowest.TotalMilliseconds:0} ms");
            Assert.That(slowest, Is.LessThan(TimeSpan.FromSeconds(3)), "503s come fast, not after seconds of retries");
        }
        finally
        {
            await app.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
        }
    }

    /// <summary>The next price event whose quote time is after <paramref name="after"/> (a tick stored then), or null.</summary>
    private static async Task<SseEvent?> NextFreshPriceAsync(SseClient stream, DateTimeOffset after, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await stream.NextAsync(cancel.Token) is { } e)
            {
                if (e.Event == "price-ATW" && QuoteTime().Match(e.Data) is { Success: true } time
                    && DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(time.Groups[1].Value)) > after)
                {
                    return e;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        return null;
    }

    private sealed record Readiness(int Status, Dictionary<string, string> Checks);

    private static async Task<Readiness> ReadyAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/health/ready");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return new Readiness((int)response.StatusCode,
            json.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString()!));
    }

    private static async Task PollAsync(HttpClient http, string probe, string path, string accept, Stopwatch clock, ConcurrentQueue<Sample> samples,
        CancellationToken cancellationToken)
    {
        for (var round = 0; round < 2000 && !cancellationToken.IsCancellationRequested; round++)
        {
            var at = clock.Elapsed;
            var took = Stopwatch.StartNew();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Accept.ParseAdd(accept);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                var elapsed = took.Elapsed;
                // A stream that opens is not read: only its status counts.
                var body = response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? null : await response.Content.ReadAsStringAsync(cancellationToken);
                samples.Enqueue(new Sample(probe, at, (int)response.StatusCode, elapsed, response.Headers.RetryAfter?.ToString(),
                    response.Content.Headers.ContentType?.MediaType, body));
                await Task.Delay(250, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [GeneratedRegex("data-time=\"(\\d+)\"")]
    private static partial Regex QuoteTime();
}
