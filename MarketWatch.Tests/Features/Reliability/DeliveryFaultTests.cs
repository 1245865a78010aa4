using MarketWatch.Tests.Infrastructure;
using static MarketWatch.Tests.Features.Reliability.DeliveryScenario;

namespace MarketWatch.Tests.Features.Reliability;

/// <summary>
/// Delivery through a crash and a deploy, against the real app as child processes (two on one database) and a
/// webhook receiver that verifies and dedupes, as issue 11 asks: all delivered, once, within the stated bounds.
/// Only what is observable from outside is used: requests the receiver got, rows in the database, the app's pages.
/// Each test writes a "measured:" line (docs/operations.md quotes them).
/// </summary>
[NonParallelizable]
public sealed class DeliveryFaultTests
{
    /// <summary>Issue 11: the last delivery within 30 s of the tick, after a kill -9 of the instance that claimed.</summary>
    private static readonly TimeSpan AfterCrash = TimeSpan.FromSeconds(30);
    /// <summary>
    /// Issue 11: everything in flight at a SIGTERM delivered within 15 s of the restart, counted from when the next
    /// instance has started (answers /health/live): its cold start (5-8 s on a busy 2-core machine, more with a second
    /// app starting) is the machine's, not the outbox's, and is reported beside it.
    /// </summary>
    private static readonly TimeSpan AfterRestart = TimeSpan.FromSeconds(15);
    /// <summary>How long past a bound a test keeps looking, so a failure says how late (or how much never came).</summary>
    private static readonly TimeSpan Overtime = TimeSpan.FromSeconds(10);

    private readonly List<IAsyncDisposable> _resources = [];
    private string _database = "";

    [SetUp]
    public async Task CreateDatabaseAsync() => _database = await TestDatabase.CreateAsync();

    [TearDown]
    public async Task CleanUpAsync()
    {
        // Apps first (their output goes to the log of a failed test), then the receiver, then the database.
        foreach (var resource in Enumerable.Reverse(_resources))
        {
            await resource.DisposeAsync();
        }
        _resources.Clear();
        await TestDatabase.DropAsync(_database);
    }

    private async Task<AppProcess> StartAsync(string name)
    {
        var app = await AppProcess.StartAsync(name, _database, Settings);
        _resources.Add(app);
        return app;
    }

    private async Task<WebhookReceiver> ReceiverAsync(int ports, TimeSpan? responseDelay = null)
    {
        var receiver = await WebhookReceiver.StartAsync(ports, responseDelay);
        _resources.Insert(0, receiver);
        return receiver;
    }

    private static async Task<HttpClient> ArmedAsync(AppProcess app, int alerts)
    {
        var client = await SignInOperatorAsync(app);
        await WaitArmedAsync(app, client, alerts);
        return client;
    }

    [Test]
    public async Task Kill_9_of_the_instance_that_claimed_2000_alerts_loses_none_and_the_last_arrives_within_30_s_of_the_tick()
    {
        const int alerts = 2000;
        // Forty receiver hosts, fifty recipients each: many users' endpoints, not one.
        var receiver = await ReceiverAsync(ports: 40);
        var scenario = new DeliveryScenario(_database);
        await scenario.SeedAsync(receiver, alerts);
        var started = await Task.WhenAll(StartAsync("mw-a"), StartAsync("mw-b"));
        var (a, b) = (started[0], started[1]);
        await RegisterOperatorAsync(a, _database);
        using var clientA = await ArmedAsync(a, alerts);
        using var clientB = await ArmedAsync(b, alerts);

        var tick = await Ticks.WriteAsync(_database, (Ticker, Crossing));

        // Mid-delivery: the claim has committed and the first webhook is on the wire.
        await receiver.FirstRequest.WaitAsync(AfterCrash, CancellationToken.None);
        var claims = await Eventually.ValueAsync(scenario.ClaimsAsync, c => c.Count > 0, "the claim of the firings");
        var victim = claims[0].Instance == a.Name ? a : b;
        var survivor = victim == a ? b : a;
        victim.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        var beforeKill = receiver.Requests.Count(r => r.At <= killedAt);

        await UntilAsync(() => receiver.RecipientsDelivered >= alerts, tick + AfterCrash + Overtime);
        var delivered = receiver.Delivered;
        var last = delivered.Count > 0 ? delivered.Max(r => r.At) : DateTimeOffset.MaxValue;
        var report = $"claims {string.Join(", ", claims.Select(c => $"{c.Instance}: {c.Firings}"))}; killed {victim.Name} at {Since(tick, killedAt)} "
                     + $"after {beforeKill} request(s); {survivor.Name} went on. Receiver: {receiver.Describe(tick)}";
        await TestContext.Out.WriteLineAsync($"measured: kill -9 mid-delivery, {receiver.RecipientsDelivered}/{alerts} alerts delivered, the last {Since(tick, last)} after the tick, "
                                             + $"duplicates received {receiver.DuplicatesReceived}, accepted {receiver.DuplicatesAccepted}. {report}");

        Assert.Multiple(() =>
        {
            Assert.That(receiver.Rejected.Count, Is.Zero, $"every request verifies (signature over timestamp.body, fresh timestamp, delivery id). {report}");
            Assert.That(receiver.RecipientsDelivered, Is.EqualTo(alerts), $"every recipient got its alert. {report}");
            Assert.That(receiver.DuplicatesAccepted, Is.Zero, $"no recipient accepted one alert twice (the delivery id is stable across attempts). {report}");
            Assert.That(last - tick, Is.LessThanOrEqualTo(AfterCrash), $"the last delivery within 30 s of the tick. {report}");
        });
        var ids = await scenario.WebhookDeliveryIdsAsync();
        Assert.That(delivered.Select(r => r.DeliveryId), Is.EquivalentTo(ids), "the receiver saw each outbox row's id, once accepted");
        await Eventually.ValueAsync(scenario.WebhookDeliveriesAsync, counts => counts.GetValueOrDefault("sent") == alerts && counts.Count == 1,
            $"all {alerts} webhook deliveries recorded as sent", TimeSpan.FromSeconds(15));
    }

    [Test]
    public async Task Deliveries_in_flight_at_a_SIGTERM_arrive_within_15_s_of_the_restart()
    {
        const int alerts = 20;
        // A slow receiver (1 s per answer): at the SIGTERM, sends are on the wire.
        var receiver = await ReceiverAsync(ports: alerts, responseDelay: TimeSpan.FromSeconds(1));
        var scenario = new DeliveryScenario(_database);
        await scenario.SeedAsync(receiver, alerts);
        var a = await StartAsync("mw-a");
        await RegisterOperatorAsync(a, _database);
        using (await ArmedAsync(a, alerts))
        {
        }

        var tick = await Ticks.WriteAsync(_database, (Ticker, Crossing));
        await receiver.FirstRequest.WaitAsync(AfterCrash, CancellationToken.None);
        var inFlight = receiver.InFlight;
        var sigterm = DateTimeOffset.UtcNow;
        var stopping = await a.TerminateAsync(TimeSpan.FromSeconds(45));
        var beforeRestart = receiver.RecipientsDelivered;

        var b = await StartAsync("mw-b");
        var restart = b.LiveAt;
        await UntilAsync(() => receiver.RecipientsDelivered >= alerts, restart + AfterRestart + Overtime);
        var delivered = receiver.Delivered;
        var last = delivered.Count > 0 ? delivered.Max(r => r.At) : DateTimeOffset.MaxValue;
        var report = $"SIGTERM with {inFlight} request(s) in flight at {Since(tick, sigterm)}; {a.Name} exited (code {a.ExitCode}) after "
                     + $"{stopping.TotalSeconds:0.0} s with {beforeRestart} recipient(s) served; {b.Name} launched at {Since(tick, b.LaunchedAt)}, "
                     + $"live {(b.LiveAt - b.LaunchedAt).TotalSeconds:0.0} s later. Receiver (times from the restart): {receiver.Describe(restart)}";
        await TestContext.Out.WriteLineAsync($"measured: SIGTERM with sends in flight (receiver 1 s per answer), {receiver.RecipientsDelivered}/{alerts} alerts delivered, the last "
                                             + $"{Since(restart, last)} after the restart (live), {Since(sigterm, last)} after the SIGTERM, duplicates received {receiver.DuplicatesReceived}, "
                                             + $"accepted {receiver.DuplicatesAccepted}. {report}");

        Assert.Multiple(() =>
        {
            Assert.That(receiver.Rejected.Count, Is.Zero, $"every request verifies (signature over timestamp.body, fresh timestamp, delivery id). {report}");
            Assert.That(receiver.RecipientsDelivered, Is.EqualTo(alerts), $"none lost. {report}");
            Assert.That(receiver.DuplicatesAccepted, Is.Zero, $"no recipient accepted one alert twice. {report}");
            Assert.That(last - restart, Is.LessThanOrEqualTo(AfterRestart), $"all delivered within 15 s of the restart (the new instance live). {report}");
        });
        await Eventually.ValueAsync(scenario.WebhookDeliveriesAsync, counts => counts.GetValueOrDefault("sent") == alerts && counts.Count == 1,
            $"all {alerts} webhook deliveries recorded as sent", TimeSpan.FromSeconds(15));
    }
}
