using System.Globalization;
using MarketWatch.Web.Infrastructure.Localization;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>A date as an argument of a <see cref="Text"/>: written with <see cref="Format.Date(DateOnly)"/> in the reader's language when the message is.</summary>
public sealed record LocalDate(DateOnly Day)
{
    public override string ToString() => Format.Date(Day);
}

/// <summary>A number of shares as an argument of a <see cref="Text"/>: whole shares without decimals, a fraction with up to four, in the reader's culture.</summary>
public sealed record Shares(decimal Quantity)
{
    public override string ToString() => Quantity.ToString("#,0.####", CultureInfo.CurrentCulture);
}
