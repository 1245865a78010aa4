using MarketWatch.Web.Features.Accounts;
using Hangfire;
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

/// <summary>An alert as a form or the API gives it. Field names are the API's property names and the form's input names.</summary>
public sealed class AlertInput
{
    public string? Ticker { get; set; }
    public int? WatchlistId { get; set; }
    public AlertCondition Condition { get; set; } = AlertCondition.CrossesUp;
    public decimal? Level { get; set; }
    public decimal? Level2 { get; set; }
    public int? WindowMinutes { get; set; }
    public TriggerMode TriggerMode { get; set; } = TriggerMode.Once;
    public int CooldownMinutes { get; set; } = 60;
    /// <summary>The last day the alert is armed (in the user's time zone); null with <see cref="NeverExpires"/> false means the default.</summary>
    public DateOnly? ExpiresOn { get; set; }
    public bool NeverExpires { get; set; }
    public List<Channel> Channels { get; set; } = [Channel.InApp];
    public string? Note { get; set; }
    public bool SessionOnly { get; set; } = true;

    public static AlertInput From(Alert alert, string? ticker, TimeZoneInfo zone) => new()
    {
        Ticker = ticker,
        WatchlistId = alert.WatchlistId,
        Condition = alert.Condition,
        Level = alert.Level,
        Level2 = alert.Level2,
        WindowMinutes = alert.WindowMinutes,
        TriggerMode = alert.TriggerMode,
        CooldownMinutes = alert.CooldownMinutes,
        ExpiresOn = alert.ExpiresAt is { } at ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime).AddDays(-1) : null,
        NeverExpires = alert.ExpiresAt is null,
        Channels = alert.Channels.ToList(),
        Note = alert.Note,
        SessionOnly = alert.SessionOnly,
    };
}

public sealed record AlertSummary(
    long Id, string? Ticker, string? InstrumentName, int? WatchlistId, string? WatchlistName, AlertCondition Condition, decimal? Level, decimal? Level2,
    int? WindowMinutes, TriggerMode TriggerMode, int CooldownMinutes, AlertStatus Status, DateTimeOffset? ExpiresAt, Channel[] Channels,
    string? Note, bool SessionOnly, DateTimeOffset CreatedAt, DateTimeOffset? LastFiredAt, int FiredCount, DateTimeOffset? RearmAt);

public sealed record FiringSummary(long Id, long AlertId, string Ticker, AlertCondition Condition, decimal? Level, decimal? Level2, int? WindowMinutes,
    decimal Price, decimal? Value, DateTimeOffset FiredAt, string Source, IReadOnlyList<DeliverySummary> Deliveries);

/// <summary>The result of a create or edit: the alert's id, or every field error, or not found.</summary>
public sealed record AlertChange(long Id, IReadOnlyList<FieldError> Errors, bool Found = true)
{
    public static AlertChange Missing { get; } = new(0, [], false);
}



/// <summary>Which alerts a list shows.</summary>
public enum AlertFilter { All, Armed, Paused, Triggered, Expired }

/// <summary>
/// Everything a user does with alerts, for the pages and the API alike. Every method takes the user id and looks
/// alerts up by (id, user): another user's alert is simply not found. Changes tell every instance's engine.
/// </summary>
public sealed class AlertService(
    DbContext db,
    NpgsqlDataSource dataSource,
    IOptions<AlertOptions> options,
    NotificationOutbox outbox,
    Market.SessionFigures figures,
    TimeProvider clock)
{
    public const decimal MaxLevel = 1_000_000_000_000m;
    public const int MaxCooldownMinutes = 7 * 24 * 60;

    public async Task<List<AlertSummary>> ListAsync(string userId, AlertFilter filter, string? search, CancellationToken cancellationToken)
    {
        var query = db.Set<Alert>().AsNoTracking().Where(a => a.UserId == userId);
        query = filter switch
        {
            AlertFilter.Armed => query.Where(a => a.Status == AlertStatus.Active),
            AlertFilter.Paused => query.Where(a => a.Status == AlertStatus.Paused),
            AlertFilter.Triggered => query.Where(a => a.Status == AlertStatus.Triggered || a.LastFiredAt != null),
            AlertFilter.Expired => query.Where(a => a.Status == AlertStatus.Expired),
            _ => query,
        };
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = "%" + search.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            // The escape character must be named: without it Npgsql turns escaping off (ESCAPE '').
            query = query.Where(a => (a.Instrument != null && (EF.Functions.ILike(a.Instrument.Ticker, pattern, "\\") || EF.Functions.ILike(a.Instrument.Name, pattern, "\\")))
                                     || (a.Watchlist != null && EF.Functions.ILike(a.Watchlist.Name, pattern, "\\"))
                                     || (a.Note != null && EF.Functions.ILike(a.Note, pattern, "\\")));
        }
        return await Summaries(query.OrderByDescending(a => a.Id).Take(500)).ToListAsync(cancellationToken);
    }

    public Task<AlertSummary?> FindAsync(string userId, long id, CancellationToken cancellationToken) =>
        Summaries(db.Set<Alert>().AsNoTracking().Where(a => a.UserId == userId && a.Id == id)).SingleOrDefaultAsync(cancellationToken);

    private static IQueryable<AlertSummary> Summaries(IQueryable<Alert> alerts) => alerts.Select(a => new AlertSummary(
        a.Id, a.Instrument != null ? a.Instrument.Ticker : null, a.Instrument != null ? a.Instrument.Name : null,
        a.WatchlistId, a.Watchlist != null ? a.Watchlist.Name : null, a.Condition, a.Level, a.Level2, a.WindowMinutes, a.TriggerMode,
        a.CooldownMinutes, a.Status, a.ExpiresAt, a.Channels, a.Note, a.SessionOnly, a.CreatedAt, a.LastFiredAt,
        a.Targets.Sum(t => t.FiredCount), a.Targets.Where(t => t.State == TargetState.Cooling).Min(t => t.RearmAt)));

    /// <summary>Checks an input; on success also says what it is about (instrument or watchlist).</summary>
    public async Task<(List<FieldError> Errors, int? InstrumentId)> ValidateAsync(string userId, AlertInput input, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        int? instrumentId = null;
        var ticker = input.Ticker?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(ticker) == (input.WatchlistId is null))
        {
            errors.Add(new FieldError(nameof(AlertInput.Ticker), new Text("Choose a stock or a watchlist (one of the two).")));
        }
        else if (!string.IsNullOrEmpty(ticker))
        {
            instrumentId = await db.Instruments.Where(i => i.Ticker == ticker && i.IsActive).Select(i => (int?)i.Id).SingleOrDefaultAsync(cancellationToken);
            if (instrumentId is null)
            {
                errors.Add(new FieldError(nameof(AlertInput.Ticker), new Text("No instrument with the ticker {0}.", ticker)));
            }
        }
        else if (!await db.Set<Watchlist>().AnyAsync(w => w.Id == input.WatchlistId && w.UserId == userId, cancellationToken))
        {
            errors.Add(new FieldError(nameof(AlertInput.WatchlistId), new Text("No such watchlist.")));
        }

        if (!Enum.IsDefined(input.Condition))
        {
            errors.Add(new FieldError(nameof(AlertInput.Condition), new Text("Choose a condition.")));
        }
        else
        {
            ValidateValues(input, errors);
        }
        if (!Enum.IsDefined(input.TriggerMode))
        {
            errors.Add(new FieldError(nameof(AlertInput.TriggerMode), new Text("Choose how often the alert may fire.")));
        }
        else if (input.TriggerMode == TriggerMode.EveryTime && input.CooldownMinutes is < 1 or > MaxCooldownMinutes)
        {
            errors.Add(new FieldError(nameof(AlertInput.CooldownMinutes), new Text("The pause between firings must be between {0} and {1} minutes.", 1, MaxCooldownMinutes)));
        }
        if (!input.NeverExpires && input.ExpiresOn is { } expires)
        {
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime);
            if (expires < today || expires > today.AddYears(5))
            {
                errors.Add(new FieldError(nameof(AlertInput.ExpiresOn), new Text("The expiry date must be between today and five years from now.")));
            }
        }
        if (input.Note is { Length: > Alert.NoteMaxLength })
        {
            errors.Add(new FieldError(nameof(AlertInput.Note), new Text("The note can be at most {0} characters long.", Alert.NoteMaxLength)));
        }
        await ValidateChannelsAsync(userId, input.Channels, errors, cancellationToken);
        return (errors, instrumentId);
    }

    private static void ValidateValues(AlertInput input, List<FieldError> errors)
    {
        var condition = input.Condition;
        if (AlertRules.UsesLevel(condition))
        {
            if (input.Level is not { } level || level <= 0 || level > MaxLevel)
            {
                errors.Add(new FieldError(nameof(AlertInput.Level), AlertRules.IsPercent(condition)
                    ? new Text("Give a percentage greater than 0.")
                    : condition == AlertCondition.VolumeAbove ? new Text("Give a number of shares greater than 0.") : new Text("Give a price greater than 0.")));
            }
            else if (AlertRules.IsPercent(condition) && level > 1000)
            {
                errors.Add(new FieldError(nameof(AlertInput.Level), new Text("The percentage can be at most {0}.", 1000)));
            }
        }
        if (AlertRules.UsesChannel(condition) && (input.Level2 is not { } high || high > MaxLevel || input.Level is { } low && high <= low))
        {
            errors.Add(new FieldError(nameof(AlertInput.Level2), new Text("The channel's high must be above its low.")));
        }
        if (AlertRules.UsesWindow(condition) && input.WindowMinutes is not (>= 1 and <= AlertRules.MaxWindowMinutes))
        {
            errors.Add(new FieldError(nameof(AlertInput.WindowMinutes), new Text("The window must be between {0} and {1} minutes.", 1, AlertRules.MaxWindowMinutes)));
        }
    }

    private async Task ValidateChannelsAsync(string userId, List<Channel>? channels, List<FieldError> errors, CancellationToken cancellationToken)
    {
        if (channels is not { Count: > 0 } || channels.Any(c => !Enum.IsDefined(c)))
        {
            errors.Add(new FieldError(nameof(AlertInput.Channels), new Text("Choose at least one way to be told.")));
            return;
        }
        var unavailable = await UnavailableChannelsAsync(userId, cancellationToken);
        foreach (var channel in channels.Distinct())
        {
            if (unavailable.TryGetValue(channel, out var why))
            {
                errors.Add(new FieldError(nameof(AlertInput.Channels), why));
            }
        }
    }

    /// <summary>The channels this user cannot choose now, each with the reason (the form disables them, the API refuses them).</summary>
    public async Task<IReadOnlyDictionary<Channel, Text>> UnavailableChannelsAsync(string userId, CancellationToken cancellationToken)
    {
        var preferences = await db.Set<NotificationPreferences>().AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken)
                          ?? new NotificationPreferences { UserId = userId };
        var confirmed = await db.Users.AnyAsync(u => u.Id == userId && u.EmailConfirmed, cancellationToken);
        var devices = await db.Set<PushSubscription>().AnyAsync(s => s.UserId == userId, cancellationToken);
        var unavailable = new Dictionary<Channel, Text>();
        foreach (var channel in Enum.GetValues<Channel>())
        {
            Text? why = channel switch
            {
                Channel.Email when !confirmed => new Text("Email notifications stay off until you confirm your email address."),
                Channel.Push when !devices => new Text("Turn on push notifications on a device first (Devices)."),
                _ when preferences.IsEnabled(channel) => null,
                Channel.Sms => new Text("SMS needs a verified phone number and SMS turned on in your notification settings."),
                Channel.Webhook => new Text("Webhooks need an address and webhooks turned on in your notification settings."),
                _ => new Text("This channel is off in your notification settings."),
            };
            if (why is not null)
            {
                unavailable[channel] = why;
            }
        }
        return unavailable;
    }

    public async Task<AlertChange> CreateAsync(string userId, AlertInput input, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var (errors, instrumentId) = await ValidateAsync(userId, input, zone, cancellationToken);
        if (errors.Count > 0)
        {
            return new AlertChange(0, errors);
        }
        if (await db.Set<Alert>().CountAsync(a => a.UserId == userId && (a.Status == AlertStatus.Active || a.Status == AlertStatus.Paused), cancellationToken)
            >= options.Value.MaxAlertsPerUser)
        {
            return new AlertChange(0, [new FieldError("", new Text("You can have at most {0} active alerts.", options.Value.MaxAlertsPerUser))]);
        }
        var now = clock.GetUtcNow();
        var alert = new Alert { UserId = userId, CreatedAt = now };
        Apply(alert, input, instrumentId, zone, now);
        alert.Targets = await TargetsAsync(instrumentId, input.WatchlistId, now, cancellationToken);
        db.Add(alert);
        await db.SaveChangesAsync(cancellationToken);
        await NotifyAsync(alert.Id, cancellationToken);
        return new AlertChange(alert.Id, []);
    }

    /// <summary>Editing an alert arms it again from the current price (a triggered or expired one too, unless paused).</summary>
    public async Task<AlertChange> UpdateAsync(string userId, long id, AlertInput input, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var alert = await db.Set<Alert>().SingleOrDefaultAsync(a => a.Id == id && a.UserId == userId, cancellationToken);
        if (alert is null)
        {
            return AlertChange.Missing;
        }
        var (errors, instrumentId) = await ValidateAsync(userId, input, zone, cancellationToken);
        if (errors.Count > 0)
        {
            return new AlertChange(id, errors);
        }
        var now = clock.GetUtcNow();
        Apply(alert, input, instrumentId, zone, now);
        if (alert.Status != AlertStatus.Paused)
        {
            alert.Status = AlertStatus.Active;
        }
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Set<AlertTarget>().Where(t => t.AlertId == id).ExecuteDeleteAsync(cancellationToken);
            db.AddRange(await TargetsAsync(instrumentId, input.WatchlistId, now, cancellationToken, id));
            // Changes are accepted only after the commit, so a retry of the whole unit writes them again.
            await db.SaveChangesAsync(acceptAllChangesOnSuccess: false, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.AcceptAllChanges();
        });
        await NotifyAsync(id, cancellationToken);
        return new AlertChange(id, []);
    }

    private void Apply(Alert alert, AlertInput input, int? instrumentId, TimeZoneInfo zone, DateTimeOffset now)
    {
        alert.InstrumentId = instrumentId;
        alert.WatchlistId = instrumentId is null ? input.WatchlistId : null;
        alert.Condition = input.Condition;
        alert.Level = AlertRules.UsesLevel(input.Condition) ? input.Level : null;
        alert.Level2 = AlertRules.UsesChannel(input.Condition) ? input.Level2 : null;
        alert.WindowMinutes = AlertRules.UsesWindow(input.Condition) ? input.WindowMinutes : null;
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
    /// do not fire it (the engine and the sweep agree on that).
    /// </summary>
    public async Task<bool> SetPausedAsync(string userId, long id, bool paused, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var changed = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var count = paused
                ? await db.Set<Alert>().Where(a => a.Id == id && a.UserId == userId && a.Status == AlertStatus.Active)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AlertStatus.Paused).SetProperty(a => a.UpdatedAt, now), cancellationToken)
                : await db.Set<Alert>().Where(a => a.Id == id && a.UserId == userId && a.Status == AlertStatus.Paused && (a.ExpiresAt == null || a.ExpiresAt > now))
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AlertStatus.Active).SetProperty(a => a.UpdatedAt, now), cancellationToken);
            if (count > 0 && !paused)
            {
                await db.Database.ExecuteSqlInterpolatedAsync($"""
                    UPDATE alert_targets t SET armed_at = {now}, armed_price = q.last, armed_quote_time = q.time
                    FROM (SELECT t2.instrument_id, q2.last, q2.time FROM alert_targets t2 LEFT JOIN quotes q2 ON q2.instrument_id = t2.instrument_id
                          WHERE t2.alert_id = {id}) q
                    WHERE t.alert_id = {id} AND t.state = {(int)TargetState.Armed} AND q.instrument_id = t.instrument_id
                    """, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            return count;
        });
        if (changed == 0)
        {
            return await db.Set<Alert>().AnyAsync(a => a.Id == id && a.UserId == userId, cancellationToken);
        }
        await NotifyAsync(id, cancellationToken);
        return true;
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

    /// <summary>The firings of one alert (or all of the user's), newest first, with each channel's result.</summary>
    public async Task<List<FiringSummary>> HistoryAsync(string userId, long? alertId, int limit, CancellationToken cancellationToken)
    {
        var firings = await db.Set<AlertFiring>().AsNoTracking()
            .Where(f => f.UserId == userId && (alertId == null || f.AlertId == alertId))
            .OrderByDescending(f => f.FiredAt).ThenByDescending(f => f.Id).Take(limit)
            .Select(f => new { f.Id, f.AlertId, f.Instrument.Ticker, f.Condition, f.Level, f.Level2, f.WindowMinutes, f.Price, f.Value, f.FiredAt, f.Source })
            .ToListAsync(cancellationToken);
        var ids = firings.Select(f => (long?)f.Id).ToList();
        var deliveries = (await db.Set<Delivery>().AsNoTracking().Where(d => ids.Contains(d.EventId)).OrderBy(d => d.Channel)
                .Select(d => new { d.EventId, Summary = new DeliverySummary(d.Id, d.Channel, d.Status, d.Attempts, d.DetailKey, d.DetailArgs, d.CompletedAt) })
                .ToListAsync(cancellationToken))
            .ToLookup(d => d.EventId!.Value, d => d.Summary);
        return firings.Select(f => new FiringSummary(f.Id, f.AlertId, f.Ticker, f.Condition, f.Level, f.Level2, f.WindowMinutes, f.Price, f.Value,
            f.FiredAt, f.Source, deliveries[f.Id].ToList())).ToList();
    }

    /// <summary>The latest test deliveries of one alert.</summary>
    public Task<List<TestDelivery>> TestsAsync(string userId, long alertId, CancellationToken cancellationToken) =>
        outbox.TestsAsync(userId, alertId, cancellationToken);

    /// <summary>How many of the alert's instruments already meet a (non-crossing) condition: "this fires immediately".</summary>
    public async Task<int> HoldsNowAsync(string userId, AlertInput input, CancellationToken cancellationToken)
    {
        if (AlertRules.IsCrossing(input.Condition) || !Enum.IsDefined(input.Condition))
        {
            return 0;
        }
        var ticker = input.Ticker?.Trim().ToUpperInvariant();
        var instruments = !string.IsNullOrEmpty(ticker)
            ? db.Instruments.Where(i => i.Ticker == ticker).Select(i => i.Id)
            : db.Set<WatchlistItem>().Where(i => i.WatchlistId == input.WatchlistId && db.Set<Watchlist>().Any(w => w.Id == i.WatchlistId && w.UserId == userId))
                .Select(i => i.InstrumentId);
        var quotes = await db.Quotes.AsNoTracking().Where(q => instruments.Contains(q.InstrumentId)).ToListAsync(cancellationToken);
        if (quotes.Count == 0)
        {
            return 0;
        }
        var ids = quotes.Select(q => q.InstrumentId).ToList();
        var years = await figures.PriorYearRangesAsync(cancellationToken);
        var since = clock.GetUtcNow().AddMinutes(-(input.WindowMinutes ?? 0));
        var windows = AlertRules.UsesWindow(input.Condition)
            ? await db.MinuteBars.Where(b => ids.Contains(b.InstrumentId) && b.Time >= since)
                .GroupBy(b => b.InstrumentId).Select(g => new { g.Key, Low = g.Min(b => b.Low), High = g.Max(b => b.High) })
                .ToDictionaryAsync(g => g.Key, cancellationToken)
            : [];
        return quotes.Count(q =>
        {
            (decimal Low, decimal High)? year = years.TryGetValue(q.InstrumentId, out var range) ? range : null;
            var window = windows.GetValueOrDefault(q.InstrumentId);
            var context = new TickContext(year?.High, year?.Low, _ => window is null ? null : (window.Low, window.High));
            return AlertRules.Holds(input.Condition, input.Level, input.Level2, input.WindowMinutes, null,
                new MarketTick(q.InstrumentId, q.Last, q.ChangePercent, q.Volume, q.Time), context, out _);
        });
    }

    private async Task NotifyAsync(long alertId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await AlertEngine.NotifyChangedAsync(connection, [alertId], cancellationToken);
    }
}
