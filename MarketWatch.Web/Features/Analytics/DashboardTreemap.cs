namespace MarketWatch.Web.Features.Analytics;

/// <summary>A rectangle of a treemap, in the drawing's own units (an SVG viewBox).</summary>
public readonly record struct TreemapRect(double X, double Y, double Width, double Height)
{
    public double Area => Width * Height;
    public double Right => X + Width;
    public double Bottom => Y + Height;

    /// <summary>The same rectangle shrunk by <paramref name="by"/> on every side (never below zero size).</summary>
    public TreemapRect Inset(double by) =>
        new(X + Math.Min(by, Width / 2), Y + Math.Min(by, Height / 2), Math.Max(0, Width - 2 * by), Math.Max(0, Height - 2 * by));
}

/// <summary>
/// The squarified treemap (Bruls, Huizing and van Wijk, 2000): weights, largest first, are laid in rows along the
/// shorter side of what is left, a row growing while that keeps its worst aspect ratio from getting worse. Pure; the
/// area of each rectangle is its weight's share of the bounds.
/// </summary>
public static class DashboardTreemap
{
    /// <summary>One rectangle per weight, in the input's order; a weight that is not positive gets an empty rectangle.</summary>
    public static TreemapRect[] Squarify(IReadOnlyList<double> weights, TreemapRect bounds)
    {
        var result = new TreemapRect[weights.Count];
        var order = Enumerable.Range(0, weights.Count).Where(i => weights[i] > 0 && double.IsFinite(weights[i]))
            .OrderByDescending(i => weights[i]).ThenBy(i => i).ToArray();
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new TreemapRect(bounds.X, bounds.Y, 0, 0);
        }
        var total = order.Sum(i => weights[i]);
        if (order.Length == 0 || bounds.Area <= 0)
        {
            return result;
        }
        var scale = bounds.Area / total;
        var rest = bounds;
        var start = 0;
        while (start < order.Length)
        {
            var side = Math.Min(rest.Width, rest.Height);
            var sum = weights[order[start]] * scale;
            var end = start + 1;
            var worst = Worst(sum, weights[order[start]] * scale, weights[order[start]] * scale, side);
            while (end < order.Length)
            {
                var area = weights[order[end]] * scale;
                // Sorted descending: the row's largest is its first, its smallest the one being added.
                var next = Worst(sum + area, weights[order[start]] * scale, area, side);
                if (next > worst)
                {
                    break;
                }
                (sum, worst) = (sum + area, next);
                end++;
            }
            var last = end == order.Length;
            if (rest.Width >= rest.Height)
            {
                // A column on the left, its items stacked down.
                var thickness = last ? rest.Width : Math.Min(rest.Width, sum / rest.Height);
                var y = rest.Y;
                for (var k = start; k < end; k++)
                {
                    var height = k == end - 1 ? rest.Bottom - y : weights[order[k]] * scale / sum * rest.Height;
                    result[order[k]] = new TreemapRect(rest.X, y, thickness, Math.Max(0, height));
                    y += height;
                }
                rest = new TreemapRect(rest.X + thickness, rest.Y, Math.Max(0, rest.Width - thickness), rest.Height);
            }
            else
            {
                // A row along the top, its items side by side.
                var thickness = last ? rest.Height : Math.Min(rest.Height, sum / rest.Width);
                var x = rest.X;
                for (var k = start; k < end; k++)
                {
                    var width = k == end - 1 ? rest.Right - x : weights[order[k]] * scale / sum * rest.Width;
                    result[order[k]] = new TreemapRect(x, rest.Y, Math.Max(0, width), thickness);
                    x += width;
                }
                rest = new TreemapRect(rest.X, rest.Y + thickness, rest.Width, Math.Max(0, rest.Height - thickness));
            }
            start = end;
        }
        return result;
    }

    /// <summary>The worst aspect ratio in a row of total area <paramref name="sum"/> laid along a side of length <paramref name="side"/>.</summary>
    private static double Worst(double sum, double largest, double smallest, double side)
    {
        var s2 = sum * sum;
        var w2 = side * side;
        return Math.Max(w2 * largest / s2, s2 / (w2 * smallest));
    }
}
