using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Alerts;

/// <summary>Two app instances on one database both evaluate every tick: the claim lets exactly one of them fire each alert.</summary>
public sealed class TwoInstancesTests : AppTest
{
    // No Hangfire server: the minute sweep would also claim crossings (correctly, once), but this test counts the engines' wins.
    private static readonly Dictionary<string, string?> Shared = new() { ["MarketData:Simulated:DemoMode"] = "true", ["Jobs:Server"] = "false" };

    protected override IDictionary<string, string?> Settings => Shared;

    [Test]
    public async Task A_thousand_alerts_crossing_at_once_each_fire_exactly_once()
    {
        var user = await UserAsync(this, App, Client);
        await Ticks.WriteAsync(App, ("ATW", 500m));
        // A thousand alerts at levels 500.01 .. 510.00, made set-based (the API would take a thousand round trips).
        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""
            WITH made AS (
                INSERT INTO alerts (user_id, instrument_id, condition, level, trigger_mode, cooldown_minutes, channels, session_only, status, created_at, updated_at, expires_at)
                SELECT {0}, i.id, 2, 500 + n / 100.0, 0, 0, ARRAY[0], false, 0, now(), now(), now() + interval '1 day'
                FROM generate_series(1, 1000) n, instruments i WHERE i.ticker = 'ATW'
                RETURNING id, instrument_id
            )
            INSERT INTO alert_targets (alert_id, instrument_id, state, armed_price, armed_at, fired_count)
            SELECT id, instrument_id, 0, 500, now(), 0 FROM made
            """, user.Id));

        await using var second = new MarketWatchFactory(DatabaseName, settings: Shared);
        _ = second.Services;
        var ids = await App.WithDbAsync(db => db.Set<Alert>().Where(a => a.UserId == user.Id).Select(a => a.Id).ToListAsync());
        await using (var connection = await App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().OpenConnectionAsync())
        {
            await AlertEngine.NotifyChangedAsync(connection, ids, CancellationToken.None);
        }
        await WaitArmedAsync(App, 1000);
        await WaitArmedAsync(second, 1000);

        var tick = await Ticks.WriteAsync(App, ("ATW", 511m));
        await Eventually.ValueAsync(() => App.WithDbAsync(db => db.Set<AlertFiring>().CountAsync(f => f.UserId == user.Id)), c => c >= 1000, "1,000 firings");
        // Both engines done with the tick: every claim either made has committed, and neither will try again.
        await WaitEvaluatedAsync(App, tick);
        await WaitEvaluatedAsync(second, tick);
        var count = await App.WithDbAsync(db => db.Set<AlertFiring>().CountAsync(f => f.UserId == user.Id));
        var perAlert = await App.WithDbAsync(db => db.Set<AlertFiring>().Where(f => f.UserId == user.Id).GroupBy(f => f.AlertId).Select(g => g.Count()).ToListAsync());
        Assert.That(perAlert, Has.Count.EqualTo(1000));
        Assert.That(perAlert, Is.All.EqualTo(1), "no alert fired twice");
        var engines = new[] { App, second }.Select(a => a.Services.GetRequiredService<AlertEngine>()).ToList();
        Assert.That(engines.Sum(e => e.Firings), Is.EqualTo(1000), "the two instances' wins add up to exactly the thousand");
        Assert.That(await App.WithDbAsync(db => db.Set<Web.Features.Notifications.InAppNotification>().CountAsync(n => n.UserId == user.Id)), Is.EqualTo(1000));
        Assert.That(count, Is.EqualTo(1000));
    }
}
