using Htmx;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Market;

/// <summary>Instrument search: the header's htmx active search gets the result list, a plain GET gets the page.</summary>
public sealed class SearchModel(MarketQueries market) : PageModel
{
    public const int MaxLength = 100;

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    public IReadOnlyList<QuoteRow> Results { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var query = (Q ?? "").Trim();
        if (query.Length > MaxLength)
        {
            query = query[..MaxLength];
        }
        Results = query.Length == 0 ? [] : await market.SearchAsync(query, Request.IsHtmx() ? 8 : 50, cancellationToken);
        return this.PartialOrPage("_SearchResults");
    }
}
