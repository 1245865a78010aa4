using Htmx;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Net.Http.Headers;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>
/// <c>/analytics/watchlists/{id}?period=3M|1Y</c>: how the owner's list moves together (correlation heatmap) and each
/// stock's volatility and beta against MASI. The watchlist page loads it by address (htmx: the card alone); without JS
/// it is a page of its own. Another user's list is a 404.
/// </summary>
[Authorize]
public sealed class WatchlistAnalyticsModel(WatchlistService lists, WatchlistAnalytics analytics, UserManager<ApplicationUser> users,
    IStringLocalizer<SharedResource> L) : PageModel
{
    public Watchlist List { get; private set; } = null!;
    public WatchlistAnalyticsResult Result { get; private set; } = null!;
    /// <summary>The card alone (the watchlist page's lazy load), without the layout.</summary>
    public bool Fragment { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id, string? period, CancellationToken cancellationToken)
    {
        var chosen = period?.ToUpperInvariant() switch
        {
            null or "" or "3M" => Period.M3,
            "1Y" => Period.Y1,
            _ => (Period?)null,
        };
        if (chosen is null)
        {
            var problem = new ValidationProblemDetails(new Dictionary<string, string[]> { ["period"] = [L["Use one of {0}.", "3M, 1Y"]] })
            {
                Status = StatusCodes.Status400BadRequest,
            };
            return new ObjectResult(problem) { StatusCode = StatusCodes.Status400BadRequest, ContentTypes = { "application/problem+json" } };
        }
        var list = await lists.FindAsync(users.GetUserId(User)!, id, cancellationToken);
        if (list is null)
        {
            return NotFound();
        }
        Response.Headers.Append(HeaderNames.Vary, HtmxRequestHeaders.Keys.Request);
        Fragment = Request.IsHtmx();
        List = list;
        Result = await analytics.ComputeAsync(list.Id, chosen.Value, cancellationToken);
        return Page();
    }

    public static string Code(Period period) => period == Period.Y1 ? "1Y" : "3M";
}
