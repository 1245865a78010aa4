using MarketWatch.Web.Features.Analytics;
using MarketWatch.Web.Features.Portfolios;

namespace MarketWatch.Tests.Features.Analytics;

/// <summary>The dashboard's pure parts: the squarified treemap, breadth, sector changes and the chained sector indices.</summary>
public sealed class DashboardFiguresTests
{
    private static readonly TreemapRect Bounds = new(0, 0, 1000, 520);

    private static void AssertTreemap(IReadOnlyList<double> weights, TreemapRect bounds)
    {
        var rects = DashboardTreemap.Squarify(weights, bounds);
        Assert.That(rects, Has.Length.EqualTo(weights.Count));
        var total = weights.Where(w => w > 0).Sum();
        for (var i = 0; i < weights.Count; i++)
        {
            var r = rects[i];
            var expected = weights[i] > 0 ? bounds.Area * weights[i] / total : 0;
            Assert.That(r.Area, Is.EqualTo(expected).Within(bounds.Area * 1e-9 + 1e-6), $"area of {i} is its weight's share");
            if (weights[i] > 0)
            {
                Assert.That(r.X, Is.GreaterThanOrEqualTo(bounds.X - 1e-9));
                Assert.That(r.Y, Is.GreaterThanOrEqualTo(bounds.Y - 1e-9));
                Assert.That(r.Right, Is.LessThanOrEqualTo(bounds.Right + 1e-9), $"{i} inside on the right");
                Assert.That(r.Bottom, Is.LessThanOrEqualTo(bounds.Bottom + 1e-9), $"{i} inside at the bottom");
            }
        }
        for (var i = 0; i < rects.Length; i++)
        {
            for (var j = i + 1; j < rects.Length; j++)
            {
                var overlapX = Math.Min(rects[i].Right, rects[j].Right) - Math.Max(rects[i].X, rects[j].X);
                var overlapY = Math.Min(rects[i].Bottom, rects[j].Bottom) - Math.Max(rects[i].Y, rects[j].Y);
                Assert.That(overlapX <= 1e-6 || overlapY <= 1e-6, $"{i} and {j} do not overlap: {rects[i]} {rects[j]}");
            }
        }
    }

    [Test]
    public void Treemap_areas_are_proportional_inside_the_bounds_and_never_overlap()
    {
        // The worked example of Bruls, Huizing and van Wijk (2000): 6, 6, 4, 3, 2, 2, 1 in a 6 × 4 rectangle.
        AssertTreemap([6, 6, 4, 3, 2, 2, 1], new TreemapRect(0, 0, 6, 4));
        AssertTreemap([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], Bounds);
        AssertTreemap([1000, 1, 1, 1, 0.5, 0, -3], Bounds);
        AssertTreemap([5], new TreemapRect(10, 20, 30, 400));
        var random = new Random(16);
        for (var run = 0; run < 20; run++)
        {
            var weights = Enumerable.Range(0, random.Next(1, 90)).Select(_ => Math.Pow(10, random.NextDouble() * 4)).ToArray();
            AssertTreemap(weights, new TreemapRect(random.Next(0, 50), random.Next(0, 50), random.Next(50, 1200), random.Next(50, 900)));
        }
    }

    [Test]
    public void Treemap_of_the_paper_example_keeps_its_squares_and_gives_nothing_to_a_non_positive_weight()
    {
        var rects = DashboardTreemap.Squarify([6, 6, 4, 3, 2, 2, 1], new TreemapRect(0, 0, 6, 4));
        // The paper's first row: the two 6s stacked in a 3 × 4 column, each 3 × 2 (aspect ratio 1.5).
        Assert.That(rects[0], Is.EqualTo(new TreemapRect(0, 0, 3, 2)));
        Assert.That(rects[1].X, Is.EqualTo(0));
        Assert.That(rects[1].Y, Is.EqualTo(2).Within(1e-9));
        Assert.That(rects.Max(r => Math.Max(r.Width / r.Height, r.Height / r.Width)), Is.LessThan(3), "squarified: no sliver");
        var empty = DashboardTreemap.Squarify([0, -1, double.NaN], Bounds);
        Assert.That(empty.All(r => r.Area == 0));
    }

    private static InstrumentMetrics Stock(string ticker, string sector, decimal? last, decimal? cap, double? change,
        double? sma50 = null, double? sma200 = null, double? high = null, double? low = null, decimal valueTraded = 0, double? relativeVolume = null)
    {
        var performance = new double?[MetricsCalculator.Periods.Length];
        performance[(int)Period.M1] = change;
        performance[(int)Period.D1] = change is { } c ? c / 10 : null;
        return new InstrumentMetrics(ticker.GetHashCode(), ticker, ticker + " SA", sector, last, null, 0, valueTraded, cap, null,
            performance, null, sma50, sma200, null, null, null, high, low, null, relativeVolume, null, null);
    }

    // A hand-made market: five stocks in two sectors.
    private static readonly InstrumentMetrics[] Market =
    [
        Stock("AAA", "Banks", 110, 1100, 0.10, sma50: 100, sma200: 120, high: 110, low: 80, valueTraded: 5_000_000, relativeVolume: 2.5),
        Stock("BBB", "Banks", 90, 900, -0.10, sma50: 95, sma200: 80, high: 120, low: 90, valueTraded: 1_000_000),
        Stock("CCC", "Banks", 50, 500, 0, sma50: 49, high: 60, low: 40),
        Stock("DDD", "Mines", 200, 2000, 0.25, sma200: 150, high: 210, low: 100, valueTraded: 9_000_000),
        Stock("EEE", "Mines", 10, 100, null),
    ];

    [Test]
    public void Breadth_counts_advancers_decliners_unchanged_highs_lows_and_shares_above_the_averages()
    {
        var breadth = DashboardFigures.Breadth(Market, Period.M1);
        Assert.That((breadth.Advancers, breadth.Decliners, breadth.Unchanged), Is.EqualTo((2, 1, 1)), "EEE has no change: not counted");
        Assert.That(breadth.NewHighs, Is.EqualTo(1), "AAA at its 52-week high");
        Assert.That(breadth.NewLows, Is.EqualTo(1), "BBB at its 52-week low");
        Assert.That((breadth.AboveSma50, breadth.WithSma50), Is.EqualTo((2, 3)), "AAA and CCC above; BBB below");
        Assert.That((breadth.AboveSma200, breadth.WithSma200), Is.EqualTo((2, 3)), "BBB and DDD above; AAA below");
        Assert.That(breadth.ShareAboveSma50, Is.EqualTo(2.0 / 3).Within(1e-12));
    }

    [Test]
    public void Sector_change_is_weighted_by_capitalisation_and_sectors_come_best_first()
    {
        var sectors = DashboardFigures.Sectors(Market, Period.M1);
        Assert.That(sectors.Select(s => s.Sector), Is.EqualTo(new[] { "Mines", "Banks" }));
        // Banks: now 1100 + 900 + 500 = 2500; at the start 1000 + 1000 + 500 = 2500: unchanged.
        var banks = sectors.Single(s => s.Sector == "Banks");
        Assert.That(banks.Count, Is.EqualTo(3));
        Assert.That(banks.Change, Is.EqualTo(0).Within(1e-12));
        // Mines: DDD alone has a change: 2000 now against 1600 at the start.
        Assert.That(sectors.Single(s => s.Sector == "Mines").Change, Is.EqualTo(0.25).Within(1e-12));
        Assert.That(DashboardFigures.WeightedChange([Stock("X", "S", 1, null, 0.1), Stock("Y", "S", 1, null, 0.3)], Period.M1),
            Is.EqualTo(0.2).Within(1e-12), "without capitalisations: the average");
    }

    [Test]
    public void Volume_leaders_are_today_s_traded_values_largest_first()
    {
        Assert.That(DashboardFigures.VolumeLeaders(Market).Select(s => s.Ticker), Is.EqualTo(new[] { "DDD", "AAA", "BBB" }));
    }

    [Test]
    public void Heatmap_groups_stocks_by_sector_sized_by_capitalisation_and_coloured_by_step()
    {
        var map = DashboardFigures.Layout(Market, Period.M1, 1000, 520);
        Assert.That(map.ByMarketCap, Is.True);
        Assert.That(map.Left, Is.EqualTo(0));
        Assert.That(map.Groups.Select(g => g.Sector), Is.EqualTo(new[] { "Banks", "Mines" }), "largest sector first (2500 against 2100)");
        var cells = map.Groups.SelectMany(g => g.Cells).ToDictionary(c => c.Stock.Ticker);
        Assert.That(cells["AAA"].Step, Is.EqualTo(3), "+10 % over a month: the top step");
        Assert.That(cells["BBB"].Step, Is.EqualTo(-3));
        Assert.That(cells["CCC"].Step, Is.EqualTo(0));
        Assert.That(cells["EEE"].Step, Is.EqualTo(0), "no change: neutral");
        Assert.That(cells["AAA"].Rect.Area / cells["BBB"].Rect.Area, Is.EqualTo(1100.0 / 900).Within(1e-9));
        foreach (var group in map.Groups)
        {
            foreach (var cell in group.Cells)
            {
                Assert.That(cell.Rect.X >= group.Rect.X - 1e-9 && cell.Rect.Right <= group.Rect.Right + 1e-9
                    && cell.Rect.Y >= group.Rect.Y - 1e-9 && cell.Rect.Bottom <= group.Rect.Bottom + 1e-9, $"{cell.Stock.Ticker} inside {group.Sector}");
            }
        }

        // Without capitalisations: today's traded value, and the stocks not traded yet are left out (and counted).
        var uncapped = Market.Select(s => s with { MarketCap = null }).ToArray();
        var byValue = DashboardFigures.Layout(uncapped, Period.M1, 1000, 520);
        Assert.That(byValue.ByMarketCap, Is.False);
        Assert.That(byValue.Left, Is.EqualTo(2));
        Assert.That(byValue.Groups.SelectMany(g => g.Cells).Select(c => c.Stock.Ticker).Order(), Is.EqualTo(new[] { "AAA", "BBB", "DDD" }));
    }

    [Test]
    public void Periods_parse_by_name_or_label_and_anything_else_is_refused()
    {
        Assert.That(DashboardFigures.Parse(null), Is.EqualTo(Period.D1));
        Assert.That(DashboardFigures.Parse("M1"), Is.EqualTo(Period.M1));
        Assert.That(DashboardFigures.Parse("1y"), Is.EqualTo(Period.Y1));
        Assert.That(DashboardFigures.Parse("ytd"), Is.EqualTo(Period.YTD));
        Assert.That(DashboardFigures.Parse("Y3"), Is.Null, "not a dashboard button");
        Assert.That(DashboardFigures.Parse("forever"), Is.Null);
        Assert.That(DashboardFigures.Step(0.004, Period.D1), Is.EqualTo(0));
        Assert.That(DashboardFigures.Step(-0.02, Period.D1), Is.EqualTo(-2));
    }

    [Test]
    public void Sector_levels_chain_like_the_computed_MASI_and_a_whole_market_group_is_the_MASI()
    {
        var day = new DateOnly(2026, 1, 5).DayNumber;
        // Two members of sector A (10 and 20 shares), one of B (5 shares), three sessions.
        var rows = new List<(int Id, int Day, decimal Close)>
        {
            (1, day, 100), (2, day, 50), (3, day, 10),
            (1, day + 1, 110), (2, day + 1, 50), (3, day + 1, 12),
            (1, day + 2, 99), (2, day + 2, 55), (3, day + 2, 12),
        };
        var shares = new Dictionary<int, long> { [1] = 10, [2] = 20, [3] = 5 };
        var history = MarketHistory.Build(new DateOnly(2026, 1, 8), rows, shares);
        var levels = DashboardFigures.GroupLevels(history, new Dictionary<int, string> { [1] = "A", [2] = "A", [3] = "B" });
        // A: (110×10 + 50×20) / (100×10 + 50×20) = 2100/2000; then (99×10 + 55×20) / (110×10 + 50×20) = 2090/2100.
        Assert.That(levels["A"], Is.EqualTo(new[] { 1, 1.05, 1.05 * 2090 / 2100 }).Within(1e-12));
        Assert.That(levels["B"], Is.EqualTo(new[] { 1, 1.2, 1.2 }).Within(1e-12));
        var whole = DashboardFigures.GroupLevels(history, new Dictionary<int, string> { [1] = "All", [2] = "All", [3] = "All" });
        Assert.That(whole["All"], Is.EqualTo(history.Masi).Within(1e-12), "one group of every member is the computed MASI");
    }
}
