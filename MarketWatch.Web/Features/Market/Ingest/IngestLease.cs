using Npgsql;

namespace MarketWatch.Web.Features.Market.Ingest;

/// <summary>
/// "One instance ingests": a PostgreSQL session-level advisory lock held on a dedicated connection. When the holder
/// dies its connection closes and PostgreSQL releases the lock; another instance, trying every few seconds, takes over.
/// </summary>
public sealed class IngestLease : IAsyncDisposable
{
    /// <summary>The lock key: hashtext('marketwatch.ingest') would do too, a constant is easier to find in pg_locks.</summary>
    public const long LockKey = 0x4D57_494E_4745_5354; // "MWINGEST"

    private readonly NpgsqlConnection _connection;

    private IngestLease(NpgsqlConnection connection) => _connection = connection;

    public static async Task<IngestLease?> TryAcquireAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = dataSource.CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", LockKey);
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
            {
                return new IngestLease(connection);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>False once the lease connection is gone (the lock went with it).</summary>
    public async Task<bool> IsHeldAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT 1", _connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Released explicitly: a pooled connection outlives Close, and the next instance should not wait for it.
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _connection);
            command.Parameters.AddWithValue("key", LockKey);
            await command.ExecuteScalarAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The connection is already gone, and the lock with it.
        }
        await _connection.DisposeAsync();
    }
}
