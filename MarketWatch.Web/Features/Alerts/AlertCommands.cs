using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Watchlists;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>The result of a create or edit: the alert's id, or every field error, or not found.</summary>
public sealed record AlertChange(long Id, IReadOnlyList<FieldError> Errors, bool Found = true)
{
    public static AlertChange Missing { get; } = new(0, [], false);
}

/// <summary>
/// What a user does to their alerts, for the pages and the API alike: create, edit, pause, resume, delete (each
/// arming the alert from the current price where it applies) and send a test. Every method takes the user id and
/// looks alerts up by (id, user): another user's alert is simply not found. Changes tell every instance's engine.
/// </summary>
public sealed class AlertCommands(
    DbContext db,
    NpgsqlDataSource dataSource,
    AlertValidator validator,
    IOptions<AlertOptions> options,
    NotificationOutbox outbox,
    PositionAlertLevels positions,
    TimeProvider clock)
{
    /// <summary>
    /// The cap on live alerts (armed or paused), spent under the user's "alerts" lock by everything that makes an
    /// alert live: create, edit (which re-arms a triggered or expired one) and resume.
    /// </summary>
    private UserLimit Live => new("alerts", options.Value.MaxAlertsPerUser, "", new Text("You can have at most {0} active alerts.", options.Value.MaxAlertsPerUser));

    /// <summary>How many live alerts the user would hold with alert <paramref name="arming"/> live (0: a new one).</summary>
    private async Task<int> LiveWithAsync(string userId, long arming, CancellationToken cancellationToken) =>
        await db.Set<Alert>().CountAsync(a => a.UserId == userId && a.Id != arming && (a.Status == AlertStatus.Active || a.Status == AlertStatus.Paused), cancellationToken) + 1;

    public async Task<AlertChange> CreateAsync(string userId, AlertInput input, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var (errors, instrumentId) = await validator.ValidateAsync(userId, input, zone, cancellationToken);
        if (errors.Count > 0)
        {
            return new AlertChange(0, errors);
        }
        var change = await Live.CheckAsync(db, userId, () => LiveWithAsync(userId, 0, cancellationToken), error => new AlertChange(0, [error]), async () =>
        {
            var now = clock.GetUtcNow();
            var alert = new Alert { UserId = userId, CreatedAt = now };
            Apply(alert, input, instrumentId, zone, now);
            await DerivePositionLevelAsync(userId, alert, cancellationToken);
            alert.Targets = await TargetsAsync(instrumentId, input.WatchlistId, now, cancellationToken);
            db.Add(alert);
            await db.SaveChangesAsync(cancellationToken);
            return new AlertChange(alert.Id, []);
        }, cancellationToken);
        if (change.Errors.Count == 0)
        {
            await NotifyAsync(change.Id, cancellationToken);
        }
        return change;
    }

    /// <summary>Editing an alert arms it again from the current price (a triggered or expired one too, unless paused).</summary>
    public async Task<AlertChange> UpdateAsync(string userId, long id, AlertInput input, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        if (!await db.Set<Alert>().AnyAsync(a => a.Id == id && a.UserId == userId, cancellationToken))
        {
            return AlertChange.Missing;
        }
        var (errors, instrumentId) = await validator.ValidateAsync(userId, input, zone, cancellationToken, editing: id);
        if (errors.Count > 0)
        {
            return new AlertChange(id, errors);
        }
        var change = await Live.CheckAsync(db, userId, () => LiveWithAsync(userId, id, cancellationToken), error => new AlertChange(id, [error]), async () =>
        {
            var alert = await db.Set<Alert>().SingleOrDefaultAsync(a => a.Id == id && a.UserId == userId, cancellationToken);
            if (alert is null)
            {
                return AlertChange.Missing;
            }
            var now = clock.GetUtcNow();
            Apply(alert, input, instrumentId, zone, now);
            await DerivePositionLevelAsync(userId, alert, cancellationToken);
            if (alert.Status != AlertStatus.Paused)
            {
                alert.Status = AlertStatus.Active;
            }
            await db.Set<AlertTarget>().Where(t => t.AlertId == id).ExecuteDeleteAsync(cancellationToken);
            db.AddRange(await TargetsAsync(instrumentId, input.WatchlistId, now, cancellationToken, id));
            await db.SaveChangesAsync(cancellationToken);
            return new AlertChange(id, []);
        }, cancellationToken);
        if (change.Found && change.Errors.Count == 0)
        {
            await NotifyAsync(id, cancellationToken);
        }
        return change;
    }

    private void Apply(Alert alert, AlertInput input, int? instrumentId, TimeZoneInfo zone, DateTimeOffset now)
    {
        alert.InstrumentId = instrumentId;
        alert.WatchlistId = instrumentId is null ? input.WatchlistId : null;
        alert.Condition = input.Condition;
        alert.Level = AlertRules.UsesLevel(input.Condition) ? input.Level : null;
        alert.Level2 = AlertRules.UsesChannel(input.Condition) ? input.Level2 : null;
        alert.PortfolioId = AlertRules.IsPosition(input.Condition) ? input.PortfolioId : null;
        alert.PortfolioVersion = null;
        alert.WindowMinutes = AlertRules.UsesWindow(input.Condition) ? input.WindowMinutes : null;
        alert.IndicatorPeriod = AlertRules.UsesPeriod(input.Condition) ? input.IndicatorPeriod : null;
        alert.TriggerMode = input.TriggerMode;
        alert.CooldownMinutes = input.TriggerMode == TriggerMode.EveryTime ? input.CooldownMinutes : 0;
        alert.ExpiresAt = input.NeverExpires ? null
            : input.ExpiresOn is { } day ? EndOfDay(day, zone)
            : EndOfDay(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime).AddDays(Alert.DefaultExpiryDays), zone);
        alert.Channels = input.Channels.Distinct().Order().ToArray();
        alert.Note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim();
        alert.SessionOnly = input.SessionOnly;
        alert.UpdatedAt = now;
    }

    /// <summary>A position alert's price threshold from the position's average cost now (see <see cref="PositionAlertLevels"/>).</summary>
    private async Task DerivePositionLevelAsync(string userId, Alert alert, CancellationToken cancellationToken)
    {
        if (alert is { PortfolioId: { } portfolioId, InstrumentId: { } instrumentId }
            && await positions.PositionAsync(userId, portfolioId, instrumentId, cancellationToken) is { } held)
        {
            alert.Level2 = PositionAlertLevels.LevelOf(held.Position, alert.Level);
            alert.PortfolioVersion = held.Version;
        }
    }

    /// <summary>The alert stays armed through the whole last day, in the user's zone.</summary>
    private static DateTimeOffset EndOfDay(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.AddDays(1).ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private async Task<List<AlertTarget>> TargetsAsync(int? instrumentId, int? watchlistId, DateTimeOffset now, CancellationToken cancellationToken, long alertId = 0)
    {
        var instruments = instrumentId is { } id
            ? [id]
            : await db.Set<WatchlistItem>().Where(i => i.WatchlistId == watchlistId).Select(i => i.InstrumentId).ToListAsync(cancellationToken);
        var quotes = await db.Quotes.Where(q => instruments.Contains(q.InstrumentId)).ToDictionaryAsync(q => q.InstrumentId, cancellationToken);
        return instruments.Select(i => new AlertTarget
        {
            AlertId = alertId,
            InstrumentId = i,
            State = TargetState.Armed,
            ArmedPrice = quotes.TryGetValue(i, out var quote) ? quote.Last : null,
            ArmedQuoteTime = quote?.Time,
            ArmedAt = now,
        }).ToList();
    }

    /// <summary>
    /// Pause or resume. Resuming arms the alert from the current price: crossings that happened while it was paused
    /// do not fire it (the engine and the sweep agree on that). Only a paused alert resumes (a triggered one is
    /// re-armed by editing it), and only within the cap.
    /// </summary>
    public async Task<AlertChange> SetPausedAsync(string userId, long id, bool paused, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var changed = paused
            ? await db.Set<Alert>().Where(a => a.Id == id && a.UserId == userId && a.Status == AlertStatus.Active)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AlertStatus.Paused).SetProperty(a => a.UpdatedAt, now), cancellationToken)
            : await Live.CheckAsync(db, userId,
                async () => await db.Set<Alert>().AnyAsync(a => a.Id == id && a.UserId == userId && a.Status == AlertStatus.Paused, cancellationToken)
                    ? await LiveWithAsync(userId, id, cancellationToken) : 0,
                _ => -1,
                () => ResumeAsync(userId, id, now, cancellationToken), cancellationToken);
        if (changed < 0)
        {
            return new AlertChange(id, [Live.Reached]);
        }
        if (changed == 0)
        {
            return await db.Set<Alert>().AnyAsync(a => a.Id == id && a.UserId == userId, cancellationToken) ? new AlertChange(id, []) : AlertChange.Missing;
        }
        await NotifyAsync(id, cancellationToken);
        return new AlertChange(id, []);
    }

    private async Task<int> ResumeAsync(string userId, long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = await db.Set<Alert>().Where(a => a.Id == id && a.UserId == userId && a.Status == AlertStatus.Paused && (a.ExpiresAt == null || a.ExpiresAt > now))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AlertStatus.Active).SetProperty(a => a.UpdatedAt, now), cancellationToken);
        if (count > 0)
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE alert_targets t SET armed_at = {now}, armed_price = q.last, armed_quote_time = q.time
                FROM (SELECT t2.instrument_id, q2.last, q2.time FROM alert_targets t2 LEFT JOIN quotes q2 ON q2.instrument_id = t2.instrument_id
                      WHERE t2.alert_id = {id}) q
                WHERE t.alert_id = {id} AND t.state = {(int)TargetState.Armed} AND q.instrument_id = t.instrument_id
                """, cancellationToken);
        }
        return count;
    }

    public async Task<bool> DeleteAsync(string userId, long id, CancellationToken cancellationToken)
    {
        if (await db.Set<Alert>().Where(a => a.Id == id && a.UserId == userId).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return false;
        }
        await NotifyAsync(id, cancellationToken);
        return true;
    }

    /// <summary>Sends a sample through each of the alert's channels (in-app at once, the others through the outbox).</summary>
    public async Task<TestResult> TestAsync(string userId, long id, CancellationToken cancellationToken)
    {
        var channels = await db.Set<Alert>().Where(a => a.Id == id && a.UserId == userId).Select(a => a.Channels).SingleOrDefaultAsync(cancellationToken);
        return channels is null ? TestResult.NotFound : await outbox.SendTestAsync(userId, id, channels, cancellationToken);
    }

    private async Task NotifyAsync(long alertId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await AlertEngine.NotifyChangedAsync(connection, [alertId], cancellationToken);
    }
}
