using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Watchlists;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>
/// Whether an <see cref="AlertInput"/> makes an alert this user may have: the stock or one of their watchlists, the
/// condition's values, the expiry, and channels their notification settings allow. Every problem, not the first.
/// </summary>
public sealed class AlertValidator(DbContext db, NotificationSettings settings, PositionAlertLevels positions, TimeProvider clock)
{
    public const decimal MaxLevel = 1_000_000_000_000m;
    public const int MaxCooldownMinutes = 7 * 24 * 60;
    public const decimal MinRsiLevel = 1, MaxRsiLevel = 99;
    public const decimal MinVolumeMultiple = 1, MaxVolumeMultiple = 20;

    /// <summary>Checks an input; on success also says what it is about (instrument or watchlist).</summary>
    /// <param name="editing">The alert being edited (null: a new one).</param>
    public async Task<(List<FieldError> Errors, int? InstrumentId)> ValidateAsync(string userId, AlertInput input, TimeZoneInfo zone, CancellationToken cancellationToken,
        long? editing = null)
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
            if (AlertRules.IsPosition(input.Condition))
            {
                await ValidatePositionAsync(userId, input, ticker, instrumentId, editing, errors, cancellationToken);
            }
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

    /// <summary>
    /// A position alert: one stock, in one of the user's portfolios that holds it now. Editing a position alert that
    /// keeps its portfolio and stock may leave the position sold out (the alert waits): its note, expiry or
    /// percentage can still change.
    /// </summary>
    private async Task ValidatePositionAsync(string userId, AlertInput input, string? ticker, int? instrumentId, long? editing, List<FieldError> errors,
        CancellationToken cancellationToken)
    {
        if (input.WatchlistId is not null && string.IsNullOrEmpty(ticker))
        {
            errors.Add(new FieldError(nameof(AlertInput.Ticker), new Text("An alert on a position is about one stock: give its ticker.")));
        }
        if (input.PortfolioId is not { } portfolioId)
        {
            errors.Add(new FieldError(nameof(AlertInput.PortfolioId), new Text("Choose the portfolio that holds the stock.")));
        }
        else if (await positions.PositionAsync(userId, portfolioId, instrumentId ?? 0, cancellationToken) is not { } held)
        {
            errors.Add(new FieldError(nameof(AlertInput.PortfolioId), new Text("That portfolio is not one of yours.")));
        }
        else if (instrumentId is not null && held.Position.Quantity <= 0
                 && !(editing is { } id && await db.Set<Alert>().AnyAsync(a => a.Id == id && a.UserId == userId && a.Condition == AlertCondition.PositionPnlCrosses
                     && a.PortfolioId == portfolioId && a.InstrumentId == instrumentId, cancellationToken)))
        {
            errors.Add(new FieldError(nameof(AlertInput.PortfolioId), new Text("This portfolio holds no {0} shares: choose one that does.", ticker ?? "")));
        }
    }

    private static void ValidateValues(AlertInput input, List<FieldError> errors)
    {
        var condition = input.Condition;
        if (AlertRules.IsPosition(condition))
        {
            if (input.Level is not { } percent || percent == 0 || percent <= -100 || percent > 1000)
            {
                errors.Add(new FieldError(nameof(AlertInput.Level),
                    new Text("Give a percentage other than 0, above -100 and at most 1000: negative for a stop-loss, positive for a take-profit.")));
            }
        }
        else if (condition is AlertCondition.RsiCrossesAbove or AlertCondition.RsiCrossesBelow)
        {
            if (input.Level is not (>= MinRsiLevel and <= MaxRsiLevel))
            {
                errors.Add(new FieldError(nameof(AlertInput.Level), new Text("Give an RSI level between {0} and {1}.", MinRsiLevel, MaxRsiLevel)));
            }
        }
        else if (condition == AlertCondition.VolumeAboveAverage)
        {
            if (input.Level is not (>= MinVolumeMultiple and <= MaxVolumeMultiple))
            {
                errors.Add(new FieldError(nameof(AlertInput.Level),
                    new Text("Give a multiple of the average volume between {0} and {1}.", MinVolumeMultiple, MaxVolumeMultiple)));
            }
        }
        else if (AlertRules.UsesLevel(condition))
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
        if (AlertRules.UsesPeriod(condition) && AlertRules.PeriodRange(condition) is var (min, max) && (input.IndicatorPeriod is not { } n || n < min || n > max))
        {
            errors.Add(new FieldError(nameof(AlertInput.IndicatorPeriod), new Text("The period must be between {0} and {1} sessions.", min, max)));
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
        var unavailable = await settings.UnavailableChannelsAsync(userId, cancellationToken);
        foreach (var channel in channels.Distinct())
        {
            if (unavailable.TryGetValue(channel, out var why))
            {
                errors.Add(new FieldError(nameof(AlertInput.Channels), why));
            }
        }
    }
}
