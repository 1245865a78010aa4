using System.Diagnostics;
using System.Globalization;
using System.Threading.RateLimiting;
using MarketWatch.Web.Infrastructure.Security;

namespace MarketWatch.Bench;

/// <summary>
/// The cost of one sign-in limiter acquire: the shared PostgreSQL window (one upsert round trip) against the in-memory
/// fixed window it replaced, same run, same client mix (200 clients, each under its limit, as in normal traffic).
/// </summary>
public static class RateLimitBenchmark
{
    public static async Task RunAsync(BenchEnvironment bench, int attempts, int concurrency)
    {
        var store = bench.App.Services.GetRequiredService<SharedRateLimitStore>();
        var window = TimeSpan.FromMinutes(10);
        using var memory = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = int.MaxValue, Window = window, QueueLimit = 0 }));
        string Key(int i) => "bench:198.51.100." + (i % 200).ToString(CultureInfo.InvariantCulture);

        // Warm-up: JIT, the connection pool, the table's first rows.
        for (var i = 0; i < 200; i++)
        {
            await store.HitAsync(Key(i), window, CancellationToken.None);
            using var lease = await memory.AcquireAsync(Key(i));
        }

        var rows = new List<(string Name, int Threads, int Count, TimeSpan Elapsed, double P50, double P99)>();
        foreach (var threads in new[] { 1, concurrency })
        {
            rows.Add(await MeasureAsync("in-memory fixed window", threads, attempts * 20, async i =>
            {
                using var lease = await memory.AcquireAsync(Key(i));
            }));
            rows.Add(await MeasureAsync("PostgreSQL shared window", threads, attempts, async i => await store.HitAsync(Key(i), window, CancellationToken.None)));
        }

        Console.WriteLine("| limiter | concurrent callers | acquires | acquires/s | mean µs | p50 µs | p99 µs |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Threads} | {r.Count} | {r.Count / r.Elapsed.TotalSeconds:N0} | {r.Elapsed.TotalMicroseconds * r.Threads / r.Count:N1} | {r.P50:N1} | {r.P99:N1} |"));
        }
        for (var i = 0; i < rows.Count; i += 2)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{rows[i].Threads} caller(s): one PostgreSQL acquire costs {rows[i + 1].P50 / rows[i].P50:N0}x an in-memory one at p50 ({rows[i + 1].P50:N0} µs against {rows[i].P50:N2} µs)"));
        }
    }

    private static async Task<(string, int, int, TimeSpan, double, double)> MeasureAsync(string name, int threads, int count, Func<int, Task> acquire)
    {
        var latencies = new double[count];
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, threads).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var start = Stopwatch.GetTimestamp();
                await acquire(i);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
        })));
        var elapsed = clock.Elapsed;
        Array.Sort(latencies);
        return (name, threads, count, elapsed, latencies[count / 2], latencies[(int)(count * 0.99)]);
    }
}
