using MarketWatch.Web.Infrastructure.Data;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>Settings of section <c>Delivery</c>: the outbox dispatcher and the retry schedule.</summary>
public sealed class DeliveryOptions
{
    /// <summary>Run a dispatcher in this instance. Every instance can; they share the outbox (SKIP LOCKED).</summary>
    public bool Dispatcher { get; set; } = true;
    /// <summary>Sends in flight at once in this instance.</summary>
    public int Concurrency { get; set; } = 16;
    /// <summary>Sends in flight at once to one webhook URL, in this instance: a slow receiver holds at most this many workers.</summary>
    public int WebhookConcurrency { get; set; } = 1;
    /// <summary>Sends in flight at once per shared service (the SMTP server, Twilio, the push services), in this instance.</summary>
    public int ChannelConcurrency { get; set; } = 8;
    /// <summary>How long a claimed row is held; renewed every <see cref="HeartbeatSeconds"/> while it is sent. A dead instance's rows are free after it.</summary>
    public double LeaseSeconds { get; set; } = 15;
    public double HeartbeatSeconds { get; set; } = 5;
    /// <summary>On stop, how long sends in flight may finish before the rest are cancelled and handed back (at most a
    /// third of the host's shutdown timeout). A send that finishes is not sent again by the next instance.</summary>
    public double DrainSeconds { get; set; } = 5;
    /// <summary>How often the dispatcher looks for rows that came due (retries, held messages, expired leases) without a NOTIFY.</summary>
    public double PollSeconds { get; set; } = 1;
    /// <summary>Consecutive transient failures of one destination (webhook URL, SMTP server, Twilio) that open its circuit.</summary>
    public int CircuitFailures { get; set; } = 5;
    /// <summary>How long an open circuit holds that destination's rows (no attempt counted) before one trial send.</summary>
    public double CircuitOpenSeconds { get; set; } = 30;
    /// <summary>Attempts before a transiently failing delivery is marked Failed: with the defaults, about 24 hours of retries.</summary>
    public int MaxAttempts { get; set; } = 31;
    /// <summary>The first wait after a transient failure; each next one doubles, up to <see cref="RetryMaxSeconds"/>.</summary>
    public int RetryBaseSeconds { get; set; } = 30;
    public int RetryMaxSeconds { get; set; } = 3600;
}

/// <summary>
/// Sends the outbox, one per instance: claims due <see cref="Delivery"/> rows in batches (<c>FOR UPDATE SKIP LOCKED</c>,
/// so instances never claim the same row) under a short lease renewed while they are sent, and runs each through
/// <see cref="DeliveryJob"/> with bounded concurrency. Woken by NOTIFY <see cref="NotificationOutbox.DeliveriesDueChannel"/>
/// (sent by whatever commits due rows) and by a short timer (retries, held messages, leases of dead instances).
/// Each destination (a webhook URL, a shared service) has its own concurrency limit and circuit breaker: the claim
/// skips a destination that is full or whose circuit is open, so a dead receiver holds at most its limit of workers
/// and never delays anyone else; when a circuit opens, that destination's due rows are moved to its reopen time (no
/// attempt counted), so the claim does not rescan a dead receiver's backlog while it waits. On stop, sends in flight are cancelled and their rows handed back (Pending, due now,
/// the attempt not counted) with a NOTIFY, so another instance sends them at once.
/// </summary>
public sealed class DeliveryDispatcher(
    IServiceScopeFactory scopes,
    NpgsqlDataSource dataSource,
    IOptions<DeliveryOptions> options,
    IOptions<HostOptions> host,
    IHostApplicationLifetime lifetime,
    DatabaseHealth health,
    TimeProvider clock,
    ILogger<DeliveryDispatcher> logger) : BackgroundService
{
    private const string WebhookPrefix = "webhook:";
    private const string PushDestination = "channel:2";

    // Destination: a webhook's URL, else the channel's shared service. Rows of one user's webhook go to one URL.
    private static readonly string Claim = $"""
        WITH due AS (
            SELECT d.id, d.next_attempt_at, k.destination
            FROM deliveries d
            LEFT JOIN notification_preferences p ON p.user_id = d.user_id AND d.channel = {(int)Channel.Webhook}
            CROSS JOIN LATERAL (SELECT CASE WHEN d.channel = {(int)Channel.Webhook} THEN '{WebhookPrefix}' || coalesce(p.webhook_url, '')
                                            ELSE 'channel:' || d.channel END AS destination) k
            WHERE d.status IN ({(int)DeliveryStatus.Pending}, {(int)DeliveryStatus.Sending}) AND d.next_attempt_at <= @now
              AND (d.status = {(int)DeliveryStatus.Pending} OR d.lease_until < @now)
              AND NOT (k.destination = ANY(@blocked))
            ORDER BY d.next_attempt_at
            LIMIT @scan
            FOR UPDATE OF d SKIP LOCKED
        ), ranked AS (
            SELECT id, next_attempt_at, destination, row_number() OVER (PARTITION BY destination ORDER BY next_attempt_at, id) AS place FROM due
        ), chosen AS (
            SELECT r.id, r.destination FROM ranked r
            LEFT JOIN unnest(@busy, @room) AS b(destination, room) ON b.destination = r.destination
            WHERE r.place <= coalesce(b.room, CASE WHEN r.destination LIKE '{WebhookPrefix}%' THEN @webhook_room ELSE @channel_room END)
            ORDER BY r.next_attempt_at, r.id
            LIMIT @free
        )
        UPDATE deliveries d SET status = {(int)DeliveryStatus.Sending}, lease_token = gen_random_uuid(), lease_until = @lease,
            next_attempt_at = @lease, attempts = d.attempts + 1, cap_reserved = false
        FROM chosen c WHERE d.id = c.id
        RETURNING d.id, d.user_id, d.channel, coalesce(d.firing_id, d.source_event_id), d.alert_id, d.attempts, d.lease_token, c.destination, d.event_source
        """;

    // A destination's circuit opened: its Pending rows due before the reopen time wait until then, no attempt counted, so
    // the claim's index scan no longer walks a dead receiver's backlog (it filters blocked destinations only after the scan).
    // Rows due later (a retry's backoff) keep their time; a Sending row is someone's lease and is left alone.
    private static readonly string Postpone = $"""
        UPDATE deliveries d SET next_attempt_at = @until
        WHERE d.status = {(int)DeliveryStatus.Pending} AND d.next_attempt_at < @until
          AND CASE WHEN d.channel = {(int)Channel.Webhook}
                   THEN '{WebhookPrefix}' || coalesce((SELECT p.webhook_url FROM notification_preferences p WHERE p.user_id = d.user_id), '')
                   ELSE 'channel:' || d.channel END = @destination
        """;

    private static readonly string Renew = $"""
        UPDATE deliveries d SET lease_until = @lease, next_attempt_at = @lease
        FROM unnest(@ids, @tokens) AS x(id, token)
        WHERE d.id = x.id AND d.lease_token = x.token AND d.status = {(int)DeliveryStatus.Sending}
        """;

    private static readonly string HandBack = $"""
        WITH back AS (
            UPDATE deliveries d SET status = {(int)DeliveryStatus.Pending}, lease_until = NULL, lease_token = NULL, cap_reserved = false,
                next_attempt_at = @now, attempts = greatest(0, d.attempts - 1)
            FROM unnest(@ids, @tokens) AS x(id, token)
            WHERE d.id = x.id AND d.lease_token = x.token AND d.status = {(int)DeliveryStatus.Sending}
            RETURNING d.id
        )
        SELECT count(*), pg_notify('{NotificationOutbox.DeliveriesDueChannel}', '') FROM back HAVING count(*) > 0
        """;

    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _gate = new();
    private readonly Dictionary<long, InFlight> _inFlight = [];
    private readonly Dictionary<string, Destination> _destinations = [];
    private readonly CancellationTokenSource _sends = new();
    private bool _claimFailing;

    private sealed record InFlight(ClaimedDelivery Row, Task Run);

    /// <summary>One destination's state in this instance: sends in flight, and its circuit breaker.</summary>
    private sealed class Destination
    {
        public int InFlight;
        public int Failures;
        /// <summary>Open until then; once passed (half-open) one trial send at a time until an outcome closes or re-opens it.</summary>
        public DateTimeOffset? OpenUntil;
    }

    /// <summary>Rows this instance is sending now.</summary>
    public int InFlightCount
    {
        get
        {
            lock (_gate)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>Looks for due rows now (in-process shortcut of the NOTIFY).</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake: one pending wake-up covers any number of signals.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken hostStopping)
    {
        // The application's stop, not this service's turn to stop (services stop one after the other): the sends are
        // handed back at once, while the rest of the app shuts down.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(hostStopping, lifetime.ApplicationStopping);
        var stoppingToken = stopping.Token;
        var settings = options.Value;
        var listener = PostgresListener.RunAsync(dataSource, [NotificationOutbox.DeliveriesDueChannel], (_, _) => Wake(),
            listening => { if (listening) { Wake(); } }, health, health.Listener(NotificationOutbox.DeliveriesDueChannel), logger, stoppingToken);
        // The leases are renewed until the rows are handed back, not only until the stop begins: sends still run during
        // the drain, and a lease that ran out then would let another instance send the same row while this one does.
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(settings, heartbeatStop.Token);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var free = settings.Concurrency - InFlightCount;
                var claimed = free > 0 ? await ClaimAndStartAsync(settings, free, stoppingToken) : 0;
                // A full batch may have left due rows behind, and a claim that reached a destination's limit skips it next time.
                if (claimed > 0 && InFlightCount < settings.Concurrency)
                {
                    continue;
                }
                try
                {
                    await _wake.WaitAsync(TimeSpan.FromSeconds(settings.PollSeconds), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            try
            {
                await StopSendingAsync();
            }
            finally
            {
                await heartbeatStop.CancelAsync();
            }
            await listener;
            await heartbeat;
        }
    }

    private async Task<int> ClaimAndStartAsync(DeliveryOptions settings, int free, CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow();
        var blocked = new List<string>();
        var busy = new List<string>();
        var room = new List<int>();
        lock (_gate)
        {
            foreach (var (key, destination) in _destinations)
            {
                var left = Room(key, destination, settings, now);
                if (left <= 0)
                {
                    blocked.Add(key);
                }
                else if (left < Limit(key, settings))
                {
                    busy.Add(key);
                    room.Add(left);
                }
            }
        }
        var rows = new List<ClaimedDelivery>();
        try
        {
            await using var command = dataSource.CreateCommand(Claim);
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("lease", now.AddSeconds(settings.LeaseSeconds));
            command.Parameters.AddWithValue("blocked", NpgsqlDbType.Array | NpgsqlDbType.Text, blocked.ToArray());
            command.Parameters.AddWithValue("busy", NpgsqlDbType.Array | NpgsqlDbType.Text, busy.ToArray());
            command.Parameters.AddWithValue("room", NpgsqlDbType.Array | NpgsqlDbType.Integer, room.ToArray());
            command.Parameters.AddWithValue("webhook_room", settings.WebhookConcurrency);
            command.Parameters.AddWithValue("channel_room", settings.ChannelConcurrency);
            command.Parameters.AddWithValue("free", free);
            command.Parameters.AddWithValue("scan", free * 4);
            // Not cancelled by the stop: a claim that committed must come back here to be handed back, not be lost until its lease ends.
            await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
            while (await reader.ReadAsync(CancellationToken.None))
            {
                rows.Add(new ClaimedDelivery(reader.GetInt64(0), reader.GetString(1), (Channel)reader.GetInt32(2),
                    reader.IsDBNull(3) ? null : reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetInt64(4),
                    reader.GetInt32(5), reader.GetGuid(6), reader.GetString(7), reader.GetInt16(8)));
            }
            if (_claimFailing)
            {
                _claimFailing = false;
                logger.LogInformation("Claiming deliveries works again");
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // The database is away (or not migrated yet): the timer tries again; one warning per outage.
            if (!_claimFailing)
            {
                _claimFailing = true;
                logger.LogWarning(ex, "Could not claim deliveries; trying again every {Seconds} s", settings.PollSeconds);
            }
            return 0;
        }
        lock (_gate)
        {
            foreach (var row in rows)
            {
                var destination = _destinations.TryGetValue(row.Destination, out var known) ? known : _destinations[row.Destination] = new Destination();
                destination.InFlight++;
                // Registered before it starts, so the stop finds it whatever happens next; a stop that came meanwhile hands it back unsent.
                _inFlight[row.Id] = new InFlight(row, stoppingToken.IsCancellationRequested ? Task.CompletedTask : Task.Run(() => SendAsync(row), CancellationToken.None));
            }
        }
        return rows.Count;
    }

    private async Task SendAsync(ClaimedDelivery row)
    {
        var run = DeliveryRun.NotAttempted;
        var handBack = false;
        DateTimeOffset? opened = null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            run = await scope.ServiceProvider.GetRequiredService<DeliveryJob>().RunAsync(row, _sends.Token);
        }
        catch (OperationCanceledException) when (_sends.IsCancellationRequested)
        {
            handBack = true;
        }
        catch (Exception ex)
        {
            // Not the channel (DeliveryJob turns its failures into retries): the database. The lease runs out and the row is claimed again.
            logger.LogWarning(ex, "Delivery {DeliveryId} could not be processed; it is claimed again when its lease ends", row.Id);
        }
        finally
        {
            lock (_gate)
            {
                // A row to hand back stays listed: the stop hands back everything still listed.
                if (!handBack)
                {
                    _inFlight.Remove(row.Id);
                }
                var destination = _destinations[row.Destination];
                destination.InFlight--;
                opened = Record(row.Destination, destination, run, options.Value, clock.GetUtcNow());
                if (destination.InFlight == 0 && destination.Failures == 0 && destination.OpenUntil is null)
                {
                    _destinations.Remove(row.Destination);
                }
            }
            if (opened is { } until)
            {
                await PostponeAsync(row.Destination, until);
            }
            Wake();
        }
    }

    /// <summary>Moves the due rows of a destination whose circuit just opened to its reopen time (see <see cref="Postpone"/>).</summary>
    private async Task PostponeAsync(string destination, DateTimeOffset until)
    {
        try
        {
            await using var command = dataSource.CreateCommand(Postpone);
            command.Parameters.AddWithValue("until", until);
            command.Parameters.AddWithValue("destination", destination);
            var postponed = await command.ExecuteNonQueryAsync(CancellationToken.None);
            if (postponed > 0)
            {
                logger.LogInformation("{Count} deliveries to {Destination} wait for its circuit to reopen", postponed, Describe(destination));
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            // Only the claim's cost: the claim still skips the destination while its circuit is open.
            logger.LogWarning(ex, "Could not postpone the deliveries to {Destination} while its circuit is open", Describe(destination));
        }
    }

    /// <summary>Counts a send's outcome in its destination's circuit; returns the reopen time when the circuit (re)opened.</summary>
    private DateTimeOffset? Record(string key, Destination destination, DeliveryRun run, DeliveryOptions settings, DateTimeOffset now)
    {
        switch (run)
        {
            case DeliveryRun.Sent or DeliveryRun.Refused:
                if (destination.OpenUntil is not null)
                {
                    logger.LogInformation("Delivery circuit of {Destination} closed: it answers again", Describe(key));
                }
                destination.Failures = 0;
                destination.OpenUntil = null;
                break;
            case DeliveryRun.TransientFailure when key != PushDestination:
                // Push failures are one device's, not the push services': they never open the channel's circuit.
                destination.Failures++;
                if (destination.OpenUntil is not null || destination.Failures >= settings.CircuitFailures)
                {
                    destination.OpenUntil = now.AddSeconds(settings.CircuitOpenSeconds);
                    logger.LogWarning("Delivery circuit of {Destination} open for {Seconds} s after {Failures} failures in a row",
                        Describe(key), settings.CircuitOpenSeconds, destination.Failures);
                    return destination.OpenUntil;
                }
                break;
        }
        return null;
    }

    /// <summary>A webhook URL's path and query can carry a secret: the logs name its host only.</summary>
    private static string Describe(string key) =>
        key.StartsWith(WebhookPrefix, StringComparison.Ordinal) && Uri.TryCreate(key[WebhookPrefix.Length..], UriKind.Absolute, out var uri)
            ? "webhook " + uri.Authority
            : key;

    private static int Limit(string key, DeliveryOptions settings) =>
        key.StartsWith(WebhookPrefix, StringComparison.Ordinal) ? settings.WebhookConcurrency : settings.ChannelConcurrency;

    private static int Room(string key, Destination destination, DeliveryOptions settings, DateTimeOffset now)
    {
        if (destination.OpenUntil > now)
        {
            return 0;
        }
        var limit = destination.OpenUntil is null ? Limit(key, settings) : 1;
        return limit - destination.InFlight;
    }

    /// <summary>Renews the lease of every row in flight here, in one statement, so only a dead instance's rows expire.</summary>
    private async Task HeartbeatAsync(DeliveryOptions settings, CancellationToken stopToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.HeartbeatSeconds), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stopToken))
            {
                ClaimedDelivery[] rows;
                lock (_gate)
                {
                    rows = [.. _inFlight.Values.Select(f => f.Row)];
                }
                if (rows.Length == 0)
                {
                    continue;
                }
                try
                {
                    await using var command = dataSource.CreateCommand(Renew);
                    command.Parameters.AddWithValue("lease", clock.GetUtcNow().AddSeconds(settings.LeaseSeconds));
                    command.Parameters.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
                    command.Parameters.AddWithValue("tokens", rows.Select(r => r.LeaseToken).ToArray());
                    await command.ExecuteNonQueryAsync(stopToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    logger.LogWarning(ex, "Could not renew the lease of {Count} deliveries in flight", rows.Length);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// The instance stops (claiming has ended): sends in flight get <see cref="DeliveryOptions.DrainSeconds"/> to finish
    /// (a send that completes is recorded and never repeated), then the rest are cancelled and every row still held here
    /// is handed back in one statement that also NOTIFYs the other instances. Within the host's shutdown timeout
    /// (HostOptions.ShutdownTimeout; Fly's kill_timeout must exceed it).
    /// </summary>
    private async Task StopSendingAsync()
    {
        var third = host.Value.ShutdownTimeout / 3;
        var drain = TimeSpan.FromSeconds(Math.Max(0, options.Value.DrainSeconds));
        await WaitForSendsAsync(drain < third ? drain : third);
        await _sends.CancelAsync();
        var budget = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, third.Ticks));
        if (!await WaitForSendsAsync(budget))
        {
            logger.LogWarning("Sends still running {Seconds} s after they were cancelled: their rows are handed back anyway", budget.TotalSeconds);
        }
        ClaimedDelivery[] rows;
        lock (_gate)
        {
            rows = [.. _inFlight.Values.Select(f => f.Row)];
        }
        if (rows.Length == 0)
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(budget);
            await using var command = dataSource.CreateCommand(HandBack);
            command.Parameters.AddWithValue("now", clock.GetUtcNow());
            command.Parameters.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
            command.Parameters.AddWithValue("tokens", rows.Select(r => r.LeaseToken).ToArray());
            var handedBack = await command.ExecuteScalarAsync(timeout.Token);
            logger.LogInformation("Stopping: handed back {Count} deliveries in flight to the other instances", handedBack ?? 0L);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            logger.LogWarning(ex, "Stopping: could not hand back {Count} deliveries in flight; they are claimed again when their lease ends", rows.Length);
        }
    }

    /// <summary>Waits up to <paramref name="limit"/> for the sends in flight now; false when some still run.</summary>
    private async Task<bool> WaitForSendsAsync(TimeSpan limit)
    {
        Task[] running;
        lock (_gate)
        {
            running = [.. _inFlight.Values.Select(f => f.Run)];
        }
        if (running.Length == 0 || limit <= TimeSpan.Zero)
        {
            return running.All(t => t.IsCompleted);
        }
        try
        {
            await Task.WhenAll(running).WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception)
        {
            // Each run handles its own failures; what is left is whatever is still listed.
        }
        return true;
    }

    public override void Dispose()
    {
        _sends.Dispose();
        _wake.Dispose();
        base.Dispose();
    }
}
