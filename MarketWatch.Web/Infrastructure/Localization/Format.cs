using System.Globalization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Infrastructure.Localization;

/// <summary>
/// Numbers, amounts, dates and times as investors read them, in the request's culture (en, fr-MA or ar-MA): one style
/// everywhere. Dates are written so no reader can swap day and month ("1 Dec 2026", "1 déc. 2026", "1 دجنبر 2026"),
/// times on a 24-hour clock in the zone the caller passes (the profile's), signed numbers kept in reading order in
/// Arabic (a left-to-right isolate, so "+1,75 %" never turns into "% 1,75+").
/// </summary>
public static class Format
{
    public const string Missing = "—";

    /// <summary>Unicode's left-to-right isolate and its closing mark: invisible, they keep a number's sign, digits and unit together in right-to-left text.</summary>
    public const char LeftToRightIsolate = '\u2066';
    public const char PopDirectionalIsolate = '\u2069';

    public const string DatePattern = "d MMM yyyy";
    public const string LongDatePattern = "d MMMM yyyy";
    public const string TimePattern = "HH:mm";
    public const string TimeWithSecondsPattern = "HH:mm:ss";

    private static CultureInfo Culture => CultureInfo.CurrentCulture;

    /// <summary>
    /// A signed figure, isolated left to right when the page reads right to left. Amounts isolate only their number: the
    /// unit around it ("{0} مليون MAD") follows the sentence's own direction, so a right-to-left reader meets the number first.
    /// </summary>
    public static string Isolated(string text) =>
        Culture.TextInfo.IsRightToLeft ? LeftToRightIsolate + text + PopDirectionalIsolate : text;

    public static string Price(decimal? value) => value is { } v ? v.ToString("N2", Culture) : Missing;

    public static string Change(decimal? value) =>
        value is { } v ? Isolated(Sign(v) + Math.Abs(v).ToString("N2", Culture)) : Missing;

    public static string Percent(decimal? value) =>
        value is { } v ? Isolated(Sign(v) + Math.Abs(v).ToString("N2", Culture) + " %") : Missing;

    public static string Count(long? value) => value is { } v ? v.ToString("N0", Culture) : Missing;

    /// <summary>A ratio (a split's 2, a bonus's 0.1): the decimals it has, up to four, in the reader's culture.</summary>
    public static string Ratio(decimal? value) => value is { } v ? Isolated(v.ToString("#,0.####", Culture)) : Missing;

    public static string Level(decimal? value) => value is { } v ? v.ToString("N2", Culture) : Missing;

    /// <summary>"+", "-" or nothing: a plain hyphen-minus (ar-MA's own minus carries a left-to-right mark of its own).</summary>
    private static string Sign(decimal v) => v > 0 ? "+" : v < 0 ? "-" : "";

    /// <summary>One amount in MAD on its own (not in a column), shortened to millions or billions ("162.43 bn MAD").</summary>
    public static string Mad(decimal? value, IStringLocalizer L)
    {
        if (value is not { } v)
        {
            return Missing;
        }
        return Math.Abs(v) switch
        {
            >= 1_000_000_000m => Billions(v, L),
            >= 1_000_000m => Millions(v, L),
            _ => L["{0} MAD", Isolated(v.ToString("N2", Culture))],
        };
    }

    /// <summary>An amount in millions of MAD, whatever its size: a column of them reads at one precision and one unit.</summary>
    public static string Millions(decimal? value, IStringLocalizer L) =>
        value is { } v ? L["{0} M MAD", Isolated((v / 1_000_000m).ToString("N2", Culture))] : Missing;

    /// <summary>Millions of MAD without the unit, for a column whose header names it ("Value traded (M MAD)").</summary>
    public static string InMillions(decimal? value) => value is { } v ? (v / 1_000_000m).ToString("N2", Culture) : Missing;

    /// <summary>An amount in billions of MAD, whatever its size (market capitalisations in a column).</summary>
    public static string Billions(decimal? value, IStringLocalizer L) =>
        value is { } v ? L["{0} bn MAD", Isolated((v / 1_000_000_000m).ToString("N2", Culture))] : Missing;

    /// <summary>A calendar day: "1 Dec 2026", "1 déc. 2026", "1 دجنبر 2026".</summary>
    public static string Date(DateOnly day) => day.ToString(DatePattern, Culture);

    public static string Date(DateTime day) => day.ToString(DatePattern, Culture);

    /// <summary>The day an instant falls on in a zone (the profile's).</summary>
    public static string Date(DateTimeOffset instant, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(instant, zone).ToString(DatePattern, Culture);

    public static string Date(DateTimeOffset? instant, TimeZoneInfo zone) => instant is { } t ? Date(t, zone) : Missing;

    /// <summary>A day written out: "1 December 2026".</summary>
    public static string LongDate(DateOnly day) => day.ToString(LongDatePattern, Culture);

    public static string LongDate(DateTimeOffset instant, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(instant, zone).ToString(LongDatePattern, Culture);

    /// <summary>A time of day in a zone, 24-hour clock: "21:30".</summary>
    public static string Time(DateTimeOffset instant, TimeZoneInfo zone, bool seconds = false) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString(seconds ? TimeWithSecondsPattern : TimePattern, Culture);

    /// <summary>An instant in a zone: "1 Dec 2026, 21:30" (Arabic: "1 دجنبر 2026، 21:30").</summary>
    public static string DateTime(DateTimeOffset instant, TimeZoneInfo zone, bool seconds = false)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var separator = Culture.TwoLetterISOLanguageName == "ar" ? "، " : ", ";
        return local.ToString(DatePattern, Culture) + separator + local.ToString(seconds ? TimeWithSecondsPattern : TimePattern, Culture);
    }

    public static string DateTime(DateTimeOffset? instant, TimeZoneInfo zone, bool seconds = false) =>
        instant is { } t ? DateTime(t, zone, seconds) : Missing;

    /// <summary>The BCP 47 locale the browser formats dates with to match <see cref="DateTime(DateTimeOffset, TimeZoneInfo, bool)"/> (day before month in English too).</summary>
    public static string BrowserLocale(CultureInfo culture) => culture.TwoLetterISOLanguageName switch
    {
        "fr" => "fr-MA",
        "ar" => "ar-MA",
        _ => "en-GB",
    };

    /// <summary>"up", "down" or "flat": the CSS class that colours a change.</summary>
    public static string Direction(decimal? value) => value switch { > 0 => "up", < 0 => "down", _ => "flat" };
}
