using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MarketWatch.Web.Features.Market;

namespace MarketWatch.Bench;

/// <summary>The live-price benchmarks: SSE fan-out, the watchlist page against a bare endpoint, tick-to-screen in a browser.</summary>
public static class LiveBenchmarks
{
    private static readonly byte[] TimeMarker = Encoding.ASCII.GetBytes("data-time=\"");

    /// <summary>N raw SSE clients on the overview stream of 20 tickers, each ticking 10 times a second through PostgreSQL.</summary>
    public static async Task SseFanOutAsync(BenchEnvironment bench, int[] clientCounts, TimeSpan measure)
    {
        var tickers = Catalogue.Equities().Take(20).Select(e => e.Ticker).ToList();
        var request = Encoding.ASCII.GetBytes(
            $"GET /stream/quotes?view=row&tickers={string.Join(",", tickers)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nX-Forwarded-Proto: https\r\n\r\n");
        using var writing = new CancellationTokenSource();
        var writer = Task.Run(() => new TickWriter(bench.App.Services, tickers, 10).RunAsync(writing.Token));
        await Task.Delay(1000);
        var idle = bench.ServerMemory();
        Console.WriteLine($"| clients | events received | events/s | latency p50 (ms) | p99 (ms) | server memory (MB) | per client (KB) |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var count in clientCounts)
        {
            var histogram = new LatencyHistogram();
            using var stop = new CancellationTokenSource();
            var endpoint = new IPEndPoint(IPAddress.Loopback, bench.ServerUrl!.Port);
            var clients = new List<Task>(count);
            for (var i = 0; i < count; i++)
            {
                clients.Add(Task.Run(() => ClientAsync(endpoint, request, histogram, stop.Token)));
                if (i % 200 == 199)
                {
                    await Task.Delay(50);
                }
            }
            await Task.Delay(TimeSpan.FromSeconds(3));
            histogram.Recording = true;
            var clock = Stopwatch.StartNew();
            await Task.Delay(measure);
            histogram.Recording = false;
            var memory = bench.ServerMemory();
            var events = histogram.Count;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {count:N0} | {events:N0} | {events / clock.Elapsed.TotalSeconds:N0} | {histogram.Percentile(0.50)} | {histogram.Percentile(0.99)} | {memory / 1048576.0:N0} | {(memory - idle) / 1024.0 / count:N1} |"));
            await stop.CancelAsync();
            await Task.WhenAll(clients).ContinueWith(_ => { }, TaskScheduler.Default);
            await Task.Delay(2000);
        }
        await writing.CancelAsync();
        await writer.ContinueWith(_ => { }, TaskScheduler.Default);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\nServer memory with no client: {idle / 1048576.0:N0} MB. Latency: from the tick's time (stored, NOTIFY, LISTEN, render, send) to the client reading it."));
    }

    /// <summary>Reads the stream and records, for every row, now minus the quote time the row carries.</summary>
    private static async Task ClientAsync(IPEndPoint endpoint, byte[] request, LatencyHistogram histogram, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            await socket.SendAsync(request, SocketFlags.None, cancellationToken);
            var buffer = new byte[16 * 1024];
            var matched = 0;
            long value = 0;
            var inNumber = false;
            while (!cancellationToken.IsCancellationRequested)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    return;
                }
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                for (var i = 0; i < read; i++)
                {
                    var b = buffer[i];
                    if (inNumber)
                    {
                        if (b is >= (byte)'0' and <= (byte)'9')
                        {
                            value = value * 10 + (b - '0');
                            continue;
                        }
                        histogram.Record(now - value);
                        inNumber = false;
                        value = 0;
                    }
                    matched = b == TimeMarker[matched] ? matched + 1 : b == TimeMarker[0] ? 1 : 0;
                    if (matched == TimeMarker.Length)
                    {
                        inNumber = true;
                        matched = 0;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>The watchlist page with 50 rows against /health/live, same client, same concurrency, alternating, in one run.</summary>
    public static async Task WatchlistPageAsync(BenchEnvironment bench, int concurrency, TimeSpan each)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = bench.ServerUrl };
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var email = $"bench-{Guid.NewGuid():N}@example.com";
        (await http.PostAsJsonAsync("/api/auth/register", new { email, password = "Bench-2026-Load", displayName = "Bench" })).EnsureSuccessStatusCode();
        var login = await (await http.PostAsJsonAsync("/api/auth/login", new { email, password = "Bench-2026-Load" })).Content.ReadFromJsonAsync<JsonElement>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        var list = await (await http.PostAsJsonAsync("/api/watchlists", new { name = "Fifty" })).Content.ReadFromJsonAsync<JsonElement>();
        var id = list.GetProperty("id").GetInt32();
        foreach (var ticker in Catalogue.Equities().Take(50).Select(e => e.Ticker))
        {
            (await http.PostAsJsonAsync($"/api/watchlists/{id}/items", new { ticker, note = "bench note", targetPrice = 100m })).EnsureSuccessStatusCode();
        }
        using var writing = new CancellationTokenSource();
        var writer = Task.Run(() => new TickWriter(bench.App.Services, Catalogue.Equities().Take(50).Select(e => e.Ticker).ToList(), 1).RunAsync(writing.Token));
        var page = await http.GetStringAsync($"/watchlists/{id}");
        if (System.Text.RegularExpressions.Regex.Matches(page, "<tr id=\"row-").Count != 50)
        {
            throw new InvalidOperationException("The page does not show 50 rows.");
        }
        Console.WriteLine($"| endpoint | round | requests | requests/s | p50 (ms) | p95 (ms) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        var results = new Dictionary<string, List<double>>();
        for (var round = 1; round <= 2; round++)
        {
            foreach (var (name, path) in new[]
                     {
                         ("/health/live (bare, anonymous)", "/health/live#anonymous"),
                         ("/health/live (bare, bearer token)", "/health/live"),
                         ("/watchlists/{id} (50 rows, bearer token)", $"/watchlists/{id}"),
                     })
            {
                var (count, rps, p50, p95) = await LoadAsync(http, path, concurrency, each);
                (results.TryGetValue(name, out var l) ? l : results[name] = []).Add(rps);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {round} | {count:N0} | {rps:N0} | {p50:N1} | {p95:N1} |"));
            }
        }
        await writing.CancelAsync();
        await writer.ContinueWith(_ => { }, TaskScheduler.Default);
        var bare = results["/health/live (bare, bearer token)"].Average();
        var pageRps = results.Last().Value.Average();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"\nWatchlist page / bare endpoint (same bearer token) throughput: {pageRps / bare:P1} ({concurrency} concurrent requests, {each.TotalSeconds:0} s each, averaged over both rounds)"));
    }

    private static async Task<(int Count, double Rps, double P50, double P95)> LoadAsync(HttpClient http, string path, int concurrency, TimeSpan duration)
    {
        var anonymous = path.EndsWith("#anonymous", StringComparison.Ordinal);
        path = path.Replace("#anonymous", "", StringComparison.Ordinal);
        var latencies = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                if (anonymous)
                {
                    request.Headers.Authorization = null;
                    request.Headers.TryAddWithoutValidation("Authorization", Array.Empty<string>());
                }
                using var response = anonymous
                    ? await AnonymousClient(http).SendAsync(request, HttpCompletionOption.ResponseContentRead)
                    : await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                response.EnsureSuccessStatusCode();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToList();
        return (all.Count, all.Count / clock.Elapsed.TotalSeconds, all[all.Count / 2], all[(int)(all.Count * 0.95)]);
    }

    private static HttpClient? _anonymous;

    private static HttpClient AnonymousClient(HttpClient signedIn)
    {
        if (_anonymous is null)
        {
            _anonymous = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = signedIn.BaseAddress };
            _anonymous.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        }
        return _anonymous;
    }

    /// <summary>Tick-to-screen in Chromium: the instrument page's price, 10 ticks a second; now minus the quote's time when the DOM changes.</summary>
    public static async Task BrowserAsync(BenchEnvironment bench, TimeSpan measure)
    {
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new()
        {
            BaseURL = bench.ServerUrl!.ToString(),
            ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Forwarded-Proto"] = "https" },
        });
        using var writing = new CancellationTokenSource();
        var writer = Task.Run(() => new TickWriter(bench.App.Services, ["ATW"], 10).RunAsync(writing.Token));
        await page.GotoAsync("/stocks/ATW");
        await page.WaitForSelectorAsync("[data-live-status][data-state=live]");
        await page.EvaluateAsync("""
            () => {
              window.__latencies = [];
              new MutationObserver(records => {
                const now = Date.now();
                for (const r of records) for (const n of r.addedNodes)
                  if (n.nodeType === 1 && n.dataset && n.dataset.time) window.__latencies.push(now - Number(n.dataset.time));
              }).observe(document.body, { childList: true, subtree: true });
            }
            """);
        await Task.Delay(measure);
        var samples = (await page.EvaluateAsync<double[]>("window.__latencies")).Order().ToList();
        await writing.CancelAsync();
        await writer.ContinueWith(_ => { }, TaskScheduler.Default);
        if (samples.Count == 0)
        {
            throw new InvalidOperationException("No update reached the page.");
        }
        Console.WriteLine("| samples | p50 (ms) | p99 (ms) | max (ms) |");
        Console.WriteLine("| ---: | ---: | ---: | ---: |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {samples.Count} | {samples[samples.Count / 2]:0} | {samples[Math.Min(samples.Count - 1, (int)(samples.Count * 0.99))]:0} | {samples[^1]:0} |"));
        Console.WriteLine("\nFrom the tick's time (before it is stored) to the row being in the page's DOM: store + NOTIFY + LISTEN + query + render + SSE + htmx swap.");
    }
}
