using System.Collections.Concurrent;
using System.Net.Sockets;
using Npgsql;

namespace MarketWatch.Web.Infrastructure.Data;

/// <summary>
/// What this instance knows about its database: whether each LISTEN connection is up (for /health/ready), and since
/// when the database has been unreachable. Once it has been unreachable for <see cref="KnownDownAfter"/>, requests stop
/// retrying and answer 503 at once; a fast restart (about a second) ends before that and stays invisible.
/// </summary>
public sealed class DatabaseHealth(TimeProvider clock)
{
    public static readonly TimeSpan KnownDownAfter = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, ListenerState> _listeners = new(StringComparer.Ordinal);
    private long _unreachableSince;

    /// <summary>The state of one LISTEN connection, by a name that says what it feeds ("market_quotes"...).</summary>
    public ListenerState Listener(string name) => _listeners.GetOrAdd(name, n => new ListenerState(n, clock));

    public IReadOnlyList<ListenerState> Listeners => _listeners.Values.OrderBy(l => l.Name, StringComparer.Ordinal).ToList();

    /// <summary>A connection failed the way an outage does (see <see cref="IsOutage"/>); the first report starts the clock.</summary>
    public void Unreachable() => Interlocked.CompareExchange(ref _unreachableSince, clock.GetUtcNow().UtcTicks, 0);

    /// <summary>A connection worked.</summary>
    public void Reachable() => Interlocked.Exchange(ref _unreachableSince, 0);

    /// <summary>How long the database has been unreachable, or null when the last word was that it works.</summary>
    public TimeSpan? UnreachableFor
    {
        get
        {
            var since = Interlocked.Read(ref _unreachableSince);
            return since == 0 ? null : clock.GetUtcNow() - new DateTimeOffset(since, TimeSpan.Zero);
        }
    }

    public bool KnownDown => UnreachableFor >= KnownDownAfter;

    /// <summary>
    /// The database is unavailable rather than the request wrong: connection failures (refused, reset, timed out),
    /// a server shutting down or not accepting connections yet (SQLSTATE class 08, 57P01-57P03, 53300), anywhere in the
    /// chain of inner exceptions (EF's RetryLimitExceededException wraps the last one).
    /// </summary>
    public static bool IsOutage(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 10; depth++, exception = exception.InnerException)
        {
            switch (exception)
            {
                case PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                           || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                               or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections;
                case NpgsqlException npgsql when npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException:
                    return true;
                case SocketException:
                    return true;
            }
        }
        return false;
    }
}

/// <summary>One LISTEN connection's state; <see cref="PostgresListener"/> keeps it.</summary>
public sealed class ListenerState(string name, TimeProvider clock)
{
    private readonly Lock _gate = new();

    public string Name { get; } = name;
    public bool Up { get; private set; }
    /// <summary>When it went up or down (or when it was first asked for, before its first connection).</summary>
    public DateTimeOffset Since { get; private set; } = clock.GetUtcNow();
    /// <summary>Times it was (re)established.</summary>
    public long Connections { get; private set; }

    internal void Set(bool up)
    {
        lock (_gate)
        {
            if (up)
            {
                Connections++;
            }
            if (up != Up)
            {
                (Up, Since) = (up, clock.GetUtcNow());
            }
        }
    }
}
