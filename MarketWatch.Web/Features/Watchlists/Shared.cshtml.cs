using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Watchlists;

/// <summary>A list opened through its share link: live prices, read-only, nothing about its owner.</summary>
public sealed class SharedModel(WatchlistService lists, WatchlistRows rows) : PageModel
{
    public string Name { get; private set; } = "";
    public WatchlistTableView Table { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        var list = await lists.FindSharedAsync(token, cancellationToken);
        if (list is null)
        {
            return NotFound();
        }
        Name = list.Name;
        // The owner's own order: a sort by target price would hint at targets the shared view hides.
        var loaded = await rows.LoadAsync(list.Id, WatchlistSort.Position, false, cancellationToken);
        Table = new WatchlistTableView(list.Id, loaded, WatchlistSort.Position, false, ReadOnly: true, $"/stream/shared/{token}", WatchlistColumns.Parse(list.Columns));
        Response.Headers["X-Robots-Tag"] = "noindex";
        return Page();
    }
}
