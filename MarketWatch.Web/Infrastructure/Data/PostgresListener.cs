using Npgsql;

namespace MarketWatch.Web.Infrastructure.Data;

/// <summary>
/// One LISTEN connection kept alive: it reconnects with exponential backoff (up to 30 s) after any failure and pings
/// a quiet connection every 30 s, so a half-open one is noticed. The live prices, the alert engine and the in-app
/// notifications each hold one per instance.
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

    /// <summary>
    /// NOTIFYs a JSON array of these items (delivered on commit when a transaction is given). A payload may carry at most
    /// 8,000 bytes: past that it sends "*", which listeners read as "everything".
    /// </summary>
    public static async Task NotifyAsync<T>(NpgsqlConnection connection, string channel, IEnumerable<T> items, CancellationToken cancellationToken,
        NpgsqlTransaction? transaction = null)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(items);
        await using var command = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection, transaction);
        command.Parameters.AddWithValue("channel", channel);
        command.Parameters.AddWithValue("payload", System.Text.Encoding.UTF8.GetByteCount(json) < 7000 ? json : "*");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
