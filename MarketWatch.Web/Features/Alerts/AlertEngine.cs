using System.Text.Json;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Ingest;
using Microsoft.Extensions.Options;
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
/// The in-memory engine, on every instance: it LISTENs to the ingest's ticks and to alert changes, evaluates each
/// tick against the armed alerts of that instrument (<see cref="AlertEvaluator"/>) and claims what holds. Two
/// instances evaluating the same tick both try to claim; the database lets one win (<see cref="AlertClaims"/>).
/// </summary>
public sealed class AlertEngine(
    NpgsqlDataSource dataSource,
    AlertClaims claims,
    MarketStatusService market,
    MarketMemory memory,
    IOptions<AlertOptions> options,
    TimeProvider clock,
    ILogger<AlertEngine> logger) : BackgroundService
{
    public const string ChangedChannel = "alerts_changed";

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    private HashSet<string> _tickers = new(StringComparer.OrdinalIgnoreCase);
    private HashSet<long> _changed = [];
    private bool _reloadAll = true;
    private AlertEvaluator _evaluator = new();
    private Dictionary<string, int> _instruments = new(StringComparer.OrdinalIgnoreCase);
    private int _armed;
    private long _firings;
    private long _evaluatedThrough = DateTimeOffset.MinValue.UtcTicks;

    /// <summary>Armed (alert, instrument) pairs held in memory.</summary>
    public int Armed => Volatile.Read(ref _armed);
    /// <summary>Firings this instance won.</summary>
    public long Firings => Interlocked.Read(ref _firings);
    public bool Listening { get; private set; }
    /// <summary>
    /// The newest quote time this instance has evaluated and claimed for: a tick stored at or before it is done with
    /// here, so whatever it was going to fire has fired (what a caller waits for before concluding nothing else will).
    /// </summary>
    public DateTimeOffset EvaluatedThrough => new(Interlocked.Read(ref _evaluatedThrough), TimeSpan.Zero);

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
        await PostgresListener.RunAsync(dataSource, [QuoteStore.Channel, ChangedChannel], OnNotification, listening =>
        {
            Listening = listening;
            if (listening)
            {
                // Whatever happened while not listening: start from the database again.
                Wake(reloadAll: true);
            }
        }, logger, stoppingToken);
        await worker.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        lock (_gate)
        {
            try
            {
                if (e.Channel == ChangedChannel)
                {
                    if (e.Payload == "*")
                    {
                        _reloadAll = true;
                    }
                    else
                    {
                        _changed.UnionWith(JsonSerializer.Deserialize<long[]>(e.Payload) ?? []);
                    }
                }
                else
                {
                    _tickers.UnionWith(JsonSerializer.Deserialize<string[]>(e.Payload) ?? []);
                }
            }
            catch (JsonException)
            {
                _reloadAll = true;
            }
        }
        Wake(reloadAll: false);
    }

    private void Wake(bool reloadAll)
    {
        lock (_gate)
        {
            _reloadAll |= reloadAll;
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
    }

    private async Task WorkLoopAsync(CancellationToken stoppingToken)
    {
        var loadedAt = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(TimeSpan.FromMinutes(1), stoppingToken);
                HashSet<string> tickers;
                HashSet<long> changed;
                bool reloadAll;
                lock (_gate)
                {
                    (tickers, changed, reloadAll) = (_tickers, _changed, _reloadAll);
                    _tickers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
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
                if (tickers.Count > 0)
                {
                    evaluated = await EvaluateTicksAsync(tickers, fired, stoppingToken);
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
               t.armed_at, t.armed_quote_time, t.fired_count > 0
        FROM alert_targets t JOIN alerts a ON a.id = t.alert_id
        WHERE t.state = {(int)TargetState.Armed} AND a.status = {(int)AlertStatus.Active}
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
        (_evaluator, _instruments) = (evaluator, instruments);
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
        _evaluator.EvaluateNew(rules, fired);
    }

    /// <returns>The newest quote time evaluated, if any.</returns>
    private async Task<DateTimeOffset?> EvaluateTicksAsync(HashSet<string> tickers, List<Candidate> fired, CancellationToken cancellationToken)
    {
        var ids = tickers.Select(t => _instruments.GetValueOrDefault(t)).Where(id => id != 0).ToArray();
        if (ids.Length == 0)
        {
            return null;
        }
        DateTimeOffset? newest = null;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var tick in await MarketMemory.ReadTicksAsync(connection, ids, cancellationToken))
        {
            _evaluator.Evaluate(tick, fired);
            newest = newest > tick.Time ? newest : tick.Time;
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
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9), reader.GetBoolean(10)));
        }
        return rules;
    }
}
