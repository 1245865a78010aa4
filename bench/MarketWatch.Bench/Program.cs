using System.Globalization;
using MarketWatch.Bench;
using MarketWatch.Web.Features.Market;
using Npgsql;

// Usage (scripts/bench sets ConnectionStrings__Default and raises the open-file limit):
//   ingest  [--batches 2000] [--baseline-batches 100]   ingest throughput against a row-by-row baseline
//   sse     [--clients 1000,5000,10000] [--seconds 10]   SSE fan-out: 20 tickers, 10 ticks a second
//   page    [--concurrency 16] [--seconds 10]            watchlist page (50 rows) against a bare endpoint
//   browser [--seconds 20]                              tick-to-screen latency in Chromium
//   alerts  [--alerts 1000000] [--ticks 20000]          alert engine (in memory) against the SQL sweep, same alerts;
//           [--crossing 1000] [--repetitions 20]        then tick to claimed / to e-mail in the real app ([--no-latency] [--latency-only])
//   delivery [--alerts 2000] [--users 20] [--repetitions 5]   a big firing: tick to every e-mail delivered (outbox dispatcher)
//   ratelimit [--attempts 5000] [--concurrency 16]      one sign-in limiter acquire: PostgreSQL (shared) against in-memory
//   portfolio [--transactions 10000] [--instruments 60] [--runs 50]   performance of a big portfolio (5 years of bars):
//           cold report against a replay-every-day baseline, a tick at 100 and 10,000 transactions, a back-dated insert
//   paper [--orders 100000] [--ticks 20000] [--crossing 1000] [--repetitions 10] [--entries 1000]   paper trading: engine per tick
//           against the sweep's SQL scan, tick to fills committed in the real app, order entry throughput
//   screener [--instruments 10000] [--runs 2000] [--http-runs 500]   screener server time (5 filters + sort) on a synthetic
//           10,000-instrument catalogue and the real one, against naive LINQ and an unfiltered sort; the full HTTP request
//   chart [--runs 500] [--http-runs 500]   the stock page's indicator chart on 5 years of bars: uncached read + compute against
//           the cached bars and the computation alone; the full HTTP request beside a small JSON endpoint
string Option(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
int Int(string name, int fallback) => int.Parse(Option(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
var verb = args.FirstOrDefault() ?? "ingest";

// The portfolio benchmark values five years of daily bars; the others need one.
await using var bench = await BenchEnvironment.CreateAsync(historyYears: verb is "portfolio" or "chart" ? 5 : verb == "screener" ? 3 : 1);
switch (verb)
{
    case "ingest":
        var results = await IngestBenchmark.RunAsync(bench.App.Services, bench.App.Services.GetRequiredService<NpgsqlDataSource>(),
            bench.ConnectionString, Int("--batches", 2000), Int("--baseline-batches", 100));
        Console.WriteLine("| workload | batches | ticks | seconds | ticks/s | batches/s | notifications received |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Batches} | {r.Ticks} | {r.Elapsed.TotalSeconds:0.00} | {r.TicksPerSecond:N0} | {r.BatchesPerSecond:N1} | {r.Notifications} |"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"\nSet-based / row-by-row throughput: {results[0].TicksPerSecond / results[1].TicksPerSecond:0.0}x"));
        break;
    case "sse":
        await bench.StartServerAsync();
        await LiveBenchmarks.SseFanOutAsync(bench, Option("--clients", "1000,5000,10000").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray(),
            TimeSpan.FromSeconds(Int("--seconds", 10)));
        break;
    case "page":
        await bench.StartServerAsync();
        await LiveBenchmarks.WatchlistPageAsync(bench, Int("--concurrency", 16), TimeSpan.FromSeconds(Int("--seconds", 10)));
        break;
    case "browser":
        await bench.StartServerAsync();
        await LiveBenchmarks.BrowserAsync(bench, TimeSpan.FromSeconds(Int("--seconds", 20)));
        break;
    case "alerts":
        if (!args.Contains("--latency-only"))
        {
            await AlertsBenchmark.RunAsync(bench, Int("--alerts", 1_000_000), Int("--ticks", 20_000));
        }
        if (!args.Contains("--no-latency"))
        {
            await AlertLatencyBenchmark.RunAsync(bench, Int("--crossing", 1_000), Int("--repetitions", 20),
                double.Parse(Option("--queue-poll-seconds", "1"), CultureInfo.InvariantCulture));
        }
        break;
    case "delivery":
        await DeliveryBenchmark.RunAsync(bench, Int("--alerts", 2_000), Int("--users", 20), Int("--repetitions", 5));
        break;
    case "ratelimit":
        await RateLimitBenchmark.RunAsync(bench, Int("--attempts", 5_000), Int("--concurrency", 16));
        break;
    case "portfolio":
        await PortfolioBenchmark.RunAsync(bench, Int("--transactions", 10_000), Int("--instruments", 60), Int("--runs", 50));
        break;
    case "paper":
        await PaperBenchmark.RunAsync(bench, Int("--orders", 100_000), Int("--ticks", 20_000), Int("--crossing", 1_000), Int("--repetitions", 10),
            Int("--entries", 1_000));
        break;
    case "screener":
        await ScreenerBenchmark.RunAsync(bench, Int("--instruments", 10_000), Int("--runs", 2_000), Int("--http-runs", 500));
        break;
    case "chart":
        await ChartBenchmark.RunAsync(bench, Int("--runs", 500), Int("--http-runs", 500));
        break;
    default:
        Console.Error.WriteLine($"unknown benchmark '{verb}': use ingest, sse, page, browser, alerts, delivery, ratelimit, portfolio, paper, screener or chart");
        return 2;
}
return 0;
