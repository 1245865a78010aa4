using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Market.Stocks;

/// <summary>One instrument: quote header, chart and key figures.</summary>
public sealed class DetailModel(MarketQueries market, DbContext db) : PageModel
{
    public InstrumentDetail Detail { get; private set; } = null!;

    /// <summary>The other active tickers, for the chart's compare picker.</summary>
    public IReadOnlyList<string> Others { get; private set; } = [];

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
        Others = await db.Instruments.AsNoTracking().Where(i => i.IsActive && i.Id != detail.Instrument.Id)
            .OrderBy(i => i.Ticker).Select(i => i.Ticker).ToListAsync(cancellationToken);
        return Page();
    }
}
