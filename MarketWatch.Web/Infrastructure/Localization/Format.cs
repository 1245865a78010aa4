using System.Globalization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Infrastructure.Localization;

/// <summary>Numbers as investors read them, in the request's culture (en, fr-MA or ar-MA).</summary>
public static class Format
{
    public const string Missing = "—";

    public static string Price(decimal? value) => value is { } v ? v.ToString("N2", CultureInfo.CurrentCulture) : Missing;

    public static string Change(decimal? value) =>
        value is { } v ? (v > 0 ? "+" : "") + v.ToString("N2", CultureInfo.CurrentCulture) : Missing;

    public static string Percent(decimal? value) =>
        value is { } v ? (v > 0 ? "+" : "") + v.ToString("N2", CultureInfo.CurrentCulture) + " %" : Missing;

    public static string Count(long? value) => value is { } v ? v.ToString("N0", CultureInfo.CurrentCulture) : Missing;

    public static string Level(decimal? value) => value is { } v ? v.ToString("N2", CultureInfo.CurrentCulture) : Missing;

    /// <summary>Amounts in MAD, shortened to millions or billions ("162.43 bn MAD").</summary>
    public static string Mad(decimal? value, IStringLocalizer L)
    {
        if (value is not { } v)
        {
            return Missing;
        }
        var culture = CultureInfo.CurrentCulture;
        return Math.Abs(v) switch
        {
            >= 1_000_000_000m => L["{0} bn MAD", (v / 1_000_000_000m).ToString("N2", culture)],
            >= 1_000_000m => L["{0} M MAD", (v / 1_000_000m).ToString("N2", culture)],
            _ => L["{0} MAD", v.ToString("N2", culture)],
        };
    }

    /// <summary>"up", "down" or "flat": the CSS class that colours a change.</summary>
    public static string Direction(decimal? value) => value switch { > 0 => "up", < 0 => "down", _ => "flat" };
}
