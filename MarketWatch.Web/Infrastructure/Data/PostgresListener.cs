using Npgsql;

namespace MarketWatch.Web.Infrastructure.Data;

/// <summary>
/// One LISTEN connection kept alive: it reconnects with exponential backoff (up to 30 s) after any failure and pings
/// a quiet connection every 30 s, so a half-open one is noticed. The market's quotes (one per instance, shared by every
/// consumer of prices), the alert engine's changes and the in-app notifications each hold one per instance.
/// </summary>
public static class PostgresListener
{
    /// <param name="listening">Called with true once LISTEN is in place (also after every reconnection: whatever was
    /// notified meanwhile was missed, so callers reload), and with false when the connection is lost.</param>
    public static async Task RunAsync(NpgsqlDataSource dataSource, IReadOnlyList<string> channels, NotificationEventHandler onNotification,
        Action<bool> listening, ILogger logger, CancellationToken stoppingToken)
    {
        var failures = 0;
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
                failures = 0;
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
                listening(false);
                failures++;
                logger.LogWarning(ex, "Lost the LISTEN connection for {Channels}; reconnecting", string.Join(", ", channels));
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, failures))), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
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
