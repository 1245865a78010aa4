using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MarketWatch.Web.Infrastructure.Data;

/// <summary>
/// A PostgreSQL session advisory lock on its own connection, held until disposed: serialises a check-then-act across
/// instances (a daily cap checked and then spent). If the process dies, the lock goes with its session.
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

    /// <summary>
    /// Takes the lock if it is free, trying again every moment until <paramref name="wait"/> has passed; null when
    /// it stayed taken. Nothing is held while waiting (no connection, no worker blocked in the database).
    /// </summary>
    public static async Task<AdvisoryLock?> TryAcquireAsync(NpgsqlDataSource dataSource, string name, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext(@name))", connection);
                command.Parameters.AddWithValue("name", name);
                if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
                {
                    return new AdvisoryLock(connection, name);
                }
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
            await connection.DisposeAsync();
            if (DateTime.UtcNow >= deadline)
            {
                return null;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(100, 400)), cancellationToken);
        }
    }

    /// <summary>
    /// Runs <paramref name="change"/> in one transaction of <paramref name="db"/> that holds the transaction-scoped lock
    /// <paramref name="name"/> from its start to its commit: a check-then-change of one user (a limit, the one default
    /// list) takes turns with every other holding the same name, on any instance. Inside the execution strategy, which
    /// may run it again whole after a transient failure: the tracker is cleared first, so <paramref name="change"/>
    /// must load what it changes itself.
    /// </summary>
    public static Task<T> InTransactionAsync<T>(DbContext db, string name, Func<Task<T>> change, CancellationToken cancellationToken)
    {
        var attempt = 0;
        return db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            if (attempt++ > 0)
            {
                db.ChangeTracker.Clear();
            }
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtext({name}))", cancellationToken);
            var result = await change();
            await transaction.CommitAsync(cancellationToken);
            return result;
        });
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
            // Back to the pool: Npgsql resets a returned connection (DISCARD ALL), which also drops a lock the unlock missed.
            await _connection.DisposeAsync();
        }
    }
}
