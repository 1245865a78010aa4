using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// <c>/portfolios/{id}/share</c>: the owner turns the read-only link on or off (off revokes it: the old link becomes a
/// 404, the next one is new), chooses whether it shows amounts, and copies it.
/// </summary>
public sealed class ShareModel(PortfolioShares shares, PublicUrls urls, UserManager<ApplicationUser> users, IStringLocalizer<SharedResource> L) : PageModel
{
    public Portfolio Portfolio { get; private set; } = null!;

    public string? ShareUrl => Portfolio.ShareToken is { } token ? urls.Page("/Portfolios/Shared", new { token }) : null;

    private string UserId => users.GetUserId(User)!;

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken cancellationToken)
    {
        var portfolio = await shares.FindAsync(UserId, id, cancellationToken);
        if (portfolio is null)
        {
            return NotFound();
        }
        Portfolio = portfolio;
        return Page();
    }

    /// <param name="shared">true: the link is on (kept, or made); false: revoked.</param>
    /// <param name="showAmounts">The link shows values, quantities, costs and cash too.</param>
    public async Task<IActionResult> OnPostAsync(int id, bool shared, bool showAmounts, CancellationToken cancellationToken)
    {
        var wasShared = (await shares.FindAsync(UserId, id, cancellationToken))?.ShareToken is not null;
        var outcome = await shares.ShareAsync(UserId, id, shared, showAmounts, cancellationToken);
        if (!outcome.Found)
        {
            return NotFound();
        }
        TempData["Status"] = !shared ? L["The link no longer works. Sharing again makes a new link."].Value
            : !wasShared ? L["Anyone with the link can now see this portfolio (never your notes)."].Value
            : L["Saved: the link now shows this."].Value;
        return RedirectToPage("/Portfolios/Share", new { id });
    }
}
