using System.Globalization;
using System.Text;
using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>
/// The market dashboard, for everyone (signed in or not): the sector heatmap, the computed indices, breadth, sector
/// performance and volume leaders over a period, all from the metrics held in memory (<see cref="MarketMetrics"/>).
/// </summary>
public sealed class DashboardModel(MarketMetrics metrics, DashboardIndices indices) : PageModel
{
    /// <summary>The two drawings of the heatmap: a wide one for desks and tablets, a tall one for phones.</summary>
    public const double WideWidth = 1000, WideHeight = 520, NarrowWidth = 360, NarrowHeight = 560;

    public Period Period { get; private set; } = Period.D1;
    /// <summary>The period as asked, when it is not one of the dashboard's (the page says so and answers 400).</summary>
    public string? BadPeriod { get; private set; }
    public MetricsSnapshot Snapshot { get; private set; } = MetricsSnapshot.Empty;
    public Heatmap Wide { get; private set; } = null!;
    public Heatmap Narrow { get; private set; } = null!;
    public DashboardBreadth Breadth { get; private set; } = null!;
    public IReadOnlyList<DashboardSector> Sectors { get; private set; } = [];
    public IReadOnlyList<InstrumentMetrics> Leaders { get; private set; } = [];
    public IReadOnlyList<IndexLine> Lines { get; private set; } = [];
    public DateTimeOffset? AsOf { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? period, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(period, cancellationToken))
        {
            return this.PartialOrPage("_DashboardBody");
        }
        Breadth = DashboardFigures.Breadth(Snapshot.All, Period);
        Sectors = DashboardFigures.Sectors(Snapshot.All, Period);
        Leaders = DashboardFigures.VolumeLeaders(Snapshot.All);
        Lines = await indices.LinesAsync(Snapshot, Period, cancellationToken);
        return this.PartialOrPage("_DashboardBody");
    }

    /// <summary>The heatmap alone: what the page re-fetches when the live stream says the metrics changed.</summary>
    public async Task<IActionResult> OnGetHeatmapAsync(string? period, CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "no-store";
        if (!await LoadAsync(period, cancellationToken))
        {
            return this.PartialOrPage("_DashboardBody");
        }
        return Partial("_DashboardHeatmap", this);
    }

    private async Task<bool> LoadAsync(string? period, CancellationToken cancellationToken)
    {
        if (DashboardFigures.Parse(period) is not { } parsed)
        {
            BadPeriod = period;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return false;
        }
        Period = parsed;
        Snapshot = await metrics.CurrentAsync(cancellationToken);
        Wide = DashboardFigures.Layout(Snapshot.All, Period, WideWidth, WideHeight);
        Narrow = DashboardFigures.Layout(Snapshot.All, Period, NarrowWidth, NarrowHeight);
        AsOf = Snapshot.All.Max(s => s.Time);
        return true;
    }

    /// <summary>The dashboard's URL for a period (what the buttons link to and the address bar shows).</summary>
    public static string PeriodUrl(Period period) => "/analytics?period=" + period;

    public static string HeatmapUrl(Period period) => "/analytics/heatmap?period=" + period;

    /// <summary>A change (a fraction) as the app writes percentages ("+1.23 %"), bidi-isolated.</summary>
    public static string Percent(double? change) =>
        Format.Percent(change is { } c && double.IsFinite(c) ? (decimal)Math.Round(c * 100, 2) : null);

    /// <summary>A share (a fraction) as a whole percentage ("62 %").</summary>
    public static string Share(double? share) => share is { } s ? Format.Count((long)Math.Round(s * 100)) + " %" : Format.Missing;

    /// <summary>An SVG number attribute (invariant culture, two decimals).</summary>
    public static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>
    /// The polyline of a line's points in a <paramref name="width"/> × <paramref name="height"/> box, the y scale from
    /// <paramref name="low"/> to <paramref name="high"/> (changes as fractions), at most <paramref name="max"/> points.
    /// </summary>
    public static string Polyline(IReadOnlyList<IndexPoint> points, double width, double height, double low, double high, int max = 400)
    {
        if (points.Count < 2)
        {
            return "";
        }
        var step = Math.Max(1, (int)Math.Ceiling(points.Count / (double)max));
        var range = high - low > 0 ? high - low : 1;
        var text = new StringBuilder(points.Count * 12);
        for (var i = 0; i < points.Count; i++)
        {
            if (i % step != 0 && i != points.Count - 1)
            {
                continue;
            }
            var x = width * i / (points.Count - 1);
            var y = height - (points[i].Change - low) / range * height;
            text.Append(N(x)).Append(',').Append(N(y)).Append(' ');
        }
        return text.ToString().TrimEnd();
    }

    /// <summary>The y range shared by lines drawn on one scale, always including 0 and never empty.</summary>
    public static (double Low, double High) Range(IEnumerable<IndexLine> lines)
    {
        var changes = lines.SelectMany(l => l.Points).Select(p => p.Change).Append(0).ToList();
        var (low, high) = (changes.Min(), changes.Max());
        var pad = Math.Max((high - low) * 0.08, 0.001);
        return (low - pad, high + pad);
    }
}
