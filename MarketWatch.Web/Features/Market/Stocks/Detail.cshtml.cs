using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Market.Stocks;

/// <summary>One instrument: quote header, chart and key figures.</summary>
public sealed class DetailModel(MarketQueries market, Watchlists.WatchlistService lists, Microsoft.AspNetCore.Identity.UserManager<Accounts.ApplicationUser> users) : PageModel
{
    public InstrumentDetail Detail { get; private set; } = null!;

    /// <summary>The signed-in user's lists, for the "add to watchlist" menu (null when signed out).</summary>
    public IReadOnlyList<Watchlists.WatchlistSummary>? Lists { get; private set; }

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
        if (users.GetUserId(User) is { } userId)
        {
            Lists = await lists.ListAsync(userId, cancellationToken);
        }
        return Page();
    }
}
