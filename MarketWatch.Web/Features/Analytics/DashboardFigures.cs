using MarketWatch.Web.Features.Portfolios;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>Advancers, decliners and the rest over a period, and where prices stand against their ranges and averages.</summary>
public sealed record DashboardBreadth(
    int Advancers, int Decliners, int Unchanged, int NewHighs, int NewLows, int AboveSma50, int WithSma50, int AboveSma200, int WithSma200)
{
    /// <summary>Shares as fractions (0.5 = half); null when no stock has the history for the average.</summary>
    public double? ShareAboveSma50 => WithSma50 > 0 ? (double)AboveSma50 / WithSma50 : null;
    public double? ShareAboveSma200 => WithSma200 > 0 ? (double)AboveSma200 / WithSma200 : null;
}

/// <summary>One sector's change over a period: weighted by market capitalisation (equal weights when none has one).</summary>
public sealed record DashboardSector(string Sector, int Count, double? Change, decimal MarketCap);

/// <summary>A stock of the heatmap: its rectangle in the drawing and its colour step (−3 … 3).</summary>
public sealed record HeatCell(InstrumentMetrics Stock, double? Change, TreemapRect Rect, int Step);

public sealed record HeatGroup(string Sector, double? Change, TreemapRect Rect, IReadOnlyList<HeatCell> Cells);

/// <summary>
/// The sector heatmap laid out for one drawing size. <see cref="ByMarketCap"/>: sized by capitalisation (every stock
/// has one), else by today's traded value; <see cref="Left"/> stocks had no size (no trade yet) and are not drawn.
/// </summary>
public sealed record Heatmap(double Width, double Height, bool ByMarketCap, IReadOnlyList<HeatGroup> Groups, int Left);

/// <summary>The dashboard's figures, computed from a metrics snapshot (pure: no I/O, tests feed it hand-made snapshots).</summary>
public static class DashboardFigures
{
    /// <summary>The periods the dashboard offers, in button order.</summary>
    public static readonly Period[] Periods = [Period.D1, Period.W1, Period.M1, Period.M3, Period.YTD, Period.Y1];

    /// <summary>The label of a period's button ("1D" …): the same in every language, like the chart's ranges.</summary>
    public static string Label(Period period) => period switch
    {
        Period.D1 => "1D", Period.W1 => "1W", Period.M1 => "1M", Period.M3 => "3M", Period.YTD => "YTD", Period.Y1 => "1Y", _ => "3Y",
    };

    /// <summary>A period from the query string: its name (M1) or its label (1M), any case; null when it is none of the dashboard's.</summary>
    public static Period? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Period.D1;
        }
        foreach (var period in Periods)
        {
            if (string.Equals(value, period.ToString(), StringComparison.OrdinalIgnoreCase) || string.Equals(value, Label(period), StringComparison.OrdinalIgnoreCase))
            {
                return period;
            }
        }
        return null;
    }

    /// <summary>
    /// The colour steps' bounds per period (a fraction): beyond the first a stock is one step up or down, beyond the
    /// second two, beyond the third three. Longer periods move further, so their steps are wider.
    /// </summary>
    public static double[] Steps(Period period) => period switch
    {
        Period.D1 => [0.005, 0.015, 0.03],
        Period.W1 => [0.01, 0.03, 0.06],
        Period.M1 => [0.02, 0.05, 0.10],
        Period.M3 => [0.03, 0.08, 0.15],
        _ => [0.05, 0.15, 0.30],
    };

    /// <summary>−3 … 3; 0 for a change inside the first bound or unknown.</summary>
    public static int Step(double? change, Period period)
    {
        if (change is not { } c || !double.IsFinite(c))
        {
            return 0;
        }
        var bounds = Steps(period);
        var step = bounds.Count(b => Math.Abs(c) >= b);
        return Math.Sign(c) * step;
    }

    public static DashboardBreadth Breadth(IReadOnlyList<InstrumentMetrics> all, Period period)
    {
        int up = 0, down = 0, flat = 0, highs = 0, lows = 0, above50 = 0, with50 = 0, above200 = 0, with200 = 0;
        foreach (var stock in all)
        {
            switch (stock.Return(period))
            {
                case > 0: up++; break;
                case < 0: down++; break;
                case 0: flat++; break;
            }
            if (stock.Last is { } last)
            {
                var price = (double)last;
                if (stock.High52 is { } high && price >= high)
                {
                    highs++;
                }
                if (stock.Low52 is { } low && price <= low)
                {
                    lows++;
                }
            }
            if (stock.VsSma50 is { } vs50)
            {
                with50++;
                above50 += vs50 > 0 ? 1 : 0;
            }
            if (stock.VsSma200 is { } vs200)
            {
                with200++;
                above200 += vs200 > 0 ? 1 : 0;
            }
        }
        return new DashboardBreadth(up, down, flat, highs, lows, above50, with50, above200, with200);
    }

    /// <summary>
    /// A group's change over the period, weighted by capitalisation: Σ cap ÷ Σ (cap ÷ (1 + change)) − 1, i.e. today's
    /// value of the group against its value at the period's start with the same shares. Without capitalisations the
    /// changes are averaged.
    /// </summary>
    public static double? WeightedChange(IEnumerable<InstrumentMetrics> stocks, Period period)
    {
        double now = 0, then = 0, sum = 0;
        var counted = 0;
        var weighted = 0;
        foreach (var stock in stocks)
        {
            if (stock.Return(period) is not { } change || !double.IsFinite(change) || change <= -1)
            {
                continue;
            }
            counted++;
            sum += change;
            if (stock.MarketCap is { } cap && cap > 0)
            {
                weighted++;
                now += (double)cap;
                then += (double)cap / (1 + change);
            }
        }
        if (weighted > 0 && then > 0)
        {
            return now / then - 1;
        }
        return counted > 0 ? sum / counted : null;
    }

    /// <summary>Every sector with its count and weighted change, the best first (unknown changes last).</summary>
    public static IReadOnlyList<DashboardSector> Sectors(IReadOnlyList<InstrumentMetrics> all, Period period) =>
        all.GroupBy(s => s.Sector)
            .Select(g => new DashboardSector(g.Key, g.Count(), WeightedChange(g, period), g.Sum(s => s.MarketCap ?? 0)))
            .OrderByDescending(s => s.Change.HasValue).ThenByDescending(s => s.Change).ThenBy(s => s.Sector, StringComparer.Ordinal)
            .ToList();

    /// <summary>Today's most traded stocks by value, with their volume against their 20-session average.</summary>
    public static IReadOnlyList<InstrumentMetrics> VolumeLeaders(IReadOnlyList<InstrumentMetrics> all, int count = 10) =>
        all.Where(s => s.ValueTraded > 0).OrderByDescending(s => s.ValueTraded).ThenBy(s => s.Ticker, StringComparer.Ordinal).Take(count).ToList();

    /// <summary>
    /// The heatmap for a <paramref name="width"/> × <paramref name="height"/> drawing: sectors are squarified by their
    /// total size, then each sector's stocks inside its rectangle, below a strip for the sector's name when it is
    /// large enough to hold one.
    /// </summary>
    public static Heatmap Layout(IReadOnlyList<InstrumentMetrics> all, Period period, double width, double height, double header = 16, double gap = 2)
    {
        var byCap = all.Count > 0 && all.All(s => s.MarketCap is > 0);
        double Size(InstrumentMetrics s) => (double)(byCap ? s.MarketCap ?? 0 : s.ValueTraded);
        var sized = all.Where(s => Size(s) > 0).ToList();
        var sectors = sized.GroupBy(s => s.Sector)
            .Select(g => (Sector: g.Key, Stocks: g.OrderByDescending(Size).ThenBy(s => s.Ticker, StringComparer.Ordinal).ToList()))
            .OrderByDescending(g => g.Stocks.Sum(Size)).ThenBy(g => g.Sector, StringComparer.Ordinal).ToList();
        var sectorRects = DashboardTreemap.Squarify(sectors.Select(g => g.Stocks.Sum(Size)).ToList(), new TreemapRect(0, 0, width, height));
        var groups = new List<HeatGroup>(sectors.Count);
        for (var i = 0; i < sectors.Count; i++)
        {
            var (sector, stocks) = sectors[i];
            var outer = sectorRects[i].Inset(gap / 2);
            var inner = outer.Height > header * 3 && outer.Width > header * 4
                ? new TreemapRect(outer.X, outer.Y + header, outer.Width, outer.Height - header)
                : outer;
            var rects = DashboardTreemap.Squarify(stocks.Select(Size).ToList(), inner);
            var cells = stocks.Select((s, k) => new HeatCell(s, s.Return(period), rects[k], Step(s.Return(period), period))).ToList();
            groups.Add(new HeatGroup(sector, WeightedChange(stocks, period), outer, cells));
        }
        return new Heatmap(width, height, byCap, groups, all.Count - sized.Count);
    }

    /// <summary>Whether a label of <paramref name="characters"/> characters fits a cell at a font size (a rough average glyph width).</summary>
    public static bool Fits(TreemapRect rect, int characters, double fontSize, int lines = 1) =>
        rect.Width >= characters * fontSize * 0.62 + 4 && rect.Height >= lines * fontSize * 1.2 + 4;

    /// <summary>
    /// Chain-linked, capitalisation-weighted levels per group from closed sessions (1 on the first date), the way the
    /// computed MASI is chained (<see cref="MarketHistory.Masi"/>): each session moves a group by Σ(close × shares) ÷
    /// Σ(previous close × shares) over its members with a close on both sessions. One pass over the sessions for every
    /// group at once. A member without a bar on a session counts at its previous close (the history carries closes
    /// forward).
    /// </summary>
    public static Dictionary<string, double[]> GroupLevels(MarketHistory history, IReadOnlyDictionary<int, string> groupOf)
    {
        var groups = groupOf.Values.Distinct(StringComparer.Ordinal).ToList();
        var slot = groups.Select((g, i) => (g, i)).ToDictionary(p => p.g, p => p.i, StringComparer.Ordinal);
        var members = history.Shares.Where(s => groupOf.ContainsKey(s.Key)).Select(s => (Id: s.Key, Shares: (decimal)s.Value, Slot: slot[groupOf[s.Key]])).ToArray();
        var levels = groups.Select(_ => new double[history.Dates.Length]).ToArray();
        var current = new double[groups.Count];
        Array.Fill(current, 1.0);
        var numerator = new decimal[groups.Count];
        var denominator = new decimal[groups.Count];
        for (var i = 0; i < history.Dates.Length; i++)
        {
            if (i > 0)
            {
                Array.Clear(numerator);
                Array.Clear(denominator);
                foreach (var (id, shares, s) in members)
                {
                    var before = history.Close(id, i - 1);
                    var close = history.Close(id, i);
                    if (before > 0 && close > 0)
                    {
                        numerator[s] += close * shares;
                        denominator[s] += before * shares;
                    }
                }
                for (var g = 0; g < groups.Count; g++)
                {
                    current[g] *= denominator[g] == 0 ? 1 : (double)(numerator[g] / denominator[g]);
                }
            }
            for (var g = 0; g < groups.Count; g++)
            {
                levels[g][i] = current[g];
            }
        }
        return groups.Select((g, k) => (g, levels[k])).ToDictionary(p => p.g, p => p.Item2, StringComparer.Ordinal);
    }
}
