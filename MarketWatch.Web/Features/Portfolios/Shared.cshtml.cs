using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>One sector's share of the holdings' value (percent).</summary>
public sealed record SectorWeight(string Sector, decimal Weight);

/// <summary>
/// <c>/p/{token}</c>: a portfolio opened through its share link, read-only and anonymous. It shows the name, each
/// holding's weight and returns (unrealized and day change, in percent), the allocation by sector and the performance
/// against MASI in percent; amounts (values, quantities, costs, prices paid, cash) only when the owner chose to show
/// them. Never the transactions' notes, the portfolio's description (as private as a note), nor anything about the
/// owner (no name, no email). An unknown or revoked token is a 404. Not indexed; the link is not passed on as a referrer.
/// </summary>
[AllowAnonymous]
public sealed class SharedModel(PortfolioShares shares, PortfolioHoldings holdings, PortfolioPerformance performance) : PageModel
{
    public string Name { get; private set; } = "";
    public string Token { get; private set; } = "";
    public bool ShowsAmounts { get; private set; }
    public PortfolioSnapshot Snapshot { get; private set; } = null!;
    public PerformanceReport Performance { get; private set; } = null!;
    public IReadOnlyList<SectorWeight> Sectors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        var portfolio = await shares.FindSharedAsync(token, cancellationToken);
        if (portfolio is null)
        {
            return NotFound();
        }
        Name = portfolio.Name;
        Token = token;
        ShowsAmounts = portfolio.ShareShowsAmounts;
        Snapshot = await holdings.ForAsync(portfolio, cancellationToken);
        Performance = await performance.ForAsync(portfolio, PerformanceRange.Y1, cancellationToken);
        Sectors = Snapshot.Holdings.GroupBy(h => string.IsNullOrWhiteSpace(h.Sector) ? "" : h.Sector)
            .Select(g => new SectorWeight(g.Key, g.Sum(h => h.Weight)))
            .OrderByDescending(s => s.Weight).ToList();
        Response.Headers["X-Robots-Tag"] = "noindex, nofollow";
        // The token is the key to the page: never sent on as a Referer (the security headers keep a value set here).
        Response.Headers["Referrer-Policy"] = "no-referrer";
        Response.Headers.CacheControl = "private, no-store";
        return Page();
    }
}
