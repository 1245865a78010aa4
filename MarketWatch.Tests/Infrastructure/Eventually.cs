using System.Collections;
using System.Diagnostics;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>
/// The one way tests wait for asynchronous work (the engine, LISTEN/NOTIFY, Hangfire, the ingest, the browser):
/// look again until it is done, and fail saying what never came, rather than sleep and hope.
/// </summary>
public static class Eventually
{
    /// <summary>Generous, because the machine running the suite may be busy; a passing test never waits this long.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Reads until <paramref name="done"/> holds and returns the value that satisfied it; fails after the timeout.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var started = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (started.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what} (last seen: {Describe(value)})");
            }
            await Task.Delay(Interval);
        }
    }

    /// <summary>Waits until the condition holds; fails after the timeout.</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        ValueAsync(condition, holds => holds, what, timeout);

    /// <summary>Waits until the condition (on in-memory state) holds; fails after the timeout.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        ValueAsync(() => Task.FromResult(condition()), holds => holds, what, timeout);

    /// <summary>
    /// Looks until <paramref name="done"/> holds or <paramref name="limit"/> passes, and says which: for a caller that
    /// asserts on what it measured (a latency bound, a process that may have exited) rather than fail here.
    /// </summary>
    public static async Task<bool> WithinAsync(Func<Task<bool>> done, TimeSpan limit)
    {
        var started = Stopwatch.StartNew();
        while (!await done())
        {
            if (started.Elapsed > limit)
            {
                return false;
            }
            await Task.Delay(Interval);
        }
        return true;
    }

    /// <inheritdoc cref="WithinAsync(Func{Task{bool}}, TimeSpan)"/>
    public static Task<bool> WithinAsync(Func<bool> done, TimeSpan limit) => WithinAsync(() => Task.FromResult(done()), limit);

    private static string Describe<T>(T value) => value switch
    {
        null => "nothing",
        string text => text,
        ICollection items => $"{items.Count} item(s)",
        _ => value.ToString() ?? "",
    };
}
