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
        _ => condition.ToString(),
    };

    /// <summary>What the level field holds for a condition (its label and its help), so the form asks for a price, a percent or shares.</summary>
    public static (string Label, string Help) Level(AlertCondition condition, IStringLocalizer L) => condition switch
    {
        AlertCondition.ChangeUp or AlertCondition.ChangeDown => (L["Change on the day (%)"], L["A percentage against the previous close: 5 means 5 %."]),
        AlertCondition.MoveUpWithin or AlertCondition.MoveDownWithin => (L["Move (%)"], L["A percentage within the minutes below: 2 means 2 %."]),
        AlertCondition.VolumeAbove => (L["Shares traded today"], L["A number of shares, counted since the open."]),
        AlertCondition.EntersChannel or AlertCondition.ExitsChannel => (L["Channel low (MAD)"], L["The lower price of the channel; its higher price goes below."]),
        _ => (L["Price (MAD)"], L["The price that fires the alert, in dirhams."]),
    };

    /// <summary>The rule with its values: "Crosses above 760.00", "Rises 3.00% within 30 minutes".</summary>
    public static string Describe(AlertCondition condition, decimal? level, decimal? level2, int? window, IStringLocalizer L) => condition switch
    {
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
        _ => condition.ToString(),
    };

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
