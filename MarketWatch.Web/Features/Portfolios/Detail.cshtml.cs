using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// One portfolio: summary and holdings (live over <c>/stream/portfolios/{id}</c>), the performance chart against the
/// MASI (its series from the <c>Performance</c> handler, one range at a time) with every range's figures, allocation by
/// holding and by sector, dividends per month and year, realized gains per year. Another user's portfolio is a 404.
/// </summary>
public sealed class DetailModel(
    PortfolioHoldings holdings,
    PortfolioPerformance performance,
    PortfolioReports reports,
    DbContext db,
    UserManager<Accounts.ApplicationUser> users,
    IStringLocalizer<SharedResource> L) : PageModel
{
    /// <summary>The range the chart opens with.</summary>
    public const string DefaultRange = "1Y";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public PortfolioSnapshot Snapshot { get; private set; } = null!;
    public Portfolio Portfolio => Snapshot.Portfolio;
    public bool HasTransactions { get; private set; }
    public IReadOnlyList<RangeFigures> Ranges { get; private set; } = [];
    public PortfolioIncome Income { get; private set; } = new([], [], []);
    public IReadOnlyList<DonutSlice> ByHolding { get; private set; } = [];
    public IReadOnlyList<DonutSlice> BySector { get; private set; } = [];
    public IReadOnlyList<ChartBar> DividendBars { get; private set; } = [];

    private string UserId => users.GetUserId(User)!;

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken cancellationToken)
    {
        if (await holdings.GetAsync(UserId, id, cancellationToken) is not { } snapshot)
        {
            return NotFound();
        }
        Snapshot = snapshot;
        HasTransactions = await db.PortfolioTransactions.AnyAsync(t => t.PortfolioId == id, cancellationToken);
        if (!HasTransactions)
        {
            return Page();
        }
        Ranges = (await performance.ForAsync(snapshot.Portfolio, PerformanceRange.Y1, cancellationToken)).Ranges;
        Income = await reports.IncomeAsync(snapshot.Portfolio, cancellationToken);
        ByHolding = PortfolioCharts.Donut(snapshot.Holdings.Select(h => (h.Ticker, h.Ticker + " · " + h.Name, h.MarketValue)));
        BySector = PortfolioCharts.Donut(snapshot.Holdings.GroupBy(h => h.Sector)
            .Select(g => (g.Key, L[string.IsNullOrEmpty(g.Key) ? "Other" : g.Key].Value, g.Sum(h => h.MarketValue))));
        var culture = CultureInfo.CurrentCulture;
        DividendBars = PortfolioCharts.Bars(Income.RecentMonths.Select((m, i) => (
            m.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            L["{0}: {1}", m.Month.ToString("MMMM yyyy", culture), PortfolioFormat.Mad(m.Net, L)].Value,
            i % 3 == 0 ? m.Month.ToString("MMM yy", culture) : null,
            m.Net)).ToList(), DividendChart.Step, DividendChart.Height);
        return Page();
    }

    /// <summary>The chart's data for one range: the performance report (series and figures), camelCased as the API gives it.</summary>
    public async Task<IActionResult> OnGetPerformanceAsync(int id, string? range, CancellationToken cancellationToken)
    {
        if (!PerformanceRanges.TryParse(range ?? DefaultRange, out var parsed))
        {
            return BadRequest();
        }
        var report = await performance.GetAsync(UserId, id, parsed, cancellationToken);
        return report is null ? NotFound() : new JsonResult(report, Json);
    }

    /// <summary>The dividend bars' drawing box, in SVG units.</summary>
    public static class DividendChart
    {
        public const double Step = 20;
        public const double Height = 120;
        public static double Width => PortfolioReports.RecentMonths * Step;
    }
}
