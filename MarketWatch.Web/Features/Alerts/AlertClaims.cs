using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Infrastructure.Data;
using Npgsql;
using NpgsqlTypes;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>A firing to claim: this armed (alert, instrument) pair held at this price; <paramref name="ArmedAt"/> (when
/// given) names the arming that was evaluated, so a rule edited or re-armed since is not claimed on a stale match.</summary>
public readonly record struct ClaimRequest(long AlertId, int InstrumentId, decimal Price, decimal? Value, DateTimeOffset? ArmedAt = null);

public sealed record ClaimResult(int Firings, IReadOnlyList<long> PendingDeliveries, IReadOnlyList<string> InAppUsers);

/// <summary>
/// Turns matches into firings, exactly once across instances: one statement moves each armed pair to cooling/done
/// (only a row still armed is updated, so of two instances claiming the same tick the second updates nothing),
/// writes the history row, then the message through the outbox's one definition (NotificationOutbox.InsertSql: the in-app
/// notification and one outbox row per channel), in the same transaction, which also NOTIFYs the delivery dispatchers
/// (deliveries_due): nothing is left to do per row after the commit, so the engine never waits on delivery.
/// </summary>
public sealed class AlertClaims(NpgsqlDataSource dataSource, MarketStatusService market, TimeProvider clock)
{
    private static readonly string Claim = $"""
        WITH c AS (
            SELECT * FROM unnest(@alert, @instrument, @price, @value, @armed_at) AS c(alert_id, instrument_id, price, value, armed_at)
        ), claimed AS (
            UPDATE alert_targets t SET
                state = CASE a.trigger_mode WHEN {(int)TriggerMode.Once} THEN {(int)TargetState.Done} ELSE {(int)TargetState.Cooling} END,
                rearm_at = CASE a.trigger_mode WHEN {(int)TriggerMode.Once} THEN NULL WHEN {(int)TriggerMode.OncePerSession} THEN @next_open ELSE @now + make_interval(mins => a.cooldown_minutes) END,
                fired_count = t.fired_count + 1,
                last_fired_at = @now
            FROM c, alerts a
            WHERE t.alert_id = c.alert_id AND t.instrument_id = c.instrument_id AND a.id = t.alert_id
              AND t.state = {(int)TargetState.Armed} AND (c.armed_at IS NULL OR t.armed_at = c.armed_at)
              AND a.status = {(int)AlertStatus.Active} AND (a.expires_at IS NULL OR a.expires_at > @now)
            RETURNING t.alert_id, t.instrument_id, c.price, c.value, a.user_id, a.channels, a.trigger_mode, a.watchlist_id,
                      a.condition, a.level, a.level2, a.window_minutes, a.indicator_period, a.note
        ), touched AS (
            UPDATE alerts a SET last_fired_at = @now,
                status = CASE WHEN x.trigger_mode = {(int)TriggerMode.Once} AND x.watchlist_id IS NULL THEN {(int)AlertStatus.Triggered} ELSE a.status END
            FROM (SELECT DISTINCT alert_id, trigger_mode, watchlist_id FROM claimed) x
            WHERE a.id = x.alert_id
        ), firings AS (
            INSERT INTO alert_firings (alert_id, user_id, instrument_id, condition, level, level2, window_minutes, indicator_period, price, value, note, fired_at, source)
            SELECT alert_id, user_id, instrument_id, condition, level, level2, window_minutes, indicator_period, price, value, note, @now, @source FROM claimed
            RETURNING id, alert_id, instrument_id, user_id
        ), channels AS (
            SELECT f.user_id, ch, f.id AS event_id, NULL::bigint AS test_source_id
            FROM firings f JOIN claimed c ON c.alert_id = f.alert_id AND c.instrument_id = f.instrument_id
            CROSS JOIN LATERAL unnest(c.channels) AS ch
        ), {NotificationOutbox.InsertSql("channels")}
        SELECT id, channel, user_id, event_id FROM deliveries
        """;

    public async Task<ClaimResult> ClaimAsync(IReadOnlyList<ClaimRequest> requests, string source, CancellationToken cancellationToken)
    {
        if (requests.Count == 0)
        {
            return new ClaimResult(0, [], []);
        }
        var now = clock.GetUtcNow();
        var pending = new List<long>();
        var inApp = new HashSet<string>();
        var firings = new HashSet<long>();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await using (var command = new NpgsqlCommand(Claim, connection, transaction))
            {
                command.Parameters.AddArray("alert", requests, r => r.AlertId, NpgsqlDbType.Bigint);
                command.Parameters.AddArray("instrument", requests, r => r.InstrumentId, NpgsqlDbType.Integer);
                command.Parameters.AddArray("price", requests, r => r.Price, NpgsqlDbType.Numeric);
                command.Parameters.AddArray("value", requests, r => r.Value, NpgsqlDbType.Numeric);
                command.Parameters.AddArray("armed_at", requests, r => r.ArmedAt, NpgsqlDbType.TimestampTz);
                command.Parameters.AddWithValue("next_open", market.NextSessionOpen(now));
                command.Parameters.AddWithValue("source", source);
                NotificationOutbox.AddInsertParameters(command.Parameters, now);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var channel = (Channel)reader.GetInt32(1);
                    firings.Add(reader.GetInt64(3));
                    if (channel == Channel.InApp)
                    {
                        inApp.Add(reader.GetString(2));
                    }
                    else
                    {
                        pending.Add(reader.GetInt64(0));
                    }
                }
            }
            if (inApp.Count > 0)
            {
                // Delivered on commit, to every instance: each tells the pages of these users it serves.
                // Too many users for one notification: "*" wakes every page, each reads only its own user's notifications.
                await PostgresListener.NotifyAsync(connection, NotificationOutbox.UserNotificationsChannel, inApp, cancellationToken, transaction);
            }
            if (pending.Count > 0)
            {
                // Every instance's dispatcher claims them on commit; a crash right after it strands nothing.
                await NotificationOutbox.NotifyDueAsync(connection, transaction, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return new ClaimResult(firings.Count, pending, inApp.ToList());
    }
}
