using Htmx;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Watchlists;

/// <summary>
/// A list opened through its share link: live prices, read-only, nothing about its owner. A signed-in visitor other than
/// the owner can follow it (it then shows under "Following" in their watchlists) and ask to be told when a stock is added.
/// </summary>
public sealed class SharedModel(WatchlistService lists, WatchlistRows rows, WatchlistFollows follows, UserManager<Accounts.ApplicationUser> users) : PageModel
{
    public string Name { get; private set; } = "";
    public string Token { get; private set; } = "";
    public WatchlistTableView Table { get; private set; } = null!;
    public FollowState? Follow { get; private set; }

    private string? UserId => users.GetUserId(User);

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        var list = await lists.FindSharedAsync(token, cancellationToken);
        if (list is null)
        {
            return NotFound();
        }
        Name = list.Name;
        Token = token;
        // The owner's own order: a sort by target price would hint at targets the shared view hides.
        var loaded = await rows.LoadAsync(list.Id, WatchlistSort.Position, false, cancellationToken);
        Table = new WatchlistTableView(list.Id, loaded, WatchlistSort.Position, false, ReadOnly: true, $"/stream/shared/{token}", WatchlistColumns.Parse(list.Columns));
        Follow = await follows.StateAsync(list, UserId, cancellationToken);
        Response.Headers["X-Robots-Tag"] = "noindex";
        return Page();
    }

    public Task<IActionResult> OnPostFollowAsync(string token, CancellationToken cancellationToken) =>
        ChangeAsync(token, (list, user) => follows.FollowAsync(list, user, cancellationToken), cancellationToken);

    public Task<IActionResult> OnPostUnfollowAsync(string token, CancellationToken cancellationToken) =>
        ChangeAsync(token, (list, user) => follows.UnfollowAsync(list, user, cancellationToken), cancellationToken);

    public Task<IActionResult> OnPostNotifyAsync(string token, bool notify, CancellationToken cancellationToken) =>
        ChangeAsync(token, (list, user) => follows.SetNotifyAsync(list, user, notify, cancellationToken), cancellationToken);

    /// <summary>A follow change by a signed-in visitor: the fragment for htmx, the page again for a plain post.</summary>
    private async Task<IActionResult> ChangeAsync(string token, Func<Watchlist, string, Task> change, CancellationToken cancellationToken)
    {
        if (UserId is not { } user)
        {
            return Challenge();
        }
        var list = await lists.FindSharedAsync(token, cancellationToken);
        if (list is null)
        {
            return NotFound();
        }
        await change(list, user);
        if (Request.IsHtmx())
        {
            return Partial("_Follow", await follows.StateAsync(list, user, cancellationToken));
        }
        return RedirectToPage("/Watchlists/Shared", new { token });
    }
}
