using System.Threading.RateLimiting;
using Npgsql;

namespace MarketWatch.Web.Infrastructure.Security;

/// <summary>
/// Fixed windows counted in PostgreSQL, so a limit holds across every instance on the database: one atomic upsert
/// per attempt opens the partition's window (on its first attempt, or once the old one has ended) or counts one more
/// hit in it, and returns the count and the time left. The window starts at a partition's first attempt, not on a
/// clock boundary, so no burst of 2× the limit fits across a boundary.
/// </summary>
public sealed class SharedRateLimitStore(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<SharedRateLimitStore> logger)
{
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromMinutes(5);
    private long _lastPurge = clock.GetTimestamp();
    private long _lastWarning = long.MinValue;

    private const string HitSql = """
        INSERT INTO rate_limit_windows AS w (key, window_end, hits) VALUES ($1, now() + $2, 1)
        ON CONFLICT (key) DO UPDATE SET
            hits = CASE WHEN w.window_end <= now() THEN 1 ELSE w.hits + 1 END,
            window_end = CASE WHEN w.window_end <= now() THEN now() + $2 ELSE w.window_end END
        RETURNING w.hits, extract(epoch FROM w.window_end - now())::float8
        """;

    /// <summary>Counts one attempt of <paramref name="key"/>: the attempts in its current window (this one included) and the time left in it.</summary>
    public async Task<(int Hits, TimeSpan Left)> HitAsync(string key, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(HitSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = window });
        int hits;
        double left;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (hits, left) = (reader.GetInt32(0), reader.GetDouble(1));
        }
        await PurgeIfDueAsync(cancellationToken);
        return (hits, TimeSpan.FromSeconds(Math.Max(0, left)));
    }

    /// <summary>True at most once a minute: whether an outage is worth another warning in the log.</summary>
    public bool ShouldWarn()
    {
        var last = Interlocked.Read(ref _lastWarning);
        return (last == long.MinValue || clock.GetElapsedTime(last) > TimeSpan.FromMinutes(1))
               && Interlocked.CompareExchange(ref _lastWarning, clock.GetTimestamp(), last) == last;
    }

    /// <summary>Every few minutes per instance: ended windows are deleted (a minute late, so a window just ending is never raced).</summary>
    private async Task PurgeIfDueAsync(CancellationToken cancellationToken)
    {
        var last = Interlocked.Read(ref _lastPurge);
        if (clock.GetElapsedTime(last) < PurgeEvery || Interlocked.CompareExchange(ref _lastPurge, clock.GetTimestamp(), last) != last)
        {
            return;
        }
        await using var purge = dataSource.CreateCommand("DELETE FROM rate_limit_windows WHERE window_end < now() - interval '1 minute'");
        var purged = await purge.ExecuteNonQueryAsync(cancellationToken);
        logger.LogDebug("Purged {Count} ended rate-limit windows", purged);
    }
}

/// <summary>
/// One partition's limiter on the shared store. When the database does not answer it fails open to an in-memory
/// window of the same size on this instance (a warning is logged, at most once a minute): the per-instance limit still
/// holds, and the requests it guards need the database anyway (a password cannot be checked without it), so
/// refusing them all would only turn an outage into a lockout.
/// </summary>
internal sealed class SharedWindowLimiter(string key, int permitLimit, TimeSpan window, SharedRateLimitStore store, ILogger logger, TimeProvider clock)
    : RateLimiter
{
    private readonly Lazy<FixedWindowRateLimiter> _fallback = new(() => new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
    {
        PermitLimit = permitLimit,
        Window = window,
        QueueLimit = 0,
    }));
    private long _lastUsed = clock.GetTimestamp();

    public override TimeSpan? IdleDuration => clock.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    /// <summary>No answer without a round trip: the middleware then calls <see cref="AcquireAsyncCore"/>.</summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => SharedLease.Pending;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsed, clock.GetTimestamp());
        try
        {
            var (hits, left) = await store.HitAsync(key, window, cancellationToken);
            return hits <= permitLimit ? SharedLease.Acquired : new SharedLease(false, left);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException || ex is InvalidOperationException { InnerException: NpgsqlException })
        {
            if (store.ShouldWarn())
            {
                logger.LogWarning(ex, "The shared rate limit could not reach the database; limiting {Key} on this instance only until it answers", key);
            }
            return await _fallback.Value.AcquireAsync(permitCount, cancellationToken);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _fallback.IsValueCreated)
        {
            _fallback.Value.Dispose();
        }
        base.Dispose(disposing);
    }

    private sealed class SharedLease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly SharedLease Acquired = new(true, null);
        public static readonly SharedLease Pending = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
