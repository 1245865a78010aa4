using System.Globalization;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>Alerts in words, in the current UI culture: the same wording on pages, in emails, push, SMS and toasts.</summary>
public static class AlertText
{
    public static string Condition(AlertCondition condition, IStringLocalizer L) => condition switch
    {
        AlertCondition.PriceAbove => L["Price at or above"],
        AlertCondition.PriceBelow => L["Price at or below"],
        AlertCondition.CrossesUp => L["Crosses above"],
        AlertCondition.CrossesDown => L["Crosses below"],
        AlertCondition.CrossesEither => L["Crosses either way"],
        AlertCondition.ChangeUp => L["Up on the day by at least (%)"],
        AlertCondition.ChangeDown => L["Down on the day by at least (%)"],
        AlertCondition.MoveUpWithin => L["Rises by (%) within minutes"],
        AlertCondition.MoveDownWithin => L["Falls by (%) within minutes"],
        AlertCondition.VolumeAbove => L["Day volume at or above"],
        AlertCondition.New52WeekHigh => L["New 52-week high"],
        AlertCondition.New52WeekLow => L["New 52-week low"],
        AlertCondition.EntersChannel => L["Enters a price channel"],
        AlertCondition.ExitsChannel => L["Leaves a price channel"],
        AlertCondition.PositionPnlCrosses => L["Position P/L from average cost"],
        AlertCondition.SmaCrossUp => L["Price crosses above its SMA"],
        AlertCondition.SmaCrossDown => L["Price crosses below its SMA"],
        AlertCondition.EmaCrossUp => L["Price crosses above its EMA"],
        AlertCondition.EmaCrossDown => L["Price crosses below its EMA"],
        AlertCondition.RsiCrossesAbove => L["RSI crosses above"],
        AlertCondition.RsiCrossesBelow => L["RSI crosses below"],
        AlertCondition.MacdCrossesAboveSignal => L["MACD crosses above its signal"],
        AlertCondition.MacdCrossesBelowSignal => L["MACD crosses below its signal"],
        AlertCondition.VolumeAboveAverage => L["Volume at or above a multiple of its 20-day average"],
        _ => condition.ToString(),
    };

    /// <summary>What the level field holds for a condition (its label and its help), so the form asks for a price, a percent or shares.</summary>
    public static (string Label, string Help) Level(AlertCondition condition, IStringLocalizer L) => condition switch
    {
        AlertCondition.ChangeUp or AlertCondition.ChangeDown => (L["Change on the day (%)"], L["A percentage against the previous close: 5 means 5 %."]),
        AlertCondition.MoveUpWithin or AlertCondition.MoveDownWithin => (L["Move (%)"], L["A percentage within the minutes below: 2 means 2 %."]),
        AlertCondition.VolumeAbove => (L["Shares traded today"], L["A number of shares, counted since the open."]),
        AlertCondition.EntersChannel or AlertCondition.ExitsChannel => (L["Channel low (MAD)"], L["The lower price of the channel; its higher price goes below."]),
        AlertCondition.RsiCrossesAbove or AlertCondition.RsiCrossesBelow => (L["RSI level"], L["Between 1 and 99: above 70 is often read as overbought, below 30 as oversold."]),
        AlertCondition.VolumeAboveAverage => (L["Multiple of the average volume"], L["2 means twice the average volume of the last 20 sessions (decimals allowed)."]),
        AlertCondition.PositionPnlCrosses => (L["P/L from average cost (%)"],
            L["Negative for a stop-loss (-8 means 8 % below your average cost), positive for a take-profit. Kept up to date when your average cost changes."]),
        _ => (L["Price (MAD)"], L["The price that fires the alert, in dirhams."]),
    };

    /// <summary>The rule with its values: "Crosses above 760.00", "Rises 3.00% within 30 minutes".</summary>
    public static string Describe(AlertCondition condition, decimal? level, decimal? level2, int? window, IStringLocalizer L, int? period = null) => condition switch
    {
        AlertCondition.SmaCrossUp => L["Crosses above its {0}-day SMA", period ?? 0],
        AlertCondition.SmaCrossDown => L["Crosses below its {0}-day SMA", period ?? 0],
        AlertCondition.EmaCrossUp => L["Crosses above its {0}-day EMA", period ?? 0],
        AlertCondition.EmaCrossDown => L["Crosses below its {0}-day EMA", period ?? 0],
        AlertCondition.RsiCrossesAbove => L["RSI({0}) crosses above {1}", period ?? 0, Format.Level(level)],
        AlertCondition.RsiCrossesBelow => L["RSI({0}) crosses below {1}", period ?? 0, Format.Level(level)],
        AlertCondition.MacdCrossesAboveSignal => L["MACD(12, 26, 9) crosses above its signal"],
        AlertCondition.MacdCrossesBelowSignal => L["MACD(12, 26, 9) crosses below its signal"],
        AlertCondition.VolumeAboveAverage => L["Volume at or above {0}× its 20-day average", Format.Ratio(level)],
        AlertCondition.PriceAbove => L["Price at or above {0}", Format.Price(level)],
        AlertCondition.PriceBelow => L["Price at or below {0}", Format.Price(level)],
        AlertCondition.CrossesUp => L["Crosses above {0}", Format.Price(level)],
        AlertCondition.CrossesDown => L["Crosses below {0}", Format.Price(level)],
        AlertCondition.CrossesEither => L["Crosses {0}", Format.Price(level)],
        AlertCondition.ChangeUp => L["Up {0}% or more on the day", Format.Level(level)],
        AlertCondition.ChangeDown => L["Down {0}% or more on the day", Format.Level(level)],
        AlertCondition.MoveUpWithin => L["Rises {0}% within {1} minutes", Format.Level(level), window ?? 0],
        AlertCondition.MoveDownWithin => L["Falls {0}% within {1} minutes", Format.Level(level), window ?? 0],
        AlertCondition.VolumeAbove => L["Day volume at or above {0}", Format.Count(level is { } v ? (long)v : null)],
        AlertCondition.New52WeekHigh => L["New 52-week high"],
        AlertCondition.New52WeekLow => L["New 52-week low"],
        AlertCondition.EntersChannel => L["Enters the channel {0} – {1}", Format.Price(level), Format.Price(level2)],
        AlertCondition.ExitsChannel => L["Leaves the channel {0} – {1}", Format.Price(level), Format.Price(level2)],
        AlertCondition.PositionPnlCrosses => level2 is null
            ? L["Position P/L crosses {0} from average cost (no shares held now: waiting)", Format.Percent(level)]
            : L["Position P/L crosses {0} from average cost (at {1})", Format.Percent(level), Format.Price(level2)],
        _ => condition.ToString(),
    };

    /// <summary>
    /// A position alert's message: "ATW: your position is down 8.20% from its average cost 512.30 MAD" (null for other
    /// conditions). <paramref name="pnl"/> is the P/L measured when it fired; a sample works it out from the price.
    /// </summary>
    public static string? Position(string ticker, decimal? level, decimal? level2, decimal price, decimal? pnl, IStringLocalizer L)
    {
        if (level is not { } percent || level2 is not { } at || at <= 0)
        {
            return null;
        }
        var measured = pnl ?? AlertRules.PositionPercent(percent, at, price);
        var cost = Format.Mad(AlertRules.AverageCostOf(percent, at), L);
        return measured < 0
            ? L["{0}: your position is down {1}% from its average cost {2}", ticker, Format.Level(-measured), cost]
            : L["{0}: your position is up {1}% from its average cost {2}", ticker, Format.Level(measured), cost];
    }

    /// <summary>
    /// An indicator alert's firing with what it measured: "ATW crossed above its 50-day SMA (742.10)", "ATW: RSI(14)
    /// crossed above 70 (now 71.30)" (null for other conditions).
    /// </summary>
    public static string? Fired(string ticker, AlertCondition condition, int? period, decimal? level, decimal? value, IStringLocalizer L) => condition switch
    {
        AlertCondition.SmaCrossUp => L["{0} crossed above its {1}-day SMA ({2})", ticker, period ?? 0, Format.Price(value)],
        AlertCondition.SmaCrossDown => L["{0} crossed below its {1}-day SMA ({2})", ticker, period ?? 0, Format.Price(value)],
        AlertCondition.EmaCrossUp => L["{0} crossed above its {1}-day EMA ({2})", ticker, period ?? 0, Format.Price(value)],
        AlertCondition.EmaCrossDown => L["{0} crossed below its {1}-day EMA ({2})", ticker, period ?? 0, Format.Price(value)],
        AlertCondition.RsiCrossesAbove => L["{0}: RSI({1}) crossed above {2} (now {3})", ticker, period ?? 0, Format.Level(level), Format.Level(value)],
        AlertCondition.RsiCrossesBelow => L["{0}: RSI({1}) crossed below {2} (now {3})", ticker, period ?? 0, Format.Level(level), Format.Level(value)],
        AlertCondition.MacdCrossesAboveSignal => L["{0}: MACD crossed above its signal (MACD {1})", ticker, Format.Ratio(value is { } m ? Math.Round(m, 4) : null)],
        AlertCondition.MacdCrossesBelowSignal => L["{0}: MACD crossed below its signal (MACD {1})", ticker, Format.Ratio(value is { } m ? Math.Round(m, 4) : null)],
        AlertCondition.VolumeAboveAverage => L["{0}: volume {1}× its 20-day average", ticker, Format.Ratio(value is { } v ? Math.Round(v, 2) : level)],
        _ => (string?)null,
    };

    /// <summary>The indicator's value now, for the alert form: "RSI(14) now 63.20", "SMA(50) now 742.10".</summary>
    public static string? Now(AlertCondition condition, int? period, double value, IStringLocalizer L)
    {
        var v = (decimal)Math.Round(value, 4);
        return condition switch
        {
            AlertCondition.SmaCrossUp or AlertCondition.SmaCrossDown => L["SMA({0}) now {1}", period ?? 0, Format.Price(v)],
            AlertCondition.EmaCrossUp or AlertCondition.EmaCrossDown => L["EMA({0}) now {1}", period ?? 0, Format.Price(v)],
            AlertCondition.RsiCrossesAbove or AlertCondition.RsiCrossesBelow => L["RSI({0}) now {1}", period ?? 0, Format.Level(v)],
            AlertCondition.MacdCrossesAboveSignal or AlertCondition.MacdCrossesBelowSignal => L["MACD(12, 26, 9) now {0}", Format.Ratio(Math.Round(v, 4))],
            AlertCondition.VolumeAboveAverage => L["Volume now {0}× its 20-day average", Format.Ratio(Math.Round(v, 2))],
            _ => (string?)null,
        };
    }

    public static string Mode(TriggerMode mode, int cooldownMinutes, IStringLocalizer L) => mode switch
    {
        TriggerMode.Once => L["Once"],
        TriggerMode.OncePerSession => L["Once per session"],
        _ => L["Every time, then wait {0} minutes", cooldownMinutes],
    };

    public static string Status(AlertStatus status, IStringLocalizer L) => status switch
    {
        AlertStatus.Active => L["Armed"],
        AlertStatus.Paused => L["Paused"],
        AlertStatus.Triggered => L["Triggered"],
        _ => L["Expired"],
    };

    /// <summary>The user's note with its placeholders filled in.</summary>
    public static string? Note(string? note, string ticker, string price, string condition, string time) =>
        string.IsNullOrWhiteSpace(note) ? null : note
            .Replace("{ticker}", ticker, StringComparison.OrdinalIgnoreCase)
            .Replace("{price}", price, StringComparison.OrdinalIgnoreCase)
            .Replace("{condition}", condition, StringComparison.OrdinalIgnoreCase)
            .Replace("{time}", time, StringComparison.OrdinalIgnoreCase);

    /// <summary>A time in the reader's zone and language, with the zone named (alerts reach people travelling).</summary>
    public static string Time(DateTimeOffset instant, TimeZoneInfo zone) =>
        Format.DateTime(instant, zone) + " (" + zone.Id + ")";
}
