using System.Globalization;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>The portfolio pages' figures, written through <see cref="Format"/> (one style with the rest of the site).</summary>
public static class PortfolioFormat
{
    /// <summary>Shares: whole numbers as counts ("1,250"), a fraction (a split's remainder) with up to four decimals.</summary>
    public static string Quantity(decimal quantity) =>
        quantity == decimal.Truncate(quantity) ? Format.Count((long)quantity) : quantity.ToString("#,0.####", CultureInfo.CurrentCulture);

    /// <summary>An amount of the portfolio's currency in a column whose header names the unit.</summary>
    public static string Amount(decimal? value) => Format.Price(value);

    /// <summary>A gain or loss in a column whose header names the unit: signed, isolated in Arabic.</summary>
    public static string Signed(decimal? value) => Format.Change(value);

    /// <summary>An amount standing alone: "152,340.50 MAD" (whole, not shortened: this is the user's own money).</summary>
    public static string Mad(decimal value, IStringLocalizer L) => L["{0} MAD", Format.Isolated(value.ToString("N2", CultureInfo.CurrentCulture))];

    /// <summary>A gain or loss standing alone: "+1,250.00 MAD".</summary>
    public static string SignedMad(decimal value, IStringLocalizer L) => L["{0} MAD", Format.Change(value)];

    /// <summary>A figure given as a fraction (0.125 = 12.50 %), signed; "—" when it is not defined.</summary>
    public static string Fraction(decimal? fraction) => fraction is { } f ? Format.Percent(f * 100) : Format.Missing;

    /// <summary>A weight given in percent (52.97 = 52.97 %), unsigned.</summary>
    public static string Weight(decimal percent) => Format.Isolated(percent.ToString("N2", CultureInfo.CurrentCulture) + " %");

    /// <summary>A share of the whole given as a fraction (0.125 = 12.50 %), unsigned.</summary>
    public static string Share(decimal fraction) => Format.Isolated((fraction * 100).ToString("N2", CultureInfo.CurrentCulture) + " %");
}
