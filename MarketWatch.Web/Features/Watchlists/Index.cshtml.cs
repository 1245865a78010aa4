using MarketWatch.Web.Features.Market;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Watchlists;

public sealed class IndexModel(WatchlistService lists, WatchlistFollows follows, DbContext db, UserManager<Accounts.ApplicationUser> users) : PageModel
{
    public IReadOnlyList<WatchlistSummary> Lists { get; private set; } = [];
    /// <summary>Other people's shared lists the user follows, read-only.</summary>
    public IReadOnlyList<FollowedList> Following { get; private set; } = [];

    [BindProperty]
    public string? Name { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var userId = users.GetUserId(User)!;
        Lists = await lists.ListAsync(userId, cancellationToken);
        Following = await follows.FollowingAsync(userId, cancellationToken);
    }

    /// <summary>
    /// The "add to watchlist" menu of an instrument page, which loads it with hx-get: Market sits below Watchlists
    /// and does not know them.
    /// </summary>
    public async Task<IActionResult> OnGetAddMenuAsync(string? ticker, CancellationToken cancellationToken)
    {
        // Only a listed instrument gets a menu. A value no ticker can be (too long, control characters, which PostgreSQL
        // refuses) is turned away before it reaches the database.
        if (string.IsNullOrWhiteSpace(ticker) || ticker.Length > Instrument.TickerMaxLength || ticker.Any(char.IsControl)
            || !await db.Instruments.AnyAsync(i => i.Ticker == ticker, cancellationToken))
        {
            return NotFound();
        }
        IReadOnlyList<WatchlistSummary> mine = await lists.ListAsync(users.GetUserId(User)!, cancellationToken);
        return Partial("_AddToWatchlist", (ticker, mine));
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var userId = users.GetUserId(User)!;
        var outcome = await lists.CreateAsync(userId, Name, cancellationToken);
        if (outcome.Error is { } error)
        {
            ModelState.AddModelError(nameof(Name), error.Message.In(HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<SharedResource>>()));
            Lists = await lists.ListAsync(userId, cancellationToken);
            return Page();
        }
        return RedirectToPage("/Watchlists/Detail", new { id = outcome.Value!.Id });
    }
}
