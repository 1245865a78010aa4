using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Notifications;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Notifications;

/// <summary>
/// The outbox dispatcher against a real database and loopback receivers: a dead webhook delays no one else, a stopping
/// instance hands its sends back, a dead instance's rows are taken over within seconds, a long send keeps its lease,
/// and the daily cap holds while sends run in parallel. The fixture's own app sends nothing: each test starts the
/// dispatching instances ("nodes") it needs on the same database, so it can stop one mid-send and start another.
/// </summary>
public sealed class DeliveryDispatcherTests : AppTest
{
    private static readonly Dictionary<string, string?> Base = new()
    {
        ["Delivery:Dispatcher"] = "false",
        ["App:BaseUrl"] = "https://marketwatch.example",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        // The simulated market trades around the clock: alerts are evaluated whatever the hour of the run.
        ["MarketData:Simulated:DemoMode"] = "true",
    };

    private sealed record Received(string User, string Delivery, long StartedAt, bool Completed);

    private readonly ConcurrentQueue<Received> _hooks = new();
    private readonly ConcurrentDictionary<string, int> _concurrent = new();
    private readonly ConcurrentDictionary<string, int> _maxConcurrent = new();
    private LoopbackHttpServer _receiver = null!;
    private volatile bool _flakyFails;

    protected override IDictionary<string, string?> Settings => Base;

    [OneTimeSetUp]
    public async Task StartReceiverAsync() => _receiver = await LoopbackHttpServer.StartAsync(ReceiveAsync);

    [OneTimeTearDown]
    public async Task StopReceiverAsync() => await _receiver.DisposeAsync();

    /// <summary>A webhook receiver at /hook/{delay ms}/{user}: answers 200 after the delay; keeps who got what, and how many at once.
    /// Delay -1 is a flaky receiver: 503 (not recorded) while <see cref="_flakyFails"/>, else 200 at once.</summary>
    private async Task ReceiveAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        var segments = http.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var (delay, user) = (int.Parse(segments[1]), segments[2]);
        if (delay < 0)
        {
            if (_flakyFails)
            {
                http.Response.StatusCode = 503;
                return;
            }
            delay = 0;
        }
        var delivery = http.Request.Headers["X-MarketWatch-Delivery"].ToString();
        var now = _concurrent.AddOrUpdate(user, 1, (_, n) => n + 1);
        _maxConcurrent.AddOrUpdate(user, now, (_, n) => Math.Max(n, now));
        _hooks.Enqueue(new Received(user, delivery, started, Completed: false));
        try
        {
            await Task.Delay(delay, http.RequestAborted);
            http.Response.StatusCode = 200;
            await http.Response.CompleteAsync();
            _hooks.Enqueue(new Received(user, delivery, started, Completed: true));
        }
        catch (OperationCanceledException)
        {
            // The sender gave up (its instance is stopping): no answer.
        }
        finally
        {
            _concurrent.AddOrUpdate(user, 0, (_, n) => n - 1);
        }
    }

    private List<Received> HooksOf(User user) => _hooks.Where(h => h.User == user.Id).ToList();

    /// <summary>Another instance on the fixture's database, dispatching (with these settings on top).</summary>
    private MarketWatchFactory Node(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>(Base) { ["Delivery:Dispatcher"] = "true" };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }
        var node = new MarketWatchFactory(DatabaseName, settings: all);
        _ = node.Services;
        return node;
    }

    private async Task<User> UserWithWebhookAsync(string url, int cap = 500)
    {
        var user = await UserAsync(this, App, Client, "dispatch");
        var response = await user.Api.PutAsJsonAsync("/api/notifications/preferences", new
        {
            emailEnabled = true, pushEnabled = true, webhookEnabled = true, webhookUrl = url.Replace("{user}", user.Id),
            emailDailyCap = 50, pushDailyCap = 50, smsDailyCap = 10, webhookDailyCap = cap,
        });
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        return user;
    }

    private string HookUrl(int delayMs) => new Uri(_receiver.Address, $"/hook/{delayMs}/{{user}}").ToString();

    /// <summary>Due test deliveries over the webhook, written as a feature writes them, then the dispatchers woken through the outbox.</summary>
    private async Task<List<long>> DueAsync(User user, int count)
    {
        var ids = await IdsAsync($"""
            INSERT INTO deliveries (user_id, channel, status, attempts, created_at, next_attempt_at)
            SELECT @user, {(int)Channel.Webhook}, 0, 0, now(), now() FROM generate_series(1, {count}) RETURNING id
            """, user);
        await using var scope = App.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<NotificationOutbox>().WakeAsync(CancellationToken.None);
        return ids;
    }

    private async Task<List<long>> IdsAsync(string insert, User user)
    {
        await using var command = App.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(insert);
        command.Parameters.AddWithValue("user", user.Id);
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    private Task<List<Delivery>> RowsAsync(IEnumerable<long> ids)
    {
        var list = ids.ToList();
        return App.WithDbAsync(db => db.Set<Delivery>().AsNoTracking().Where(d => list.Contains(d.Id)).OrderBy(d => d.Id).ToListAsync());
    }

    [Test]
    public async Task A_webhook_that_never_answers_does_not_delay_another_users_delivery()
    {
        using var dead = new SilentServer();
        var stuck = await UserWithWebhookAsync($"http://127.0.0.1:{dead.Port}/hook");
        var healthy = await UserWithWebhookAsync(HookUrl(0));
        // As few workers as the old Hangfire setup of the tests had: the dead endpoint may hold one of them, never both.
        await using var node = Node(("Delivery:Concurrency", "2"));
        var engine = App.Services.GetRequiredService<AlertEngine>();
        await Ticks.WriteAsync(App, ("IAM", 100m), ("BCP", 250m));
        // A backlog for the dead endpoint from a firing of its own, due before anything else.
        var armed = engine.Armed;
        for (var i = 0; i < 20; i++)
        {
            await CreateAsync(stuck.Api, new { ticker = "IAM", condition = "PriceAbove", level = 101 + i / 100m, channels = new[] { "Webhook" } });
        }
        await CreateAsync(healthy.Api, new { ticker = "BCP", condition = "PriceAbove", level = 260, channels = new[] { "Webhook" } });
        await WaitArmedAsync(App, armed + 21);
        await Ticks.WriteAsync(App, ("IAM", 105m));
        await Eventually.TrueAsync(() => dead.Accepted > 0, "the dispatcher to be stuck sending to the dead endpoint");

        var fired = Stopwatch.GetTimestamp();
        await Ticks.WriteAsync(App, ("BCP", 261m));

        var hook = await Eventually.ValueAsync(() => Task.FromResult(HooksOf(healthy).FirstOrDefault()), h => h is not null, "the healthy user's webhook");
        var after = Stopwatch.GetElapsedTime(fired, hook!.StartedAt);
        Assert.That(after, Is.LessThan(TimeSpan.FromSeconds(2)), "the healthy webhook within 2 s of the tick, whatever the dead one does");
        Assert.That(dead.Accepted, Is.LessThanOrEqualTo(2), "the dead endpoint got one send at a time (5 s timeout each), not the queue");
    }

    [Test]
    public async Task A_destination_that_keeps_failing_opens_its_circuit_and_its_rows_wait_without_losing_attempts()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var refused = await UserWithWebhookAsync($"http://127.0.0.1:{port}/hook");
        var healthy = await UserWithWebhookAsync(HookUrl(0));
        await using var node = Node(("Delivery:CircuitFailures", "3"), ("Delivery:CircuitOpenSeconds", "600"), ("Delivery:RetryBaseSeconds", "600"));

        var failing = await DueAsync(refused, 10);
        await Eventually.ValueAsync(() => RowsAsync(failing), rows => rows.Count(r => r.Attempts == 1 && r.Status == DeliveryStatus.Pending) == 3,
            "three failed attempts (connection refused), each retried later");
        // Due after the failing ones, so claimed after them in order: it arrives only because the open circuit skips them.
        await DueAsync(healthy, 1);
        await Eventually.TrueAsync(() => HooksOf(healthy).Any(h => h.Completed), "the healthy user's webhook");
        var rows = await RowsAsync(failing);
        Assert.That(rows.Count(r => r.Attempts == 0 && r.Status == DeliveryStatus.Pending), Is.EqualTo(7),
            "the circuit opened after 3 failures: the other rows wait, no attempt spent");
    }

    [Test]
    public async Task When_a_circuit_opens_its_due_rows_wait_for_the_reopen_time_without_losing_attempts_and_are_sent_after_it_closes()
    {
        // Without this, a dead receiver's backlog stays due and every claim (one after each finished send) scans it all.
        _flakyFails = true;
        var flaky = await UserWithWebhookAsync(HookUrl(-1));
        await using var node = Node(("Delivery:CircuitFailures", "3"), ("Delivery:CircuitOpenSeconds", "10"), ("Delivery:RetryBaseSeconds", "600"));

        var ids = await DueAsync(flaky, 10);
        var rows = await Eventually.ValueAsync(() => RowsAsync(ids),
            rows => rows.Count(r => r.Attempts == 1) == 3 && rows.Count(r => r.Attempts == 0 && r.NextAttemptAt >= r.CreatedAt.AddSeconds(9)) == 7,
            "three failed attempts (503) open the circuit, and the seven other rows move to its reopen time");
        var waiting = rows.Where(r => r.Attempts == 0).ToList();
        Assert.That(waiting.Select(r => r.Status), Is.All.EqualTo(DeliveryStatus.Pending), "postponed, not claimed");
        Assert.That(waiting.Select(r => r.NextAttemptAt).Distinct().Count(), Is.EqualTo(1), "all at the circuit's one reopen time");
        Assert.That(HooksOf(flaky), Is.Empty, "nothing delivered while it failed");

        _flakyFails = false;
        var sent = await Eventually.ValueAsync(() => RowsAsync(waiting.Select(r => r.Id)), rows => rows.All(r => r.Status == DeliveryStatus.Sent),
            "the postponed rows, sent once the circuit reopens and the trial send closes it", timeout: TimeSpan.FromSeconds(40));
        Assert.That(sent.Select(r => r.Attempts), Is.All.EqualTo(1), "one attempt each: the wait counted none");
        Assert.That(HooksOf(flaky).Count(h => h.Completed), Is.EqualTo(7));
        var failed = await RowsAsync(ids.Except(waiting.Select(r => r.Id)));
        Assert.That(failed.Select(r => (r.Status, r.Attempts)), Is.All.EqualTo((DeliveryStatus.Pending, 1)), "the failed rows keep their own retry time (600 s)");
    }

    [Test]
    public async Task A_stopping_instance_lets_short_sends_finish_and_hands_back_what_it_had_not_sent()
    {
        // Each send takes 1 s, well inside the 5 s drain: what is in flight at the stop finishes there and is not sent
        // again; what was not claimed yet is left pending for the next instance.
        var user = await UserWithWebhookAsync(HookUrl(1000));
        List<long> ids;
        await using (var first = Node(("Delivery:WebhookConcurrency", "2")))
        {
            ids = await DueAsync(user, 6);
            await Eventually.TrueAsync(() => HooksOf(user).Count(h => !h.Completed) >= 2, "two sends in flight (the receiver takes 1 s)");
        }
        var stopped = await RowsAsync(ids);
        Assert.That(stopped.Count(r => r.Status == DeliveryStatus.Sent), Is.GreaterThanOrEqualTo(2), "the sends in flight at the stop finished");
        Assert.That(stopped.Select(r => r.Status), Is.All.AnyOf(DeliveryStatus.Sent, DeliveryStatus.Pending), "nothing left sending under a lease");

        await using var second = Node(("Delivery:WebhookConcurrency", "10"));
        await Eventually.ValueAsync(() => RowsAsync(ids), rows => rows.All(r => r.Status == DeliveryStatus.Sent), "all six sent");
        var started = HooksOf(user).Where(h => !h.Completed).Select(h => h.Delivery).ToList();
        Assert.That(started, Is.Unique, "no delivery was sent twice: the drained sends were recorded before the stop");
        Assert.That(started, Is.EquivalentTo(ids.Select(id => id.ToString())));
    }

    [Test]
    public async Task A_stopping_instance_hands_its_sends_back_and_the_next_one_delivers_them_all()
    {
        var user = await UserWithWebhookAsync(HookUrl(1000));
        List<long> ids;
        // No drain: sends in flight are cut short at once and handed back.
        await using (var first = Node(("Delivery:WebhookConcurrency", "10"), ("Delivery:DrainSeconds", "0")))
        {
            ids = await DueAsync(user, 5);
            await Eventually.TrueAsync(() => HooksOf(user).Count(h => !h.Completed) >= 3, "sends in flight (the receiver takes 1 s)");
        }
        var back = await RowsAsync(ids);
        Assert.That(back.Where(r => r.Status != DeliveryStatus.Sent).Select(r => (r.Status, r.LeaseUntil, r.LeaseToken, r.Attempts, r.CapReserved)),
            Is.All.EqualTo((DeliveryStatus.Pending, (DateTimeOffset?)null, (Guid?)null, 0, false)),
            "every row not sent is handed back: pending, lease cleared, the cut-short attempt not counted");
        Assert.That(back.Count(r => r.Status == DeliveryStatus.Pending), Is.GreaterThanOrEqualTo(3));
        Assert.That(back.Where(r => r.Status == DeliveryStatus.Pending).Select(r => r.NextAttemptAt!.Value),
            Is.All.LessThanOrEqualTo(DateTimeOffset.UtcNow), "due at once");

        var restarted = Stopwatch.StartNew();
        await using var second = Node(("Delivery:WebhookConcurrency", "10"));
        await Eventually.ValueAsync(() => RowsAsync(ids), rows => rows.All(r => r.Status == DeliveryStatus.Sent), "all five sent by the new instance",
            TimeSpan.FromSeconds(15) - restarted.Elapsed);
        var answered = HooksOf(user).Where(h => h.Completed).Select(h => h.Delivery).Distinct().ToList();
        Assert.That(answered, Is.EquivalentTo(ids.Select(id => id.ToString())), "each delivery answered, named by its id");
    }

    [Test]
    public async Task A_row_left_sending_by_a_dead_instance_is_sent_again_once_its_lease_ends()
    {
        var user = await UserWithWebhookAsync(HookUrl(0));
        await using var node = Node();
        // As a killed instance leaves them: claimed (attempt counted), lease ended a moment ago / ending in 3 s.
        var ids = await IdsAsync($"""
            INSERT INTO deliveries (user_id, channel, status, attempts, created_at, lease_until, next_attempt_at, lease_token)
            VALUES (@user, {(int)Channel.Webhook}, 1, 1, now(), now() - interval '1 second', now() - interval '1 second', gen_random_uuid()),
                   (@user, {(int)Channel.Webhook}, 1, 1, now(), now() + interval '3 seconds', now() + interval '3 seconds', gen_random_uuid())
            RETURNING id
            """, user);
        var written = Stopwatch.StartNew();

        var rows = await Eventually.ValueAsync(() => RowsAsync(ids), r => r.All(x => x.Status == DeliveryStatus.Sent), "both rows sent again",
            TimeSpan.FromSeconds(10));
        Assert.That(written.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "within seconds of the lease's end, not at a minute's sweep");
        Assert.That(rows.Select(r => r.Attempts), Is.All.EqualTo(2));
        Assert.That(HooksOf(user).Where(h => h.Completed).Select(h => h.Delivery), Is.EquivalentTo(ids.Select(id => id.ToString())));
    }

    [Test]
    public async Task A_send_longer_than_the_lease_keeps_it_by_heartbeat_and_no_other_instance_sends_it_too()
    {
        var user = await UserWithWebhookAsync(HookUrl(4000));
        (string, string)[] shortLease = [("Delivery:LeaseSeconds", "2"), ("Delivery:HeartbeatSeconds", "0.5"), ("Webhooks:TimeoutSeconds", "10")];
        await using var first = Node(shortLease);
        await using var second = Node(shortLease);
        var ids = await DueAsync(user, 1);

        var row = (await Eventually.ValueAsync(() => RowsAsync(ids), r => r[0].Status == DeliveryStatus.Sent, "the slow send to complete"))[0];
        Assert.That(HooksOf(user).Count(h => !h.Completed), Is.EqualTo(1), "sent once: the lease was renewed while the receiver took 4 s");
        Assert.That(row.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task A_send_finishing_in_the_drain_keeps_its_lease_and_no_other_instance_sends_it_too()
    {
        // The receiver takes 3 s, inside the 5 s drain but longer than the 2 s lease: the lease must still be renewed
        // while the stopping instance lets the send finish, or the other instance claims the row and sends it again.
        var user = await UserWithWebhookAsync(HookUrl(3000));
        (string, string)[] shortLease = [("Delivery:LeaseSeconds", "2"), ("Delivery:HeartbeatSeconds", "0.5"), ("Delivery:DrainSeconds", "5"),
            ("Webhooks:TimeoutSeconds", "10")];
        var first = Node(shortLease);
        await using var second = Node(shortLease);
        var nodes = new[] { first, second };
        var ids = await DueAsync(user, 1);
        var sending = await Eventually.ValueAsync(() => Task.FromResult(nodes.FirstOrDefault(n => n.Services.GetRequiredService<DeliveryDispatcher>().InFlightCount > 0)),
            n => n is not null, "one instance sending");
        await Eventually.TrueAsync(() => HooksOf(user).Count > 0, "the request at the receiver");

        await sending!.DisposeAsync();
        if (sending != first)
        {
            await first.DisposeAsync();
        }
        var row = (await Eventually.ValueAsync(() => RowsAsync(ids), r => r[0].Status == DeliveryStatus.Sent, "the send to be recorded"))[0];
        Assert.That(HooksOf(user).Count(h => !h.Completed), Is.EqualTo(1), "sent once: the drained send kept its lease");
        Assert.That(row.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task The_daily_cap_holds_while_sends_run_in_parallel_with_no_lock_across_them()
    {
        var user = await UserWithWebhookAsync(HookUrl(1000), cap: 3);
        await using var node = Node(("Delivery:WebhookConcurrency", "16"));
        var ids = await DueAsync(user, 10);

        var rows = await Eventually.ValueAsync(() => RowsAsync(ids), r => r.All(x => x.Status is DeliveryStatus.Sent or DeliveryStatus.Skipped), "ten settled rows");
        Assert.That(rows.Count(r => r.Status == DeliveryStatus.Sent), Is.EqualTo(3), "the cap of 3, with ten due at once");
        Assert.That(rows.Where(r => r.Status == DeliveryStatus.Skipped).Select(r => r.DetailKey),
            Is.All.EqualTo("Not sent: the daily limit of {0} for this channel was reached."));
        Assert.That(HooksOf(user).Count(h => h.Completed), Is.EqualTo(3));
        Assert.That(_maxConcurrent[user.Id], Is.GreaterThanOrEqualTo(2), "the sends overlapped: no cap lock is held while one is on the network");
        Assert.That(rows.Select(r => r.CapReserved), Is.All.False, "every reservation settled");
    }

    /// <summary>A TCP endpoint that accepts connections and never answers: a webhook receiver that hangs.</summary>
    private sealed class SilentServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ConcurrentBag<Socket> _held = [];
        private int _accepted;

        public SilentServer()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Accepted => Volatile.Read(ref _accepted);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    _held.Add(await _listener.AcceptSocketAsync());
                    Interlocked.Increment(ref _accepted);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            foreach (var socket in _held)
            {
                socket.Dispose();
            }
        }
    }
}
