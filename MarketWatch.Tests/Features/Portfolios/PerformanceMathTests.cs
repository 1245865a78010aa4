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
    public void Daily_return_counts_money_in_at_the_start_of_the_day_and_money_out_at_its_end()
    {
        // Held 1100 last evening, 500 paid in today (it works from the start), 1490 tonight: 1490 / (1100 + 500) − 1.
        Assert.That(PerformanceMath.DailyReturn(1100m, 1490m, 500m, 0m), Is.EqualTo(1490.0 / 1600 - 1).Within(1e-12));
        // Everything sold today for 1020 (out −1020) from 1100 last evening: (0 + 1020) / 1100 − 1.
        Assert.That(PerformanceMath.DailyReturn(1100m, 0m, 0m, -1020m), Is.EqualTo(1020.0 / 1100 - 1).Within(1e-12));
        // Nothing held last evening: the day's inflow is the base. Bought for 1010 (fees included), worth 1100 tonight.
        Assert.That(PerformanceMath.DailyReturn(0m, 1100m, 1010m, 0m), Is.EqualTo(1100.0 / 1010 - 1).Within(1e-12));
        // Nothing held, nothing paid in: no return.
        Assert.That(PerformanceMath.DailyReturn(0m, 0m, 0m, 0m), Is.EqualTo(0));
        // The review's case (no cash tracked, every buy is money in): 10 held at 100 (1,000 last evening), 1,000 more
        // bought at 98 (98,000 in), 1,010 × 100 = 101,000 tonight: 101,000 / (1,000 + 98,000) − 1 = +2.0202 %, not the
        // (101,000 − 98,000) / 1,000 − 1 = +200 % that counting the buy at the day's end gave.
        Assert.That(PerformanceMath.DailyReturn(1000m, 101_000m, 98_000m, 0m), Is.EqualTo(2000.0 / 99_000).Within(1e-12));
        // Bought at 102 instead: 101,000 / 103,000 − 1 = −1.94 % (it was −301 %: the index went negative).
        Assert.That(PerformanceMath.DailyReturn(1000m, 101_000m, 102_000m, 0m), Is.EqualTo(101_000.0 / 103_000 - 1).Within(1e-12));
        // A buy and a sale the same day: the buy's money from the start, the sale's at the end.
        // 1000 held, 500 in, 300 out, 1250 tonight: (1250 + 300) / (1000 + 500) − 1.
        Assert.That(PerformanceMath.DailyReturn(1000m, 1250m, 500m, -300m), Is.EqualTo(1550.0 / 1500 - 1).Within(1e-12));
    }

    [Test]
    public void Money_weighted_return_is_annualised_from_a_year_and_the_period_return_under_a_year()
    {
        // Under a year: the period's own return. 1,000 in, 1,010 out the next day: 1 %, not 1.01³⁶⁵ − 1 ≈ 3,678 %.
        var day = PerformanceMath.MoneyWeighted([(D(2021, 1, 4), -1000), (D(2021, 1, 5), 1010)], D(2021, 1, 4), D(2021, 1, 5));
        Assert.That(day!.Value, Is.EqualTo(0.01).Within(1e-9));
        // 90 days, 1,000 in then 1,050 out: 5 % over the period (the annualised rate would be 1.05^(365/90) − 1 ≈ 21.9 %).
        var quarter = PerformanceMath.MoneyWeighted([(D(2021, 1, 1), -1000), (D(2021, 4, 1), 1050)], D(2021, 1, 1), D(2021, 4, 1));
        Assert.That(quarter!.Value, Is.EqualTo(0.05).Within(1e-9));
        // A year or more: annualised. 1,000 in, 1,210 out two years (730 days) later: 10 % a year.
        var twoYears = PerformanceMath.MoneyWeighted([(D(2021, 1, 1), -1000), (D(2023, 1, 1), 1210)], D(2021, 1, 1), D(2023, 1, 1));
        Assert.That(twoYears!.Value, Is.EqualTo(0.1).Within(1e-9));
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
