using Npgsql;

namespace MarketWatch.Web.Infrastructure.Data;

/// <summary>
/// One LISTEN connection kept alive: after any failure it reconnects quickly (<see cref="RetryDelay"/>: 250 ms doubling
/// to 2 s, with jitter, so a database back from an outage is heard again within 2 s and instances do not reconnect in
/// step), and pings a quiet connection every 30 s, so a half-open one is noticed. The market's quotes (one per instance,
/// shared by every consumer of prices), the alert engine's changes and the in-app notifications each hold one per instance.
/// </summary>
public static class PostgresListener
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The wait after failure <paramref name="failures"/> (1, 2...): 250 ms doubling to 2 s, up to a quarter shorter at
    /// random (never longer: the cap is what bounds how stale prices stay after the database is back).
    /// </summary>
    public static TimeSpan RetryDelay(int failures)
    {
        var doubled = FirstRetry.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 10));
        var jitter = 0.75 + Random.Shared.NextDouble() * 0.25;
        return TimeSpan.FromMilliseconds(Math.Min(doubled, MaxRetry.TotalMilliseconds) * jitter);
    }

    /// <param name="listening">Called with true once LISTEN is in place (also after every reconnection: whatever was
    /// notified meanwhile was missed, so callers reload), and with false when the connection is lost.</param>
    /// <param name="health">Told whether the database is reachable; <paramref name="state"/> (one of its listeners) says
    /// whether this connection is up, for /health/ready.</param>
    public static async Task RunAsync(NpgsqlDataSource dataSource, IReadOnlyList<string> channels, NotificationEventHandler onNotification,
        Action<bool> listening, DatabaseHealth health, ListenerState state, ILogger logger, CancellationToken stoppingToken)
    {
        var names = string.Join(", ", channels);
        var failures = 0;
        long? lostAt = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += onNotification;
                await using (var listen = new NpgsqlCommand(string.Join("; ", channels.Select(c => $"LISTEN {c}")), connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                health.Reachable();
                state.Set(true);
                if (lostAt is { } since)
                {
                    logger.LogInformation("LISTEN {Channels} is back after {Seconds:0.0} s and {Attempts} attempts", names,
                        System.Diagnostics.Stopwatch.GetElapsedTime(since).TotalSeconds, failures);
                }
                (failures, lostAt) = (0, null);
                listening(true);
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(TimeSpan.FromSeconds(30), stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                if (DatabaseHealth.IsOutage(ex))
                {
                    health.Unreachable();
                }
                state.Set(false);
                listening(false);
                failures++;
                if (lostAt is null)
                {
                    // Once per loss: an outage retries every few seconds and would otherwise log a stack trace each time.
                    lostAt = System.Diagnostics.Stopwatch.GetTimestamp();
                    if (DatabaseHealth.IsOutage(ex))
                    {
                        logger.LogWarning("Lost the LISTEN connection for {Channels} ({Error}); reconnecting", names, ex.Message);
                    }
                    else
                    {
                        logger.LogWarning(ex, "Lost the LISTEN connection for {Channels}; reconnecting", names);
                    }
                }
                else
                {
                    logger.LogDebug(ex, "LISTEN {Channels}: reconnection attempt {Attempt} failed", names, failures);
                }
                await Task.Delay(RetryDelay(failures), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        state.Set(false);
        listening(false);
    }

    /// <summary>The payload that stands for "everything": listeners reload all they hold.</summary>
    public const string Everything = "*";

    /// <summary>
    /// NOTIFYs a JSON array of these items (delivered on commit when a transaction is given), through <see cref="Payload{T}"/>.
    /// </summary>
    public static async Task NotifyAsync<T>(NpgsqlConnection connection, string channel, IEnumerable<T> items, CancellationToken cancellationToken,
        NpgsqlTransaction? transaction = null)
    {
        await using var command = new NpgsqlCommand(NotifySql, connection, transaction);
        AddNotifyParameters(command.Parameters, channel, items);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The same NOTIFY as one command of a caller's batch (so it travels in the batch's round trip).</summary>
    public static NpgsqlBatchCommand NotifyCommand<T>(string channel, IEnumerable<T> items)
    {
        var command = new NpgsqlBatchCommand(NotifySql);
        AddNotifyParameters(command.Parameters, channel, items);
        return command;
    }

    /// <summary>
    /// The payload guard: a NOTIFY payload may carry at most 8,000 bytes (PostgreSQL refuses more, failing the whole
    /// transaction), so past 7,000 it is <see cref="Everything"/> instead of the JSON array.
    /// </summary>
    public static string Payload<T>(IEnumerable<T> items)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(items);
        return System.Text.Encoding.UTF8.GetByteCount(json) < 7000 ? json : Everything;
    }

    private const string NotifySql = "SELECT pg_notify(@channel, @payload)";

    private static void AddNotifyParameters<T>(NpgsqlParameterCollection parameters, string channel, IEnumerable<T> items)
    {
        parameters.AddWithValue("channel", channel);
        parameters.AddWithValue("payload", Payload(items));
    }
}
