using System.Diagnostics;
using System.Globalization;
using MarketWatch.Web.Features.Analytics;
using MarketWatch.Web.Features.Market;

namespace MarketWatch.Bench;

/// <summary>
/// The screener's server time: <see cref="ScreenerQuery.Parse(string?, IReadOnlyCollection{string}, bool)"/> + <see cref="Screener.Run"/>
/// with 5 filters and a sort, over (a) a synthetic 10,000-instrument catalogue with 3 years of daily bars per instrument
/// (metrics through <see cref="MetricsCalculator.History"/> and <see cref="MetricsCalculator.Live"/>, as the app computes
/// them) and (b) the real catalogue of the benchmark database (the app's own <see cref="MarketMetrics"/>). Baselines in
/// the same run: a naive LINQ query over the same snapshot (filters re-evaluated per row, OrderBy on a boxed key, a
/// list of every match) and an unfiltered sort of the whole catalogue. Then the full HTTP request for
/// <c>/api/analytics/screener</c> against the real app on loopback.
/// </summary>
public static class ScreenerBenchmark
{
    public const string FiveFilters = "sector=S01&sector=S02&sector=S03&sector=S04&period=M3&chgMin=-5&rsiMin=30&rsiMax=70&sma200=above&capMin=100000000&sort=perf&dir=desc";

    public static async Task RunAsync(BenchEnvironment bench, int instruments, int runs, int httpRuns)
    {
        Console.WriteLine($"Load average while it ran: {File.ReadAllText("/proc/loadavg").Trim()}");
        var built = Stopwatch.StartNew();
        var synthetic = Synthetic(instruments, seed: 7);
        built.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Synthetic catalogue: {synthetic.All.Count:N0} instruments, 3 years of daily bars each, metrics computed in {built.Elapsed.TotalSeconds:0.0} s (once per session in the app).\n"));

        var real = await bench.App.Services.GetRequiredService<MarketMetrics>().CurrentAsync(CancellationToken.None);
        const string realQuery = "sector=Financials&sector=Industrials&sector=Technology&period=M3&chgMin=-5&rsiMin=30&rsiMax=70&sma200=above&capMin=100000000&sort=perf&dir=desc";

        Console.WriteLine("| catalogue | workload | matches | p50 ms | p95 ms | p99 ms | max ms |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, snapshot, query) in new[] { ("synthetic 10,000", synthetic, FiveFilters), ($"real ({real.All.Count})", real, realQuery) })
        {
            var sectors = ScreenerApi.Sectors(snapshot);
            var parsed = ScreenerQuery.Parse(query, sectors, api: true).Query ?? throw new InvalidOperationException("bad benchmark query " + query);
            var matches = Screener.Match(snapshot, parsed).Count;
            var unfiltered = ScreenerQuery.Parse("sort=perf&dir=desc&period=M3", sectors).Query!;
            // Interleaved (one run of each in turn), so the machine's load falls on all of them alike; the catalogue's
            // construction garbage collected first.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var measured = Measure(runs,
                () => Screener.Run(snapshot, ScreenerQuery.Parse(query, sectors, api: true).Query!),
                () => Screener.Run(snapshot, parsed),
                () => Naive(snapshot, parsed),
                () => Screener.Run(snapshot, unfiltered));
            Row(name, "Parse + Run: 5 filters + sort (the screener, as a request does it)", matches, measured[0]);
            Row(name, "Run alone (query already parsed)", matches, measured[1]);
            Row(name, "baseline: naive LINQ, same filters and sort, query already parsed", matches, measured[2]);
            Row(name, "baseline: no filter, whole catalogue sorted", snapshot.All.Count, measured[3]);
        }

        await bench.StartServerAsync();
        using var http = new HttpClient { BaseAddress = bench.ServerUrl };
        for (var i = 0; i < 20; i++)
        {
            (await http.GetAsync("/api/analytics/screener?" + realQuery)).EnsureSuccessStatusCode();
        }
        var times = new double[httpRuns];
        for (var i = 0; i < httpRuns; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync("/api/analytics/screener?" + realQuery);
            await response.Content.ReadAsByteArrayAsync();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            response.EnsureSuccessStatusCode();
        }
        Row($"real ({real.All.Count})", "full HTTP GET /api/analytics/screener (loopback, JSON)", -1, times);
    }

    /// <summary>A row of a latency table: what, how many (matches, bars; negative for none), p50 / p95 / p99 / max in ms.</summary>
    internal static void Row(string catalogue, string workload, int matches, double[] times)
    {
        Array.Sort(times);
        double P(double p) => times[Math.Min(times.Length - 1, (int)Math.Ceiling(p * times.Length) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {catalogue} | {workload} | {(matches < 0 ? "" : matches.ToString("N0", CultureInfo.InvariantCulture))} | {P(0.50):0.000} | {P(0.95):0.000} | {P(0.99):0.000} | {times[^1]:0.000} |"));
    }

    private static double[][] Measure(int runs, params Action[] actions)
    {
        for (var i = 0; i < Math.Min(50, runs); i++)
        {
            foreach (var action in actions)
            {
                action(); // JIT and caches
            }
        }
        var times = actions.Select(_ => new double[runs]).ToArray();
        for (var i = 0; i < runs; i++)
        {
            for (var a = 0; a < actions.Length; a++)
            {
                var started = Stopwatch.GetTimestamp();
                actions[a]();
                times[a][i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }
        return times;
    }

    /// <summary>The obvious way: LINQ over every instrument, each filter a Where, OrderBy on the column, then the page.</summary>
    private static List<InstrumentMetrics> Naive(MetricsSnapshot snapshot, ScreenerQuery q)
    {
        var (chgMin, _) = q.Bound("chg");
        var (rsiMin, rsiMax) = q.Bound("rsi");
        var (capMin, _) = q.Bound("cap");
        var all = snapshot.All
            .Where(m => q.Sectors.Count == 0 || q.Sectors.Any(s => string.Equals(s, m.Sector, StringComparison.OrdinalIgnoreCase)))
            .Where(m => chgMin is null || m.Return(q.Period) * 100 >= chgMin)
            .Where(m => rsiMin is null || m.Rsi14 >= rsiMin)
            .Where(m => rsiMax is null || m.Rsi14 <= rsiMax)
            .Where(m => q.Sma200 is null || (q.Sma200 == "above" ? m.VsSma200 > 0 : m.VsSma200 < 0))
            .Where(m => capMin is null || (double?)m.MarketCap >= capMin)
            .ToList();
        var sorted = q.Descending
            ? all.OrderByDescending(m => Screener.Value(m, q.Sort, q.Period) ?? double.MinValue).ThenBy(m => m.Ticker)
            : all.OrderBy(m => Screener.Value(m, q.Sort, q.Period) ?? double.MaxValue).ThenBy(m => m.Ticker);
        return sorted.Skip((q.Page - 1) * q.Limit).Take(q.Limit).ToList();
    }

    /// <summary>
    /// Instruments in 20 sectors ("S01".."S20"), each a random walk of 3 years of sessions (weekdays) with its own drift and
    /// volatility and a live quote today; a synthetic index (their average) for beta. Bars are dropped once summarised.
    /// </summary>
    public static MetricsSnapshot Synthetic(int count, int seed)
    {
        var random = new Random(seed);
        var session = DateOnly.FromDateTime(DateTime.UtcNow);
        var dates = new List<DateOnly>();
        for (var d = session.AddYears(-3).AddDays(-10); d < session; d = d.AddDays(1))
        {
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                dates.Add(d);
            }
        }
        var days = dates.ToArray();
        // The index: a gentle random walk of its own.
        var index = new Dictionary<DateOnly, double>();
        var level = 12_000.0;
        foreach (var day in days)
        {
            level *= 1 + (random.NextDouble() - 0.5) * 0.02;
            index[day] = level;
        }
        double? Market(DateOnly date) => index.TryGetValue(date, out var l) ? l : null;
        var now = DateTimeOffset.UtcNow;
        var all = new List<InstrumentMetrics>(count);
        for (var i = 0; i < count; i++)
        {
            var n = days.Length;
            var (opens, highs, lows, closes, volumes) = (new double[n], new double[n], new double[n], new double[n], new double[n]);
            var price = 20 + random.NextDouble() * 2000;
            var drift = (random.NextDouble() - 0.5) * 0.002;
            var sigma = 0.005 + random.NextDouble() * 0.03;
            for (var k = 0; k < n; k++)
            {
                var open = price;
                price = Math.Max(1, price * (1 + drift + sigma * (random.NextDouble() - 0.5) * 2));
                opens[k] = open;
                closes[k] = price;
                highs[k] = Math.Max(open, price) * (1 + random.NextDouble() * 0.01);
                lows[k] = Math.Min(open, price) * (1 - random.NextDouble() * 0.01);
                volumes[k] = random.Next(100, 200_000);
            }
            var ticker = "T" + i.ToString("D5", CultureInfo.InvariantCulture);
            var sector = "S" + (1 + i % 20).ToString("D2", CultureInfo.InvariantCulture);
            var info = new InstrumentInfo(i + 1, ticker, "Synthetic " + ticker, sector, random.Next(100_000, 100_000_000));
            var history = MetricsCalculator.History(info, new InstrumentBars(info.Id, days, opens, highs, lows, closes, volumes), session, Market);
            var last = (decimal)Math.Round(price * (1 + (random.NextDouble() - 0.5) * 0.04), 2);
            var previous = (decimal)Math.Round(price, 2);
            var quote = new QuoteRow(ticker, info.Name, sector, last, last - previous, Math.Round((last - previous) / previous * 100, 2), random.Next(0, 300_000),
                null, previous, Math.Max(last, previous), Math.Min(last, previous), previous, now, "bench", info.Shares, false);
            all.Add(MetricsCalculator.Live(history, quote));
        }
        all.Sort((a, b) => string.CompareOrdinal(a.Ticker, b.Ticker));
        return new MetricsSnapshot(all, session, 1);
    }
}
