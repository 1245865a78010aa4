using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MarketWatch.Web.Infrastructure.Data;

/// <summary>
/// Degraded while a LISTEN connection of this instance is down: its live prices, alert changes or in-app notifications
/// are stale until it is back (it reconnects within seconds of the database, see <see cref="PostgresListener"/>).
/// Degraded, not unhealthy: the pages still work, so the instance keeps its traffic.
/// </summary>
public sealed class ListenersHealthCheck(DatabaseHealth health, TimeProvider clock) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var listeners = health.Listeners;
        var now = clock.GetUtcNow();
        var data = listeners.ToDictionary(l => l.Name, l => (object)(l.Up ? "up" : $"down for {(now - l.Since).TotalSeconds:0} s"));
        var down = listeners.Where(l => !l.Up).Select(l => l.Name).ToList();
        return Task.FromResult(down.Count == 0
            ? HealthCheckResult.Healthy($"{listeners.Count} LISTEN connections up", data)
            : HealthCheckResult.Degraded("LISTEN down: " + string.Join(", ", down), data: data));
    }
}
