using Hangfire;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Notifications;
using Npgsql;

namespace MarketWatch.Web.Features.Alerts;

public sealed record SweepResult(int Expired, int Rearmed, int TargetsAdded, int TargetsRemoved, int Matched, int Fired);

/// <summary>
/// The minute job (Hangfire, recurring; also <c>POST /api/alerts/trigger</c>): expires old alerts, re-arms the
/// cooled-down ones, keeps watchlist alerts in step with their lists, evaluates every armed alert against the
/// latest quotes in one SQL statement (the catch-up for ticks no engine saw). Crossing conditions compare with the price the alert was armed at.
/// </summary>
public sealed class AlertSweep(NpgsqlDataSource dataSource, AlertClaims claims, MarketStatusService market, PositionAlertLevels positions,
    AlertIndicators indicators, TimeProvider clock)
{
    public const string JobId = "alert-sweep";

    /// <summary>The stored numbers of the conditions a rule of <see cref="AlertRules"/> picks, as an SQL list.</summary>
    private static string Numbers(Func<AlertCondition, bool> which) =>
        string.Join(", ", Enum.GetValues<AlertCondition>().Where(which).Select(c => (int)c));

    /// <summary>Which armed pairs the sweep evaluates (alert_targets t, alerts a, quotes q): the same for SQL and indicator conditions.</summary>
    private static readonly string ArmedWhere = $"""
        WHERE t.state = {(int)TargetState.Armed} AND a.status = {(int)AlertStatus.Active} AND (a.expires_at IS NULL OR a.expires_at > @now) AND (@trading OR NOT a.session_only)
              -- Only a quote newer than the one it was armed at: for crossings always (that is the "previous tick"),
              -- for levels once it has fired (not yesterday's last quote again at the open).
              AND (t.armed_quote_time IS NULL OR q.time > t.armed_quote_time OR (t.fired_count = 0 AND a.condition NOT IN ({Numbers(AlertRules.IsCrossing)})))
        """;

    /// <summary>
    /// The armed indicator alerts with their latest quote: SQL cannot fold an EMA or an RSI, so these are decided in C#
    /// by <see cref="AlertRules"/> on the session's indicator states (<see cref="AlertIndicators"/>, one read of the bars
    /// of all their instruments), the price the alert was armed at being the previous tick.
    /// </summary>
    public static readonly string ArmedIndicators = $"""
        SELECT t.alert_id, t.instrument_id, t.armed_price, t.armed_at, a.condition, a.level, a.indicator_period,
               q.last, q.change_percent, q.volume, q.time
        FROM alert_targets t
        JOIN alerts a ON a.id = t.alert_id
        JOIN quotes q ON q.instrument_id = t.instrument_id
        {ArmedWhere}
          AND a.condition IN ({Numbers(AlertRules.IsIndicator)})
        """;

    /// <summary>The armed alerts whose condition holds now: the same rules as <see cref="AlertRules"/>, in SQL.</summary>
    /// <remarks>Every stored number comes from its enum, composed in as a literal (never a parameter), so the text and the
    /// plans stay those of a hand-written statement; AlertSweepAgreementTests runs the rules' scenarios through both.</remarks>
    public static readonly string Evaluate = $"""
        WITH armed AS (
            SELECT t.alert_id, t.instrument_id, t.armed_price, t.armed_at, a.condition, a.level, a.level2, a.window_minutes,
                   q.last, q.change_percent, q.volume
            FROM alert_targets t
            JOIN alerts a ON a.id = t.alert_id
            JOIN quotes q ON q.instrument_id = t.instrument_id
            {ArmedWhere}
        ), windows AS (
            SELECT w.instrument_id, w.window_minutes, r.lo, r.hi
            FROM (SELECT DISTINCT instrument_id, window_minutes FROM armed WHERE condition IN ({Numbers(AlertRules.UsesWindow)})) w
            CROSS JOIN LATERAL (
                SELECT min(m.low) AS lo, max(m.high) AS hi FROM minute_bars m
                WHERE m.instrument_id = w.instrument_id AND m.time >= date_trunc('minute', @now) - make_interval(mins => w.window_minutes)
            ) r
        ), years AS (
            SELECT d.instrument_id, max(d.high) AS hi, min(d.low) AS lo FROM daily_bars d
            WHERE d.date >= @year_from AND d.date < @today
              AND d.instrument_id IN (SELECT instrument_id FROM armed WHERE condition IN ({(int)AlertCondition.New52WeekHigh}, {(int)AlertCondition.New52WeekLow}))
            GROUP BY d.instrument_id
        )
        SELECT a.alert_id, a.instrument_id, a.last,
               CASE a.condition
                   WHEN {(int)AlertCondition.ChangeUp} THEN a.change_percent WHEN {(int)AlertCondition.ChangeDown} THEN a.change_percent WHEN {(int)AlertCondition.VolumeAbove} THEN a.volume
                   WHEN {(int)AlertCondition.MoveUpWithin} THEN (a.last - w.lo) / w.lo * 100 WHEN {(int)AlertCondition.MoveDownWithin} THEN (w.hi - a.last) / w.hi * 100
                   WHEN {(int)AlertCondition.PositionPnlCrosses} THEN (a.last * (1 + a.level / 100) / a.level2 - 1) * 100
               END AS value,
               a.armed_at
        FROM armed a
        LEFT JOIN windows w ON w.instrument_id = a.instrument_id AND w.window_minutes = a.window_minutes
        LEFT JOIN years y ON y.instrument_id = a.instrument_id
        WHERE CASE a.condition
            WHEN {(int)AlertCondition.PriceAbove} THEN a.last >= a.level
            WHEN {(int)AlertCondition.PriceBelow} THEN a.last <= a.level
            WHEN {(int)AlertCondition.CrossesUp} THEN a.armed_price < a.level AND a.last >= a.level
            WHEN {(int)AlertCondition.CrossesDown} THEN a.armed_price > a.level AND a.last <= a.level
            WHEN {(int)AlertCondition.CrossesEither} THEN (a.armed_price < a.level AND a.last >= a.level) OR (a.armed_price > a.level AND a.last <= a.level)
            WHEN {(int)AlertCondition.ChangeUp} THEN a.change_percent >= a.level
            WHEN {(int)AlertCondition.ChangeDown} THEN a.change_percent <= -a.level
            WHEN {(int)AlertCondition.MoveUpWithin} THEN w.lo > 0 AND (a.last - w.lo) / w.lo * 100 >= a.level
            WHEN {(int)AlertCondition.MoveDownWithin} THEN w.hi > 0 AND (w.hi - a.last) / w.hi * 100 >= a.level
            WHEN {(int)AlertCondition.VolumeAbove} THEN a.volume >= a.level
            WHEN {(int)AlertCondition.New52WeekHigh} THEN a.last > y.hi
            WHEN {(int)AlertCondition.New52WeekLow} THEN a.last < y.lo
            WHEN {(int)AlertCondition.EntersChannel} THEN NOT (a.armed_price BETWEEN a.level AND a.level2) AND a.last BETWEEN a.level AND a.level2
            WHEN {(int)AlertCondition.ExitsChannel} THEN a.armed_price BETWEEN a.level AND a.level2 AND NOT (a.last BETWEEN a.level AND a.level2)
            WHEN {(int)AlertCondition.PositionPnlCrosses} THEN a.level2 > 0 AND CASE WHEN a.level > 0
                THEN a.armed_price < a.level2 AND a.last >= a.level2 ELSE a.armed_price > a.level2 AND a.last <= a.level2 END
            ELSE false
        END
        """;

    private static readonly string Maintain = $"""
        WITH expired AS (
            UPDATE alerts SET status = {(int)AlertStatus.Expired}, updated_at = @now
            WHERE status IN ({(int)AlertStatus.Active}, {(int)AlertStatus.Paused}) AND expires_at <= @now
            RETURNING id
        ), rearmed AS (
            UPDATE alert_targets t SET state = {(int)TargetState.Armed}, rearm_at = NULL, armed_at = @now, armed_price = q.last, armed_quote_time = q.time
            FROM (SELECT t2.alert_id, t2.instrument_id, q2.last, q2.time FROM alert_targets t2 LEFT JOIN quotes q2 ON q2.instrument_id = t2.instrument_id
                  WHERE t2.state = {(int)TargetState.Cooling} AND t2.rearm_at <= @now) q
            WHERE t.alert_id = q.alert_id AND t.instrument_id = q.instrument_id AND t.state = {(int)TargetState.Cooling} AND t.rearm_at <= @now
            RETURNING t.alert_id
        ), added AS (
            INSERT INTO alert_targets (alert_id, instrument_id, state, armed_price, armed_quote_time, armed_at, fired_count)
            SELECT a.id, i.instrument_id, {(int)TargetState.Armed}, q.last, q.time, @now, 0
            FROM alerts a
            JOIN watchlist_items i ON i.watchlist_id = a.watchlist_id
            LEFT JOIN quotes q ON q.instrument_id = i.instrument_id
            WHERE a.watchlist_id IS NOT NULL AND a.status IN ({(int)AlertStatus.Active}, {(int)AlertStatus.Paused})
            ON CONFLICT DO NOTHING
            RETURNING alert_id
        ), removed AS (
            DELETE FROM alert_targets t USING alerts a
            WHERE a.id = t.alert_id AND a.watchlist_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM watchlist_items i WHERE i.watchlist_id = a.watchlist_id AND i.instrument_id = t.instrument_id)
            RETURNING t.alert_id
        )
        SELECT 'expired', id FROM expired
        UNION ALL SELECT 'rearmed', alert_id FROM rearmed
        UNION ALL SELECT 'added', alert_id FROM added
        UNION ALL SELECT 'removed', alert_id FROM removed
        """;

    [DisableConcurrentExecution(timeoutInSeconds: 50)]
    [AutomaticRetry(Attempts = 0)]
    public async Task<SweepResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var counts = new Dictionary<string, int>();
        var changed = new HashSet<long>();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await using (var command = new NpgsqlCommand(Maintain, connection))
            {
                command.Parameters.AddWithValue("now", now);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var kind = reader.GetString(0);
                    counts[kind] = counts.GetValueOrDefault(kind) + 1;
                    changed.Add(reader.GetInt64(1));
                }
            }
            if (changed.Count > 0)
            {
                await AlertEngine.NotifyChangedAsync(connection, changed, cancellationToken);
            }
        }
        // Position alerts whose portfolio changed without its handler running: their levels first.
        await positions.RefreshStaleAsync(cancellationToken);
        var matched = await EvaluateAsync(now, cancellationToken);
        var fired = await claims.ClaimAsync(matched, "sweep", cancellationToken);
        return new SweepResult(counts.GetValueOrDefault("expired"), counts.GetValueOrDefault("rearmed"), counts.GetValueOrDefault("added"),
            counts.GetValueOrDefault("removed"), matched.Count, fired.Firings);
    }

    /// <summary>The SQL evaluation alone (the benchmark times it against the engine).</summary>
    public async Task<List<ClaimRequest>> EvaluateAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var today = ExchangeCalendar.ExchangeDate(now);
        await using var command = dataSource.CreateCommand(Evaluate);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("trading", market.Now().IsTrading);
        command.Parameters.AddWithValue("today", today);
        command.Parameters.AddWithValue("year_from", today.AddYears(-1));
        var matched = new List<ClaimRequest>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                matched.Add(new ClaimRequest(reader.GetInt64(0), reader.GetInt32(1), reader.GetDecimal(2), reader.IsDBNull(3) ? null : reader.GetDecimal(3),
                    reader.GetFieldValue<DateTimeOffset>(4)));
            }
        }
        await EvaluateIndicatorsAsync(now, matched, cancellationToken);
        return matched;
    }

    private readonly record struct ArmedIndicator(long AlertId, int InstrumentId, decimal? ArmedPrice, DateTimeOffset ArmedAt, AlertCondition Condition,
        decimal? Level, int? Period, MarketTick Tick);

    /// <summary>The indicator conditions: one read of the candidates, one of their bars (once per session), the rules in C#.</summary>
    private async Task EvaluateIndicatorsAsync(DateTimeOffset now, List<ClaimRequest> matched, CancellationToken cancellationToken)
    {
        var armed = new List<ArmedIndicator>();
        await using (var command = dataSource.CreateCommand(ArmedIndicators))
        {
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("trading", market.Now().IsTrading);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var instrumentId = reader.GetInt32(1);
                armed.Add(new ArmedIndicator(reader.GetInt64(0), instrumentId, reader.IsDBNull(2) ? null : reader.GetDecimal(2),
                    reader.GetFieldValue<DateTimeOffset>(3), (AlertCondition)reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetDecimal(5),
                    reader.IsDBNull(6) ? null : reader.GetInt32(6),
                    new MarketTick(instrumentId, reader.GetDecimal(7), reader.GetDecimal(8), reader.GetInt64(9), reader.GetFieldValue<DateTimeOffset>(10))));
            }
        }
        if (armed.Count == 0)
        {
            return;
        }
        var states = await indicators.LoadAsync(armed.Select(a => a.InstrumentId).Distinct(), cancellationToken);
        foreach (var a in armed)
        {
            var context = new TickContext(null, null, null, states.GetValueOrDefault(a.InstrumentId));
            if (AlertRules.Holds(a.Condition, a.Level, null, null, a.ArmedPrice, a.Tick, context, out var value, a.Period))
            {
                matched.Add(new ClaimRequest(a.AlertId, a.InstrumentId, a.Tick.Last, value, a.ArmedAt));
            }
        }
    }
}
