using Npgsql;

namespace MarketWatch.Web.Infrastructure.Data;

/// <summary>
/// A PostgreSQL session advisory lock on its own connection, held until disposed: serialises a check-then-act across
/// instances (a daily cap checked and then spent). If the process dies, the lock goes with its connection.
/// </summary>
public sealed class AdvisoryLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly string _name;

    private AdvisoryLock(NpgsqlConnection connection, string name)
    {
        _connection = connection;
        _name = name;
    }

    public static async Task<AdvisoryLock> AcquireAsync(NpgsqlDataSource dataSource, string name, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext(@name))", connection);
            command.Parameters.AddWithValue("name", name);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new AdvisoryLock(connection, name);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext(@name))", _connection);
            command.Parameters.AddWithValue("name", _name);
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        finally
        {
            // Closing the session releases the lock even if the unlock failed.
            await _connection.DisposeAsync();
        }
    }
}
