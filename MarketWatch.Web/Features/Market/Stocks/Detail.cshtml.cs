using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Market.Stocks;

/// <summary>One instrument: quote header, chart and key figures.</summary>
public sealed class DetailModel(MarketQueries market) : PageModel
{
    public InstrumentDetail Detail { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string ticker, CancellationToken cancellationToken)
    {
        var detail = await market.DetailAsync(ticker, cancellationToken);
        if (detail is null)
        {
            return NotFound();
        }
        if (detail.Instrument.Ticker != ticker)
        {
            return RedirectToPagePermanent(null, new { ticker = detail.Instrument.Ticker });
        }
        Detail = detail;
        return Page();
    }
}
