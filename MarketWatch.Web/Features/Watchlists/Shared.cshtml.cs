using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Watchlists;

/// <summary>A list opened through its share link: live prices, read-only, nothing about its owner.</summary>
public sealed class SharedModel(Watchlists lists, WatchlistRows rows) : PageModel
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
        var loaded = await rows.LoadAsync(list.Id, list.SortColumn, list.SortDescending, cancellationToken);
        Table = new WatchlistTableView(list.Id, loaded, list.SortColumn, list.SortDescending, ReadOnly: true, $"/stream/shared/{token}");
        Response.Headers["X-Robots-Tag"] = "noindex";
        return Page();
    }
}
