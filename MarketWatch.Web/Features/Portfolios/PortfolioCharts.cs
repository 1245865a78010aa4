using System.Globalization;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>One part of a whole (a holding, a sector) with its share of it: a slice of the allocation donut.</summary>
/// <param name="Length">The slice's arc, in percent of the circle (the donut's circumference is 100 units).</param>
/// <param name="Start">Where the arc starts, in percent of the circle clockwise from 12 o'clock.</param>
/// <param name="Color">Which of the palette's colours (portfolios.css: .slice-0 … .slice-9).</param>
public sealed record DonutSlice(string Key, string Label, decimal Value, decimal Fraction, double Length, double Start, int Color)
{
    /// <summary>SVG stroke-dasharray: the arc drawn, then the rest of the circle left blank.</summary>
    public string DashArray => Units(Length) + " " + Units(100 - Length);

    /// <summary>SVG stroke-dashoffset that starts the arc at <see cref="Start"/> (a circle's stroke begins at 3 o'clock).</summary>
    public string DashOffset => Units(25 - Start);

    private static string Units(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>One bar of a bar chart (dividends per month), in the chart's viewBox units.</summary>
public sealed record ChartBar(string Key, string Label, string? AxisLabel, decimal Value, double X, double Y, double Width, double Height)
{
    public string Attr(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}

/// <summary>
/// The geometry of the server-rendered charts of a portfolio page (allocation donut, dividend bars): pure arithmetic,
/// so the SVG needs no script and the numbers beside it are the same ones.
/// </summary>
public static class PortfolioCharts
{
    /// <summary>A circle whose circumference is 100: arcs are written in percent.</summary>
    public const double DonutRadius = 15.915494309189533;
    public const int Palette = 10;

    /// <summary>The slices of the parts with a positive value, largest first; each its own colour (cycled past ten).</summary>
    public static IReadOnlyList<DonutSlice> Donut(IEnumerable<(string Key, string Label, decimal Value)> parts)
    {
        var shown = parts.Where(p => p.Value > 0).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        var total = shown.Sum(p => p.Value);
        var slices = new List<DonutSlice>(shown.Count);
        double start = 0;
        for (var i = 0; i < shown.Count; i++)
        {
            var fraction = total == 0 ? 0 : shown[i].Value / total;
            var arc = (double)fraction * 100;
            // A hairline gap between slices, so neighbours of close colours stay apart (none for a whole circle).
            var drawn = shown.Count > 1 && arc > 0.8 ? arc - 0.4 : arc;
            slices.Add(new DonutSlice(shown[i].Key, shown[i].Label, shown[i].Value, fraction, drawn, start, i % Palette));
            start += arc;
        }
        return slices;
    }

    /// <summary>
    /// Bars for the values, left to right, scaled so the largest fills <paramref name="height"/> (an empty chart has bars
    /// of height 0). <paramref name="step"/> is the width given to each bar, gap included.
    /// </summary>
    public static IReadOnlyList<ChartBar> Bars(IReadOnlyList<(string Key, string Label, string? AxisLabel, decimal Value)> values, double step, double height)
    {
        var max = values.Count == 0 ? 0 : values.Max(v => v.Value);
        var bars = new List<ChartBar>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            var v = values[i];
            var h = max <= 0 || v.Value <= 0 ? 0 : Math.Max(1, (double)(v.Value / max) * height);
            bars.Add(new ChartBar(v.Key, v.Label, v.AxisLabel, v.Value, i * step + step * 0.15, height - h, step * 0.7, h));
        }
        return bars;
    }
}
