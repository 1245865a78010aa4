using MarketWatch.Web.Features.Market;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MarketWatch.Tests.Features.Market;

/// <summary>The live ingest on the simulated feed: what it stores, what it publishes, and who holds the lease.</summary>
[NonParallelizable]
public sealed class IngestTests
{
    private static Dictionary<string, string?> LiveSettings => new()
    {
        ["MarketData:Ingest"] = "true",
        ["MarketData:Simulated:DemoMode"] = "true",
        ["MarketData:Simulated:TickIntervalMs"] = "200",
    };

    [Test]
    public async Task Ticks_are_stored_as_quotes_minute_and_daily_bars_and_published_with_notify()
    {
        var database = await TestDatabase.CreateAsync();
        try
        {
            await using var listener = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
            await listener.OpenAsync();
            var notifications = new List<string>();
            listener.Notification += (_, e) => { lock (notifications) { notifications.Add(e.Payload); } };
            await using (var listen = new NpgsqlCommand($"LISTEN {QuoteStore.Channel}", listener))
            {
                await listen.ExecuteNonQueryAsync();
            }

            await using var app = new MarketWatchFactory(database, settings: LiveSettings);
            _ = app.Services;
            await Eventually.ValueAsync(() => app.WithDbAsync(db => db.Quotes.CountAsync()), n => n == 77, "a quote for every instrument", TimeSpan.FromSeconds(20));

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (notifications.Count == 0)
            {
                await listener.WaitAsync(wait.Token);
            }
            Assert.That(notifications[0], Does.StartWith("[\"").And.Contain("\"ATW\""), "the first batch names every ticker it changed");

            var source = await app.WithDbAsync(db => db.Quotes.Select(q => q.Source).Distinct().ToListAsync());
            Assert.That(source, Is.EqualTo(new[] { "Simulated" }));
            Assert.That(await app.WithDbAsync(db => db.MinuteBars.CountAsync()), Is.GreaterThanOrEqualTo(77));
            var today = MarketWatch.Web.Features.Market.Calendar.ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow);
            Assert.That(await app.WithDbAsync(db => db.DailyBars.CountAsync(b => b.Date == today)), Is.EqualTo(77));
            var masi = await app.WithDbAsync(db => db.IndexLevels.SingleAsync());
            Assert.That((masi.IsComputed, masi.Source), Is.EqualTo((true, "MarketWatch")));
            Assert.That(masi.Level, Is.InRange(8_000m, 12_000m));
            Assert.That(await app.WithDbAsync(db => db.QuarantinedTicks.CountAsync()), Is.Zero, "the simulated feed keeps within the ±10% limit");
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }

    [Test]
    public async Task One_instance_ingests_and_another_takes_over_within_15_seconds_when_it_dies()
    {
        var database = await TestDatabase.CreateAsync();
        try
        {
            var first = new MarketWatchFactory(database, settings: LiveSettings);
            await using var second = new MarketWatchFactory(database, settings: LiveSettings);
            var firstStatus = first.Services.GetRequiredService<FeedStatus>();
            var secondStatus = second.Services.GetRequiredService<FeedStatus>();

            await Eventually.TrueAsync(() => firstStatus.IsLeader || secondStatus.IsLeader, "a leader", TimeSpan.FromSeconds(15));
            // Done when the other instance has asked for the lease and been refused while the leader stores batches.
            await Eventually.TrueAsync(() => firstStatus.LeaseRefusals + secondStatus.LeaseRefusals > 0 && firstStatus.BatchesStored + secondStatus.BatchesStored > 0,
                "the other instance to be refused the lease while the leader stores ticks");
            Assert.That(firstStatus.IsLeader ^ secondStatus.IsLeader, Is.True, "exactly one instance holds the lease");
            var (leader, standby, standbyStatus) = firstStatus.IsLeader ? (first, second, secondStatus) : (second, first, firstStatus);
            Assert.That(standbyStatus.LeaseRefusals, Is.GreaterThan(0), "the standby asked for the lease");
            Assert.That(standbyStatus.TicksStored, Is.Zero, "the standby stores nothing");

            await leader.DisposeAsync();
            var started = DateTime.UtcNow;
            await Eventually.TrueAsync(() => standbyStatus.IsLeader, "the standby taking over", TimeSpan.FromSeconds(15));
            await Eventually.TrueAsync(() => standbyStatus.TicksStored > 0, "the new leader storing ticks", TimeSpan.FromSeconds(15));
            TestContext.Out.WriteLine($"takeover after {(DateTime.UtcNow - started).TotalSeconds:F1} s");
            if (!ReferenceEquals(standby, first))
            {
                await first.DisposeAsync();
            }
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }
}
