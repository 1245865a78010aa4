using System.Threading.RateLimiting;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MarketWatch.Tests.Features.Edge;

/// <summary>With the database unreachable the shared limiter fails open to a per-instance window of the same size.</summary>
public sealed class SharedLimiterOutageTests
{
    [Test]
    public async Task Without_the_database_each_instance_still_limits_and_a_warning_says_why()
    {
        // Nothing listens on port 1: every connection is refused at once.
        await using var nowhere = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=postgres;Timeout=2");
        var logs = new Infrastructure.LogRecorder();
        var logger = logs.CreateLogger("limiter");
        var store = new SharedRateLimitStore(nowhere, TimeProvider.System, NullLogger<SharedRateLimitStore>.Instance);
        using var limiter = new SharedWindowLimiter("auth:198.51.100.9", 3, TimeSpan.FromMinutes(10), store, logger, TimeProvider.System);

        var acquired = new List<bool>();
        for (var i = 0; i < 5; i++)
        {
            using var lease = await limiter.AcquireAsync();
            acquired.Add(lease.IsAcquired);
        }

        Assert.That(acquired, Is.EqualTo(new[] { true, true, true, false, false }));
        Assert.That(logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList(),
            Has.Count.EqualTo(1).And.One.Contains("could not reach the database"), "one warning, not one per attempt");
    }
}
