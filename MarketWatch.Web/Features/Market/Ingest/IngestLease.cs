using Npgsql;

namespace MarketWatch.Web.Features.Market.Ingest;

/// <summary>
/// "One instance ingests": a PostgreSQL session-level advisory lock held on a dedicated connection. When the holder
/// dies its connection closes and PostgreSQL releases the lock; another instance, trying every few seconds, takes over.
/// Every write of the ingest runs on this same connection and starts with <see cref="FenceSql"/>, so a holder that lost
/// the lock (its session gone, or the lock released) never writes: the lease is checked in the write's own transaction.
/// </summary>
public sealed class IngestLease : IAsyncDisposable
{
    /// <summary>The lock key: hashtext('marketwatch.ingest') would do too, a constant is easier to find in pg_locks.</summary>
    public const long LockKey = 0x4D57_494E_4745_5354; // "MWINGEST"

    /// <summary>The SQLSTATE <see cref="FenceSql"/> raises when this session cannot hold the lock.</summary>
    public const string LostSqlState = "MWL01";

    /// <summary>
    /// The fence, first statement of every ingest transaction. A session that holds the session-level lock gets the
    /// transaction-level one at once (advisory locks are re-entrant per session); a session that lost it while another
    /// holds it is refused and the transaction aborts before writing anything. An unleased writer (a test, a benchmark)
    /// passes only while no ingest holds the lease, and keeps it out until its transaction ends.
    /// </summary>
    public static readonly string FenceSql = $"""
        DO $$BEGIN
            IF NOT pg_try_advisory_xact_lock({LockKey}) THEN
                RAISE EXCEPTION 'the ingest lease is held by another session' USING ERRCODE = '{LostSqlState}';
            END IF;
        END$$
        """;

    private readonly NpgsqlConnection _connection;

    private IngestLease(NpgsqlConnection connection) => _connection = connection;

    /// <summary>The session holding the lock: the ingest's writes go through it (see <see cref="QuoteStore"/>).</summary>
    internal NpgsqlConnection Connection => _connection;

    /// <summary>The server process of the lease's session (what an operator would pass to pg_terminate_backend).</summary>
    public int ProcessId => _connection.ProcessID;

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

    /// <summary>False once the lease connection is gone (the lock went with it) or the session no longer holds the lock.</summary>
    public async Task<bool> IsHeldAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A bigint advisory key shows in pg_locks as classid (high 32 bits), objid (low 32 bits), objsubid 1.
            await using var command = new NpgsqlCommand("""
                SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                               AND classid::bigint = @high AND objid::bigint = @low AND objsubid = 1)
                """, _connection);
            command.Parameters.AddWithValue("high", (long)(uint)(LockKey >> 32));
            command.Parameters.AddWithValue("low", (long)(uint)(LockKey & 0xFFFF_FFFF));
            return await command.ExecuteScalarAsync(cancellationToken) is true;
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
