using MarketWatch.Web.Features.Portfolios;

namespace MarketWatch.Tests.Features.Portfolios;

public sealed class PerformanceMathTests
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    [Test]
    public void Xirr_matches_the_spreadsheet_documentations_example()
    {
        // Source: Microsoft's documentation of Excel's XIRR function (support.microsoft.com, "XIRR function"): the
        // cash flows below give 0.373362535 (37.34 %). Excel stops iterating at a tolerance of 0.000001 %; the exact root
        // is 0.37336253352, so the comparison allows 1e-8.
        var flows = new List<(DateOnly, double)>
        {
            (D(2008, 1, 1), -10_000), (D(2008, 3, 1), 2_750), (D(2008, 10, 30), 4_250), (D(2009, 2, 15), 3_250), (D(2009, 4, 1), 2_750),
        };
        Assert.That(PerformanceMath.Xirr(flows), Is.EqualTo(0.373362535).Within(1e-8));
    }

    [Test]
    public void Xirr_of_one_investment_is_its_annualised_gain()
    {
        // −1000 on 2020-01-01, +1100 on 2021-01-01: 366 days (a leap year) at actual/365, so
        // x = 1.1^(365/366) − 1 = 0.09971...
        var flows = new List<(DateOnly, double)> { (D(2020, 1, 1), -1000), (D(2021, 1, 1), 1100) };
        Assert.That(PerformanceMath.Xirr(flows), Is.EqualTo(Math.Pow(1.1, 365.0 / 366) - 1).Within(1e-10));
        // A loss, found by bisection as well: −1000 then +500 a year later (365 days) is −50 %.
        Assert.That(PerformanceMath.Xirr([(D(2021, 1, 1), -1000), (D(2022, 1, 1), 500)]), Is.EqualTo(-0.5).Within(1e-9));
        // A near-total loss far from Newton's 10 % start.
        Assert.That(PerformanceMath.Xirr([(D(2021, 1, 1), -1000), (D(2022, 1, 1), 1)]), Is.EqualTo(-0.999).Within(1e-9));
    }

    [Test]
    public void Xirr_is_null_without_a_rate_or_within_a_day()
    {
        Assert.That(PerformanceMath.Xirr([(D(2021, 1, 1), -1000), (D(2021, 1, 1), 1100)]), Is.Null, "same day");
        Assert.That(PerformanceMath.Xirr([(D(2021, 1, 1), 1000), (D(2022, 1, 1), 1100)]), Is.Null, "no outflow: no rate solves it");
        Assert.That(PerformanceMath.Xirr([(D(2021, 1, 1), -1000)]), Is.Null, "one flow");
    }

    [Test]
    public void Daily_return_counts_flows_at_the_end_of_the_day()
    {
        // Held 1100 last evening, 500 paid in today, 1490 tonight: (1490 − 500) / 1100 − 1 = −10 %.
        Assert.That(PerformanceMath.DailyReturn(1100m, 1490m, 500m), Is.EqualTo(-0.1).Within(1e-12));
        // Everything sold today for 1020 (flow −1020) from 1100 last evening: (0 + 1020) / 1100 − 1.
        Assert.That(PerformanceMath.DailyReturn(1100m, 0m, -1020m), Is.EqualTo(1020.0 / 1100 - 1).Within(1e-12));
        // Nothing held last evening: the day's inflow is the base. Bought for 1010 (fees included), worth 1100 tonight.
        Assert.That(PerformanceMath.DailyReturn(0m, 1100m, 1010m), Is.EqualTo(1100.0 / 1010 - 1).Within(1e-12));
        Assert.That(PerformanceMath.DailyReturn(0m, 0m, 0m), Is.EqualTo(0));
    }

    [Test]
    public void Max_drawdown_is_the_deepest_fall_from_a_running_peak()
    {
        // Peaks 1.2 then 1.5: falls to 0.9 (0.9 / 1.2 − 1 = −25 %) and to 1.2 (1.2 / 1.5 − 1 = −20 %).
        Assert.That(PerformanceMath.MaxDrawdown([1.0, 1.2, 0.9, 1.5, 1.2]), Is.EqualTo(-0.25).Within(1e-12));
        Assert.That(PerformanceMath.MaxDrawdown([1.0, 1.1, 1.2]), Is.EqualTo(0));
        Assert.That(PerformanceMath.MaxDrawdown([1.0]), Is.Null);
    }

    [Test]
    public void Volatility_is_the_annualised_sample_deviation_of_daily_returns()
    {
        // Returns +1 %, −1 %, +1 %, −1 %: mean 0, Σ squares 4 × 0.0001 = 0.0004, / (4 − 1) = 0.000133..., √ = 0.011547,
        // × √252 = 0.183303.
        Assert.That(PerformanceMath.Volatility([0.01, -0.01, 0.01, -0.01]), Is.EqualTo(Math.Sqrt(0.0004 / 3) * Math.Sqrt(252)).Within(1e-12));
        Assert.That(PerformanceMath.Volatility([0.01, -0.01, 0.01, -0.01]), Is.EqualTo(0.183303).Within(1e-6));
        Assert.That(PerformanceMath.Volatility([0.01, 0.01, 0.01]), Is.EqualTo(0).Within(1e-15));
        Assert.That(PerformanceMath.Volatility([0.01]), Is.Null);
    }

    [Test]
    public void Ranges_parse_from_their_codes()
    {
        foreach (var range in PerformanceRanges.All)
        {
            Assert.That(PerformanceRanges.TryParse(range.Code().ToLowerInvariant(), out var parsed), Is.True);
            Assert.That(parsed, Is.EqualTo(range));
        }
        Assert.That(PerformanceRanges.TryParse("2Y", out _), Is.False);
        Assert.That(PerformanceRanges.TryParse(null, out _), Is.False);
    }
}
