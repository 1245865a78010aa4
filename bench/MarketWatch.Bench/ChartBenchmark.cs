using System.Diagnostics;
using System.Globalization;
using MarketWatch.Web;
using MarketWatch.Web.Features.Analytics;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.Extensions.Localization;
using Npgsql;

namespace MarketWatch.Bench;

/// <summary>
/// The stock page's indicator chart (<c>/analytics/chart/{ticker}</c>) on five years of daily bars: the request's server work
/// as it was (read the instrument's bars from PostgreSQL, then compute) against the cached bars (<see cref="ChartBars"/>:
/// one read per instrument and session, sliced per request, then compute), and the computation alone as the floor; the
/// three interleaved, so the machine's load falls on all alike. Then the full HTTP request against the real app on
/// loopback, beside a small JSON endpoint (<c>/api/market/status</c>) as the same run's baseline.
/// </summary>
public static class ChartBenchmark
{
    private const string Overlays = "sma:50,ema:20,bb:20";
    private const string Panes = "volume,rsi:14,macd";

    public static async Task RunAsync(BenchEnvironment bench, int runs, int httpRuns)
    {
        Console.WriteLine($"Load average while it ran: {File.ReadAllText("/proc/loadavg").Trim()}");
        var services = bench.App.Services;
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        var session = services.GetRequiredService<PerformanceMarket>().Session();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var L = services.GetRequiredService<IStringLocalizer<SharedResource>>();
        int id;
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            id = (int)(await new NpgsqlCommand("SELECT id FROM instruments WHERE ticker = 'ATW'", connection).ExecuteScalarAsync())!;
        }
        using var cache = new ChartBars(dataSource);

        Console.WriteLine("| range | workload | bars read | p50 ms | p95 ms | p99 ms | max ms |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var range in new[] { "1Y", "5Y" })
        {
            var request = ChartIndicatorRequest.Parse(range, Overlays, Panes, L, out _)!;
            var visibleFrom = ChartIndicators.VisibleFrom(range, today);
            var warmupFrom = visibleFrom.AddDays(-ChartIndicators.WarmupDays);
            InstrumentBars? fixedBars = null;
            var uncached = new Func<Task<int>>(async () =>
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                var bars = (await MarketMetrics.ReadBarsAsync(connection, warmupFrom, session, CancellationToken.None, [id]))[id];
                ChartIndicators.Compute("ATW", request, bars, visibleFrom, warmupFrom, false);
                return bars.Dates.Length;
            });
            var cached = new Func<Task<int>>(async () =>
            {
                var bars = await cache.ReadAsync(id, warmupFrom, session, today, CancellationToken.None);
                ChartIndicators.Compute("ATW", request, bars, visibleFrom, warmupFrom, false);
                return bars.Dates.Length;
            });
            var computeOnly = new Func<Task<int>>(() =>
            {
                ChartIndicators.Compute("ATW", request, fixedBars!, visibleFrom, warmupFrom, false);
                return Task.FromResult(fixedBars!.Dates.Length);
            });
            fixedBars = await cache.ReadAsync(id, warmupFrom, session, today, CancellationToken.None);
            var workloads = new[]
            {
                ("baseline: read the bars from PostgreSQL, then compute (the endpoint before the cache)", uncached),
                ("cached bars (one read per instrument and session), sliced, then compute", cached),
                ("floor: compute alone on bars in hand", computeOnly),
            };
            var counts = new int[workloads.Length];
            for (var i = 0; i < 30; i++)
            {
                foreach (var (_, work) in workloads)
                {
                    await work(); // JIT, pool, caches
                }
            }
            var times = workloads.Select(_ => new double[runs]).ToArray();
            for (var i = 0; i < runs; i++)
            {
                for (var w = 0; w < workloads.Length; w++)
                {
                    var started = Stopwatch.GetTimestamp();
                    counts[w] = await workloads[w].Item2();
                    times[w][i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }
            }
            for (var w = 0; w < workloads.Length; w++)
            {
                ScreenerBenchmark.Row(range, workloads[w].Item1, counts[w], times[w]);
            }
            Array.Sort(times[0]);
            Array.Sort(times[1]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"|  | uncached / cached, p50 | | {times[0][runs / 2] / times[1][runs / 2]:0.0}x | | | |"));
        }

        await bench.StartServerAsync();
        using var http = new HttpClient { BaseAddress = bench.ServerUrl };
        var chart = $"/analytics/chart/ATW?range=1Y&overlays={Overlays}&panes={Panes}";
        const string status = "/api/market/status";
        for (var i = 0; i < 30; i++)
        {
            (await http.GetAsync(chart)).EnsureSuccessStatusCode();
            (await http.GetAsync(status)).EnsureSuccessStatusCode();
        }
        var chartTimes = new double[httpRuns];
        var statusTimes = new double[httpRuns];
        for (var i = 0; i < httpRuns; i++)
        {
            chartTimes[i] = await TimeAsync(http, chart);
            statusTimes[i] = await TimeAsync(http, status);
        }
        ScreenerBenchmark.Row("1Y", "full HTTP GET of the chart (loopback, JSON, cached bars)", -1, chartTimes);
        ScreenerBenchmark.Row("", "baseline: full HTTP GET /api/market/status", -1, statusTimes);
    }

    private static async Task<double> TimeAsync(HttpClient http, string path)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(path);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        response.EnsureSuccessStatusCode();
        return elapsed;
    }
}
