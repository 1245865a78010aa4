using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql.EntityFrameworkCore.PostgreSQL;

namespace MarketWatch.Web.Infrastructure.Data;

/// <summary>
/// EF Core's retries on transient failures, short enough that a request fails within about 1.5 s when the database is
/// down (retries after 0.1, 0.2, 0.4 and 0.8 s, ±10 %) yet long enough that a fast restart stays invisible. Once the
/// database is known to be down (<see cref="DatabaseHealth.KnownDown"/>), one immediate retry only (it replaces a dead
/// pooled connection), so requests answer 503 at once instead of each waiting out its retries.
/// </summary>
public sealed class DatabaseRetryStrategy(ExecutionStrategyDependencies dependencies, DatabaseHealth health)
    : NpgsqlRetryingExecutionStrategy(dependencies, Delays.Length, Delays[^1], null)
{
    private static readonly TimeSpan[] Delays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800)];

    protected override bool ShouldRetryOn(Exception? exception)
    {
        if (DatabaseHealth.IsOutage(exception))
        {
            health.Unreachable();
        }
        return base.ShouldRetryOn(exception);
    }

    protected override TimeSpan? GetNextDelay(Exception lastException)
    {
        var retry = ExceptionsEncountered.Count - 1;
        if (retry >= Delays.Length)
        {
            return null;
        }
        if (health.KnownDown)
        {
            return retry == 0 ? TimeSpan.Zero : null;
        }
        return Delays[retry] * (0.9 + Random.Shared.NextDouble() * 0.2);
    }

    public override async Task<TResult> ExecuteAsync<TState, TResult>(TState state, Func<DbContext, TState, CancellationToken, Task<TResult>> operation,
        Func<DbContext, TState, CancellationToken, Task<ExecutionResult<TResult>>>? verifySucceeded, CancellationToken cancellationToken = default)
    {
        var result = await base.ExecuteAsync(state, operation, verifySucceeded, cancellationToken);
        health.Reachable();
        return result;
    }

    public override TResult Execute<TState, TResult>(TState state, Func<DbContext, TState, TResult> operation,
        Func<DbContext, TState, ExecutionResult<TResult>>? verifySucceeded)
    {
        var result = base.Execute(state, operation, verifySucceeded);
        health.Reachable();
        return result;
    }
}
