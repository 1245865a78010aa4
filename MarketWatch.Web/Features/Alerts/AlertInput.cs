using MarketWatch.Web.Features.Notifications;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>An alert as a form or the API gives it. Field names are the API's property names and the form's input names.</summary>
public sealed class AlertInput
{
    public string? Ticker { get; set; }
    public int? WatchlistId { get; set; }
    /// <summary>The portfolio whose position a <see cref="AlertCondition.PositionPnlCrosses"/> alert watches (one of yours that holds the stock).</summary>
    public int? PortfolioId { get; set; }
    public AlertCondition Condition { get; set; } = AlertCondition.CrossesUp;
    public decimal? Level { get; set; }
    public decimal? Level2 { get; set; }
    public int? WindowMinutes { get; set; }
    /// <summary>The N of an SMA, EMA (2–200) or RSI (2–50) condition, in sessions.</summary>
    public int? IndicatorPeriod { get; set; }
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
        PortfolioId = alert.PortfolioId,
        Condition = alert.Condition,
        Level = alert.Level,
        Level2 = AlertRules.UsesChannel(alert.Condition) ? alert.Level2 : null,
        WindowMinutes = alert.WindowMinutes,
        IndicatorPeriod = alert.IndicatorPeriod,
        TriggerMode = alert.TriggerMode,
        CooldownMinutes = alert.CooldownMinutes,
        ExpiresOn = alert.ExpiresAt is { } at ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime).AddDays(-1) : null,
        NeverExpires = alert.ExpiresAt is null,
        Channels = alert.Channels.ToList(),
        Note = alert.Note,
        SessionOnly = alert.SessionOnly,
    };
}
