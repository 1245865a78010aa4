using MarketWatch.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Market.Stocks;

/// <summary>Every instrument, filterable by sector and sortable by any column; htmx swaps only the table.</summary>
public sealed class IndexModel(MarketQueries market) : PageModel
{
    public static readonly string[] SortKeys = ["ticker", "name", "sector", "last", "change", "volume", "value", "cap"];

    [BindProperty(SupportsGet = true)]
    public string? Sector { get; set; }

    [BindProperty(SupportsGet = true)]
    public string Sort { get; set; } = "ticker";

    [BindProperty(SupportsGet = true)]
    public bool Desc { get; set; }

    /// <summary>The sort picker's choice ("change-desc"): column and direction in one field, for phones and no-JS forms.</summary>
    [BindProperty(SupportsGet = true)]
    public string? By { get; set; }

    /// <summary>The current order as the sort picker writes it.</summary>
    public string CurrentBy => Desc ? Sort + "-desc" : Sort;

    /// <summary>Columns that sort as text (A to Z) rather than as numbers (low to high).</summary>
    public static bool IsText(string key) => key is "ticker" or "name" or "sector";

    public IReadOnlyList<QuoteRow> Rows { get; private set; } = [];
    public IReadOnlyList<string> Sectors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (By is { Length: > 0 } by)
        {
            Desc = by.EndsWith("-desc", StringComparison.Ordinal);
            Sort = Desc ? by[..^"-desc".Length] : by;
        }
        if (!SortKeys.Contains(Sort))
        {
            Sort = "ticker";
        }
        var all = await market.AllAsync(cancellationToken);
        Sectors = all.Select(r => r.Sector).Distinct().Order().ToList();
        var rows = all.Where(r => string.IsNullOrEmpty(Sector) || r.Sector == Sector);
        Func<QuoteRow, object?> key = Sort switch
        {
            "name" => r => r.Name,
            "sector" => r => r.Sector,
            "last" => r => r.Last,
            "change" => r => r.ChangePercent,
            "volume" => r => r.Volume,
            "value" => r => r.ValueTraded,
            "cap" => r => r.MarketCap,
            _ => r => r.Ticker,
        };
        Rows = (Desc ? rows.OrderByDescending(key) : rows.OrderBy(key)).ThenBy(r => r.Ticker).ToList();
        return this.PartialOrPage("_InstrumentsTable");
    }

    public string SortUrl(string key) =>
        Url.Page("/Market/Stocks/Index", new { sector = Sector, sort = key, desc = Sort == key && !Desc })!;
}
