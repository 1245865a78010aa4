using System.Globalization;
using System.Text;
using Htmx;
using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>
/// The market dashboard, for everyone (signed in or not): the sector heatmap, the computed indices, breadth, sector
/// performance and volume leaders over a period, all from the metrics held in memory (<see cref="MarketMetrics"/>).
/// </summary>
public sealed class DashboardModel(MarketMetrics metrics, DashboardIndices indices, IStringLocalizer<SharedResource> L) : PageModel
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

    /// <summary>
    /// The heatmap as a table: for htmx (the "Show as table" disclosure, opened the first time) the table alone; for a
    /// plain link (no scripts) the whole dashboard with the table shown.
    /// </summary>
    public async Task<IActionResult> OnGetTableAsync(string? period, CancellationToken cancellationToken)
    {
        if (Request.IsHtmx() && await LoadAsync(period, cancellationToken))
        {
            return Partial("_DashboardTable", this);
        }
        TableShown = true;
        return await OnGetAsync(period, cancellationToken);
    }

    /// <summary>Whether the heatmap's table is rendered open in the page (asked for without scripts).</summary>
    public bool TableShown { get; private set; }

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

    /// <summary>
    /// The heatmap's live figures as data: what the page's script (heatmap.js) patches into the cells already drawn on
    /// the stream's "changed" (colour step, name, change label, sector labels). Re-rendering and morphing the drawings
    /// every 2 s kept a throttled phone's main thread busy; this touches only the cells whose figures moved. The layout
    /// is not sent: when the set of drawn stocks (or what sizes them) differs from <see cref="Drawn"/>, the script
    /// re-fetches the heatmap fragment instead.
    /// </summary>
    public async Task<IActionResult> OnGetCellsAsync(string? period, CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "no-store";
        if (!await LoadAsync(period, cancellationToken))
        {
            var problem = new ValidationProblemDetails(new Dictionary<string, string[]>
            {
                ["period"] = [L["“{0}” is not a period of the dashboard: choose 1D, 1W, 1M, 3M, YTD or 1Y.", BadPeriod ?? ""].Value],
            })
            {
                Status = StatusCodes.Status400BadRequest,
            };
            return new ObjectResult(problem) { StatusCode = StatusCodes.Status400BadRequest, ContentTypes = { "application/problem+json" } };
        }
        var label = DashboardFigures.Label(Period);
        var cells = Wide.Groups.SelectMany(g => g.Cells)
            .Select(c => new HeatmapCellFigures(c.Stock.Ticker, c.Step, StepClass(c.Step), Percent(c.Change), CellTitle(c, label)))
            .ToList();
        var sectors = Wide.Groups.ToDictionary(g => g.Sector, g => SectorLabel(g));
        return new JsonResult(new HeatmapFigures(Snapshot.Version, Drawn, cells, sectors));
    }

    /// <summary>Which stocks are drawn and what sizes them: a live update patches cells only while this stays the same.</summary>
    public string Drawn { get; private set; } = "";

    /// <summary>A cell's colour class for its step (hm-n3 … hm-0 … hm-p3, the legend's swatches).</summary>
    public static string StepClass(int step) => "hm-" + step switch { < 0 => "n" + -step, > 0 => "p" + step, _ => "0" };

    /// <summary>A cell's accessible name and tooltip: "ATW, Attijariwafa Bank: +1.23 % (1D)".</summary>
    public static string CellTitle(HeatCell cell, string periodLabel) => $"{cell.Stock.Ticker}, {cell.Stock.Name}: {Percent(cell.Change)} ({periodLabel})";

    /// <summary>A sector's label in the drawing: its localized name and weighted change.</summary>
    public string SectorLabel(HeatGroup group) => L[group.Sector].Value + " " + Percent(group.Change);

    private async Task<bool> LoadAsync(string? period, CancellationToken cancellationToken)
    {
        if (DashboardFigures.Parse(period) is not { } parsed)
        {
            BadPeriod = Text.Echo(period);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return false;
        }
        Period = parsed;
        Snapshot = await metrics.CurrentAsync(cancellationToken);
        Wide = DashboardFigures.Layout(Snapshot.All, Period, WideWidth, WideHeight);
        Narrow = DashboardFigures.Layout(Snapshot.All, Period, NarrowWidth, NarrowHeight);
        AsOf = Snapshot.All.Max(s => s.Time);
        // The caption says "no trade yet today" until the first one: a change of what it says re-renders too.
        var waiting = Period == Period.D1 && Snapshot.All.All(s => s.Return(Period.D1) is null) ? "waiting:" : "";
        Drawn = waiting + (Wide.ByMarketCap ? "cap:" : "value:") + string.Join(' ', Wide.Groups.SelectMany(g => g.Cells).Select(c => c.Stock.Ticker).Order(StringComparer.Ordinal));
        return true;
    }

    /// <summary>The dashboard's URL for a period (what the buttons link to and the address bar shows).</summary>
    public static string PeriodUrl(Period period) => "/analytics?period=" + period;

    public static string HeatmapUrl(Period period) => "/analytics/heatmap?period=" + period;

    public static string CellsUrl(Period period) => "/analytics/cells?period=" + period;

    public static string TableUrl(Period period) => "/analytics/table?period=" + period;

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

/// <summary>A drawn cell's live figures (see <see cref="DashboardModel.OnGetCellsAsync"/>).</summary>
public sealed record HeatmapCellFigures(string Ticker, int Step, string Class, string Change, string Title);

/// <summary>The heatmap's live figures: the snapshot's version, the drawn set, every drawn cell, each sector's label.</summary>
public sealed record HeatmapFigures(long Version, string Drawn, IReadOnlyList<HeatmapCellFigures> Cells, IReadOnlyDictionary<string, string> Sectors);
