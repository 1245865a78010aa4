namespace MarketWatch.Web.Features.Portfolios;

/// <summary>The periods performance is reported over. Query and API strings: 1D 1W 1M YTD 1Y 3Y 5Y ALL.</summary>
public enum PerformanceRange { D1, W1, M1, Ytd, Y1, Y3, Y5, All }

/// <summary>One session of the performance chart.</summary>
/// <param name="Value">The portfolio's value at the session's close (live for the current session).</param>
/// <param name="Invested">Net money put in so far (the sum of <see cref="Ledger.ExternalFlow"/>).</param>
/// <param name="PortfolioIndex">Time-weighted growth, 100 at the range start.</param>
/// <param name="MasiIndex">The computed MASI, 100 at the range start; null where the market has no bars.</param>
public sealed record PerformancePoint(DateOnly Date, decimal Value, decimal Invested, decimal PortfolioIndex, decimal? MasiIndex);

/// <summary>
/// The figures of one range, as fractions (0.12 = 12 %). <see cref="From"/> is the session whose close is the base (the
/// last session on or before the range's start), <see cref="To"/> the current session.
/// </summary>
/// <param name="Twr">Time-weighted return, chain-linked daily (deposits and withdrawals are not performance).</param>
/// <param name="Xirr">Money-weighted return: annualised (XIRR) when From–To spans a year (365 days) or more; for a shorter
/// range the return over the range itself, not annualised. Null when it does not converge or the range is under a day.</param>
/// <param name="MasiTwr">The computed MASI's return over the same sessions.</param>
/// <param name="MaxDrawdown">The deepest fall of the time-weighted index from a previous peak in the range, ≤ 0 (−0.25 = fell 25 %).</param>
/// <param name="Volatility">Annualised: √252 × the standard deviation of the daily time-weighted returns.</param>
public sealed record RangeFigures(PerformanceRange Range, DateOnly From, DateOnly To, decimal? Twr, decimal? Xirr,
    decimal? MasiTwr, decimal? MaxDrawdown, decimal? Volatility);

/// <summary>The chart series of one range, its figures, and every range's figures (for the figures table).</summary>
public sealed record PerformanceReport(PerformanceRange Range, IReadOnlyList<PerformancePoint> Series, RangeFigures Figures,
    IReadOnlyList<RangeFigures> Ranges);

public static class PerformanceRanges
{
    public static IReadOnlyList<PerformanceRange> All { get; } = Enum.GetValues<PerformanceRange>();

    /// <summary>The query/API string of a range (1D, YTD, ALL...).</summary>
    public static string Code(this PerformanceRange range) => range switch
    {
        PerformanceRange.D1 => "1D",
        PerformanceRange.W1 => "1W",
        PerformanceRange.M1 => "1M",
        PerformanceRange.Ytd => "YTD",
        PerformanceRange.Y1 => "1Y",
        PerformanceRange.Y3 => "3Y",
        PerformanceRange.Y5 => "5Y",
        _ => "ALL",
    };

    /// <summary>Parses 1D, 1w, ytd, ALL... (case-insensitive); false for anything else.</summary>
    public static bool TryParse(string? code, out PerformanceRange range)
    {
        foreach (var r in All)
        {
            if (string.Equals(r.Code(), code?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                range = r;
                return true;
            }
        }
        range = PerformanceRange.All;
        return false;
    }

    /// <summary>
    /// The calendar date the range looks back to from <paramref name="today"/>; the base is the last session on or
    /// before it. Null for <see cref="PerformanceRange.D1"/> (the previous session) and <see cref="PerformanceRange.All"/>.
    /// </summary>
    public static DateOnly? StartOn(this PerformanceRange range, DateOnly today) => range switch
    {
        PerformanceRange.W1 => today.AddDays(-7),
        PerformanceRange.M1 => today.AddMonths(-1),
        PerformanceRange.Ytd => new DateOnly(today.Year - 1, 12, 31),
        PerformanceRange.Y1 => today.AddYears(-1),
        PerformanceRange.Y3 => today.AddYears(-3),
        PerformanceRange.Y5 => today.AddYears(-5),
        _ => null,
    };
}
