using System.Text.Json;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Live;
using Microsoft.Extensions.Options;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using Npgsql;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>Settings of section <c>Alerts</c>.</summary>
public sealed class AlertOptions
{
    /// <summary>Evaluate ticks in memory on this instance (the minute sweep runs regardless, through Hangfire).</summary>
    public bool Engine { get; set; } = true;
    /// <summary>Reload every armed alert this often, a safety net for a missed notification.</summary>
    public int FullReloadMinutes { get; set; } = 10;
    public int MaxAlertsPerUser { get; set; } = 200;
}

/// <summary>
/// The in-memory engine, on every instance: it takes the ingest's ticks from the instance's <see cref="QuoteListener"/>
/// and LISTENs to alert changes, evaluates each tick against the armed alerts of that instrument
/// (<see cref="AlertEvaluator"/>) and claims what holds. Two instances evaluating the same tick both try to claim;
/// the database lets one win (<see cref="AlertClaims"/>).
/// </summary>
public sealed class AlertEngine(
    NpgsqlDataSource dataSource,
    AlertClaims claims,
    MarketStatusService market,
    MarketMemory memory,
    AlertIndicators indicators,
    QuoteListener quotes,
    DatabaseHealth health,
    IOptions<AlertOptions> options,
    TimeProvider clock,
    ILogger<AlertEngine> logger) : BackgroundService, IQuoteBatchConsumer
{
    public const string ChangedChannel = "alerts_changed";

    private readonly Lock _gate = new();
    private readonly WakeUp _wake = new(clock);
    private Dictionary<string, QuoteRow> _ticks = new(StringComparer.OrdinalIgnoreCase);
    private HashSet<long> _changed = [];
    private bool _reloadAll = true;
    private AlertEvaluator _evaluator = new();
    private Dictionary<string, int> _instruments = new(StringComparer.OrdinalIgnoreCase);
    private int _armed;
    private long _firings;
    private long _fullLoads;
    private long _evaluatedThrough = DateTimeOffset.MinValue.UtcTicks;
    private bool _listening;

    /// <summary>Armed (alert, instrument) pairs held in memory.</summary>
    public int Armed => Volatile.Read(ref _armed);
    /// <summary>Full loads of the armed alerts and the market memory: at start, after a lost connection, every few minutes.</summary>
    public long FullLoads => Interlocked.Read(ref _fullLoads);
    /// <summary>Firings this instance won.</summary>
    public long Firings => Interlocked.Read(ref _firings);
    /// <summary>
    /// The newest quote time this instance has evaluated and claimed for: a tick stored at or before it is done with
    /// here, so whatever it was going to fire has fired (what a caller waits for before concluding nothing else will).
    /// </summary>
    public DateTimeOffset EvaluatedThrough => new(Interlocked.Read(ref _evaluatedThrough), TimeSpan.Zero);

    /// <summary>Both feeds in place: alert changes (this engine's LISTEN) and ticks (the instance's quote listener).</summary>
    public bool Listening => Volatile.Read(ref _listening) && quotes.Listening;

    /// <summary>Tells every instance's engine that these alerts changed (made, edited, paused, re-armed, deleted).</summary>
    public static Task NotifyChangedAsync(NpgsqlConnection connection, IEnumerable<long> alertIds, CancellationToken cancellationToken) =>
        // Too many for one notification: every engine reloads everything instead ("*").
        PostgresListener.NotifyAsync(connection, ChangedChannel, alertIds.Distinct(), cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Engine)
        {
            return;
        }
        var worker = Task.Run(() => WorkLoopAsync(stoppingToken), stoppingToken);
        await PostgresListener.RunAsync(dataSource, [ChangedChannel], OnNotification, listening =>
        {
            Volatile.Write(ref _listening, listening);
            if (listening)
            {
                // Whatever happened while not listening: start from the database again.
                Wake(reloadAll: true);
            }
        }, health, health.Listener(ChangedChannel), logger, stoppingToken);
        await worker.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        lock (_gate)
        {
            try
            {
                if (e.Payload == PostgresListener.Everything)
                {
                    _reloadAll = true;
                }
                else
                {
                    _changed.UnionWith(JsonSerializer.Deserialize<long[]>(e.Payload) ?? []);
                }
            }
            catch (JsonException)
            {
                _reloadAll = true;
            }
        }
        Wake(reloadAll: false);
    }

    /// <summary>The instance's ticks: kept (the latest per ticker) for the work loop, which evaluates them.</summary>
    public Task OnQuotesAsync(QuoteBatch batch, CancellationToken cancellationToken)
    {
        if (!options.Value.Engine)
        {
            return Task.CompletedTask;
        }
        lock (_gate)
        {
            // After a lost quote connection: whatever happened meanwhile, start from the database again.
            _reloadAll |= batch.Resync;
            foreach (var quote in batch.Quotes)
            {
                _ticks[quote.Ticker] = quote;
            }
        }
        _wake.Signal();
        return Task.CompletedTask;
    }

    private void Wake(bool reloadAll)
    {
        lock (_gate)
        {
            _reloadAll |= reloadAll;
        }
        _wake.Signal();
    }

    private async Task WorkLoopAsync(CancellationToken stoppingToken)
    {
        var loadedAt = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(TimeSpan.FromMinutes(1), stoppingToken);
                if (!Listening)
                {
                    // Ticks could be missed: load (and count as armed) only once both feeds are in place; until
                    // then what piled up stays pending, and the listener's resync wakes this loop again.
                    continue;
                }
                Dictionary<string, QuoteRow> ticks;
                HashSet<long> changed;
                bool reloadAll;
                lock (_gate)
                {
                    (ticks, changed, reloadAll) = (_ticks, _changed, _reloadAll);
                    _ticks = new Dictionary<string, QuoteRow>(StringComparer.OrdinalIgnoreCase);
                    _changed = [];
                    _reloadAll = false;
                }
                if (clock.GetUtcNow() - loadedAt > TimeSpan.FromMinutes(options.Value.FullReloadMinutes))
                {
                    reloadAll = true;
                }
                var fired = new List<Candidate>();
                DateTimeOffset? evaluated = null;
                if (reloadAll)
                {
                    await LoadAllAsync(fired, stoppingToken);
                    loadedAt = clock.GetUtcNow();
                }
                else if (changed.Count > 0)
                {
                    await ReloadAsync(changed, fired, stoppingToken);
                }
                if (ticks.Count > 0)
                {
                    // The indicator states of the session (loaded once per session; a no-op when they are).
                    await indicators.LoadAsync(_evaluator.Book.IndicatorInstruments, stoppingToken);
                    evaluated = EvaluateTicks(ticks.Values, fired);
                }
                await ClaimAsync(fired, stoppingToken);
                Volatile.Write(ref _armed, _evaluator.Book.Count);
                if (evaluated > EvaluatedThrough)
                {
                    Interlocked.Exchange(ref _evaluatedThrough, evaluated.Value.UtcTicks);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "The alert engine failed to evaluate; reloading from the database");
                Wake(reloadAll: true);
                await Task.Delay(1000, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private static readonly string ArmedRules = $"""
        SELECT t.alert_id, t.instrument_id, a.condition, a.level, a.level2, a.window_minutes, a.session_only, a.expires_at,
               t.armed_at, t.armed_quote_time, t.fired_count > 0, a.indicator_period
        FROM alert_targets t JOIN alerts a ON a.id = t.alert_id
        WHERE t.state = {(int)TargetState.Armed} AND a.status = {(int)AlertStatus.Active}
          AND NOT (a.condition = {(int)AlertCondition.PositionPnlCrosses} AND a.level2 IS NULL)
        """;

    private async Task LoadAllAsync(List<Candidate> fired, CancellationToken cancellationToken)
    {
        var instruments = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT id, ticker FROM instruments", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                instruments[reader.GetString(1)] = reader.GetInt32(0);
            }
        }
        var evaluator = await memory.LoadAsync(connection, null, _evaluator, cancellationToken);
        var rules = await ReadRulesAsync(connection, ArmedRules, null, cancellationToken);
        foreach (var rule in rules)
        {
            evaluator.Book.Add(rule);
        }
        await indicators.LoadAsync(evaluator.Book.IndicatorInstruments, cancellationToken);
        (_evaluator, _instruments) = (evaluator, instruments);
        Interlocked.Increment(ref _fullLoads);
        evaluator.EvaluateNew(rules, fired);
        logger.LogInformation("Alert engine loaded {Armed} armed alerts", evaluator.Book.Count);
    }

    private async Task ReloadAsync(HashSet<long> alertIds, List<Candidate> fired, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rules = await ReadRulesAsync(connection, ArmedRules + " AND t.alert_id = ANY(@ids)", alertIds.ToArray(), cancellationToken);
        foreach (var id in alertIds)
        {
            _evaluator.Book.RemoveAlert(id);
        }
        foreach (var rule in rules)
        {
            _evaluator.Book.Add(rule);
        }
        await indicators.LoadAsync(_evaluator.Book.IndicatorInstruments, cancellationToken);
        _evaluator.EvaluateNew(rules, fired);
    }

    /// <summary>The quotes the listener read for every consumer: no read of its own.</summary>
    /// <returns>The newest quote time evaluated, if any.</returns>
    private DateTimeOffset? EvaluateTicks(IEnumerable<QuoteRow> quotes, List<Candidate> fired)
    {
        DateTimeOffset? newest = null;
        foreach (var quote in quotes)
        {
            if (_instruments.TryGetValue(quote.Ticker, out var id) && quote is { Last: { } last, Time: { } time })
            {
                _evaluator.Evaluate(new MarketTick(id, last, quote.ChangePercent ?? 0, quote.Volume ?? 0, time), fired);
                newest = newest > time ? newest : time;
            }
        }
        return newest;
    }

    private async Task ClaimAsync(List<Candidate> fired, CancellationToken cancellationToken)
    {
        if (fired.Count == 0)
        {
            return;
        }
        var now = clock.GetUtcNow();
        var trading = market.Now().IsTrading;
        // Expired alerts wait for the sweep to mark them; session-only alerts stay armed until the market trades;
        // a re-armed alert waits for a tick newer than its re-arming.
        var due = fired.Where(c => (c.Rule.ExpiresAt is null || c.Rule.ExpiresAt > now) && (trading || !c.Rule.SessionOnly) && c.Rule.Fresh(c.Time))
            .DistinctBy(c => (c.Rule.AlertId, c.Rule.InstrumentId)).ToList();
        if (due.Count == 0)
        {
            return;
        }
        var result = await claims.ClaimAsync(due.Select(c => new ClaimRequest(c.Rule.AlertId, c.Rule.InstrumentId, c.Price, c.Value, c.Rule.ArmedAt)).ToList(), "engine", cancellationToken);
        // Won or lost (another instance claimed it first): either way it is no longer armed.
        foreach (var candidate in due)
        {
            _evaluator.Book.Remove(candidate.Rule);
        }
        Interlocked.Add(ref _firings, result.Firings);
    }

    private static async Task<List<ArmedRule>> ReadRulesAsync(NpgsqlConnection connection, string sql, long[]? ids, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (ids is not null)
        {
            command.Parameters.AddWithValue("ids", ids);
        }
        var rules = new List<ArmedRule>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rules.Add(new ArmedRule(
                reader.GetInt64(0), reader.GetInt32(1), (AlertCondition)reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetDecimal(3), reader.IsDBNull(4) ? null : reader.GetDecimal(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.GetBoolean(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9), reader.GetBoolean(10), reader.IsDBNull(11) ? null : reader.GetInt32(11)));
        }
        return rules;
    }
}
