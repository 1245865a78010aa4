using System.Globalization;
using System.Text;
using Htmx;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Watchlists;

/// <summary>
/// One watchlist: the live table, adding by search, notes and targets, order (drag, keyboard, column sort),
/// rename, default, share link, CSV export and import, delete. Every handler looks the list up by (id, user):
/// another user's list is a 404. htmx requests get the table (or row) back; plain posts redirect.
/// </summary>
public sealed class DetailModel(
    WatchlistService lists,
    WatchlistRows rows,
    WatchlistCsv csv,
    MarketQueries market,
    UserManager<Accounts.ApplicationUser> users,
    PublicUrls urls,
    IStringLocalizer<SharedResource> L) : PageModel
{
    public Watchlist List { get; private set; } = null!;
    public IReadOnlyList<WatchlistRow> Rows { get; private set; } = [];
    public WatchlistImportReport? ImportReport { get; private set; }
    public string? AddError { get; private set; }
    public IReadOnlyList<QuoteRow> Candidates { get; private set; } = [];

    [FromQuery(Name = "q")]
    public string? Query { get; set; }

    private string UserId => users.GetUserId(User)!;

    public WatchlistTableView Table => new(List.Id, Rows, List.SortColumn, List.SortDescending, ReadOnly: false, $"/stream/watchlists/{List.Id}", Columns, List.Compact);

    public IReadOnlyList<string> Columns => WatchlistColumns.Parse(List.Columns);

    /// <summary>The column chooser's rows: the shown columns in their order, then the hidden ones.</summary>
    public IReadOnlyList<(string Key, bool Shown)> ColumnChoices =>
        Columns.Select(c => (c, true)).Concat(WatchlistColumns.All.Except(Columns).Select(c => (c, false))).ToList();

    /// <summary>The link the owner copies and sends: on the public address (App:BaseUrl), never the request's Host header.</summary>
    public string? ShareUrl => List.ShareToken is null ? null : urls.Page("/Watchlists/Shared", new { token = List.ShareToken });

    private async Task<bool> LoadAsync(int id, CancellationToken cancellationToken)
    {
        var list = await lists.FindAsync(UserId, id, cancellationToken);
        if (list is null)
        {
            return false;
        }
        List = list;
        Rows = await rows.LoadAsync(list.Id, list.SortColumn, list.SortDescending, cancellationToken);
        return true;
    }

    private async Task<IActionResult> TableOrRedirectAsync(int id, CancellationToken cancellationToken)
    {
        if (!Request.IsHtmx())
        {
            return RedirectToPage("/Watchlists/Detail", new { id });
        }
        return await LoadAsync(id, cancellationToken) ? Partial("_WatchlistTable", Table) : NotFound();
    }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    /// <summary>The add box's active search: instruments not yet in the list.</summary>
    public async Task<IActionResult> OnGetCandidatesAsync(int id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        var query = (Query ?? "").Trim();
        var inList = Rows.Select(r => r.Ticker).ToHashSet();
        Candidates = query.Length == 0 ? [] : (await market.SearchAsync(query[..Math.Min(query.Length, 100)], 12, cancellationToken)).Where(r => !inList.Contains(r.Ticker)).Take(8).ToList();
        return Partial("_Candidates", this);
    }

    public async Task<IActionResult> OnPostAddAsync(int id, string? ticker, CancellationToken cancellationToken)
    {
        var outcome = await lists.AddItemAsync(UserId, id, ticker, null, null, cancellationToken);
        if (!outcome.Found)
        {
            return NotFound();
        }
        if (outcome.Error is { } error)
        {
            if (Request.IsHtmx(out var htmx))
            {
                if (htmx?.Target != "add-menu-result")
                {
                    Response.Htmx(h => h.Retarget("#add-feedback").Reswap("innerHTML"));
                }
                return Partial("_AddFeedback", error.Message.In(L));
            }
            TempData["Status"] = error.Message.In(L);
            return RedirectToPage("/Watchlists/Detail", new { id });
        }
        if (Request.IsHtmx(out var values) && values?.Target == "add-menu-result")
        {
            // From the instrument page's menu: say where it went, with a link.
            var list = (await lists.FindAsync(UserId, id, cancellationToken))!;
            return Partial("_AddedTo", (list.Id, list.Name, outcome.Value!.InstrumentId));
        }
        return await TableOrRedirectAsync(id, cancellationToken);
    }

    public async Task<IActionResult> OnPostUpdateAsync(int id, string? ticker, string? note, string? targetPrice, CancellationToken cancellationToken)
    {
        decimal? target = null;
        FieldError? parseError = null;
        if (!string.IsNullOrWhiteSpace(targetPrice))
        {
            if (decimal.TryParse(targetPrice, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed))
            {
                target = parsed;
            }
            else
            {
                parseError = new FieldError("targetPrice", new Infrastructure.Localization.Text("The target price '{0}' is not a number.", targetPrice));
            }
        }
        var outcome = parseError is null
            ? await lists.UpdateItemAsync(UserId, id, ticker, note, target, cancellationToken)
            : new Outcome<WatchlistItem>(default, parseError, await lists.FindAsync(UserId, id, cancellationToken) is not null);
        if (!outcome.Found)
        {
            return NotFound();
        }
        if (!Request.IsHtmx())
        {
            if (outcome.Error is { } e)
            {
                TempData["Status"] = e.Message.In(L);
            }
            return RedirectToPage("/Watchlists/Detail", new { id });
        }
        await LoadAsync(id, cancellationToken);
        var row = Rows.SingleOrDefault(r => r.Ticker.Equals(ticker ?? "", StringComparison.OrdinalIgnoreCase));
        if (row is null)
        {
            return NotFound();
        }
        if (outcome.Error is { } error)
        {
            // Show what was typed, with the error, in the open editor: nothing was saved.
            row = row with { Note = note, TargetPrice = target };
            return Partial("_WatchlistRow", new WatchlistRowView(row, id, ReadOnly: false, Error: error.Message.In(L), Columns: Columns));
        }
        // Saved: the whole table, so its live stream reconnects with the new note and target (a stream keeps the rows
        // it started with; a row swapped alone would get the old target back from the next tick).
        Response.Headers["HX-Retarget"] = "#watchlist-table";
        Response.Headers["HX-Reswap"] = "outerHTML";
        return Partial("_WatchlistTable", Table);
    }

    public async Task<IActionResult> OnPostRemoveAsync(int id, string? ticker, CancellationToken cancellationToken) =>
        await lists.RemoveItemAsync(UserId, id, ticker, cancellationToken) ? await TableOrRedirectAsync(id, cancellationToken) : NotFound();

    public async Task<IActionResult> OnPostMoveAsync(int id, string? ticker, int direction, CancellationToken cancellationToken) =>
        await lists.MoveAsync(UserId, id, ticker, direction, cancellationToken) ? await TableOrRedirectAsync(id, cancellationToken) : NotFound();

    /// <summary>Drag and drop: the new order of every ticker.</summary>
    public async Task<IActionResult> OnPostReorderAsync(int id, [FromForm] string[] tickers, CancellationToken cancellationToken) =>
        await lists.ReorderAsync(UserId, id, tickers ?? [], cancellationToken) ? await TableOrRedirectAsync(id, cancellationToken) : NotFound();

    /// <summary>Sort by a column; the same column again reverses the order.</summary>
    public async Task<IActionResult> OnPostSortAsync(int id, string? column, CancellationToken cancellationToken)
    {
        var list = await lists.FindAsync(UserId, id, cancellationToken);
        if (list is null)
        {
            return NotFound();
        }
        var descending = list.SortColumn == column ? !list.SortDescending : column is "changePercent" or "change" or "volume";
        if (!await lists.SortAsync(UserId, id, column, descending, cancellationToken))
        {
            return BadRequest();
        }
        return await TableOrRedirectAsync(id, cancellationToken);
    }

    /// <summary>
    /// The column chooser, a plain form: <paramref name="order"/> lists every column in the form's order,
    /// <paramref name="columns"/> the ticked ones, and <paramref name="move"/> ("key:-1" or "key:1") a move up or down.
    /// </summary>
    public async Task<IActionResult> OnPostColumnsAsync(int id, [FromForm] string[]? order, [FromForm] string[]? columns, [FromForm] string? move, CancellationToken cancellationToken)
    {
        var keys = (order ?? []).ToList();
        if (move?.Split(':') is [var key, var step] && keys.IndexOf(key) is var index and >= 0 && int.TryParse(step, out var direction))
        {
            var other = Math.Clamp(index + Math.Sign(direction), 0, keys.Count - 1);
            (keys[index], keys[other]) = (keys[other], keys[index]);
        }
        var ticked = (columns ?? []).ToHashSet();
        var chosen = keys.Where(ticked.Contains).Concat(ticked.Except(keys)).ToList();
        var outcome = await lists.SetColumnsAsync(UserId, id, chosen, cancellationToken);
        if (!outcome.Found)
        {
            return NotFound();
        }
        if (outcome.Error is { } error)
        {
            await LoadAsync(id, cancellationToken);
            ModelState.AddModelError("columns", error.Message.In(L));
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        if (move is null)
        {
            TempData["Status"] = L["The columns were saved."].Value;
        }
        return Redirect(Url.Page("/Watchlists/Detail", new { id }) + "#columns-title");
    }

    /// <summary>Compact rows on or off, remembered with the list.</summary>
    public async Task<IActionResult> OnPostCompactAsync(int id, bool compact, CancellationToken cancellationToken)
    {
        if (!await lists.SetCompactAsync(UserId, id, compact, cancellationToken))
        {
            return NotFound();
        }
        return await TableOrRedirectAsync(id, cancellationToken);
    }

    public async Task<IActionResult> OnPostRenameAsync(int id, string? name, CancellationToken cancellationToken)
    {
        var outcome = await lists.RenameAsync(UserId, id, name, cancellationToken);
        if (!outcome.Found)
        {
            return NotFound();
        }
        TempData["Status"] = outcome.Error is { } error ? error.Message.In(L) : L["The list was renamed."].Value;
        return RedirectToPage("/Watchlists/Detail", new { id });
    }

    public async Task<IActionResult> OnPostDefaultAsync(int id, CancellationToken cancellationToken)
    {
        if (!await lists.SetDefaultAsync(UserId, id, cancellationToken))
        {
            return NotFound();
        }
        TempData["Status"] = L["This is now your default list."].Value;
        return RedirectToPage("/Watchlists/Detail", new { id });
    }

    public async Task<IActionResult> OnPostShareAsync(int id, bool shared, CancellationToken cancellationToken)
    {
        var outcome = await lists.ShareAsync(UserId, id, shared, cancellationToken);
        if (!outcome.Found)
        {
            return NotFound();
        }
        TempData["Status"] = shared ? L["Anyone with the link can now see this list (prices, not your notes)."].Value : L["The link no longer works."].Value;
        return RedirectToPage("/Watchlists/Detail", new { id });
    }

    public async Task<IActionResult> OnPostDeleteAsync(int id, CancellationToken cancellationToken)
    {
        var list = await lists.FindAsync(UserId, id, cancellationToken);
        if (list is null || !await lists.DeleteAsync(UserId, id, cancellationToken))
        {
            return NotFound();
        }
        TempData["Status"] = L["The list {0} was deleted.", list.Name].Value;
        return RedirectToPage("/Watchlists/Index");
    }

    public async Task<IActionResult> OnGetExportAsync(int id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        var name = new string(List.Name.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return File(Encoding.UTF8.GetBytes(WatchlistCsv.Export(Rows)), "text/csv", $"watchlist-{(name.Length > 0 ? name : List.Id.ToString(CultureInfo.InvariantCulture))}.csv");
    }

    public async Task<IActionResult> OnPostImportAsync(int id, IFormFile? upload, CancellationToken cancellationToken)
    {
        if (upload is null || upload.Length == 0)
        {
            if (!await LoadAsync(id, cancellationToken))
            {
                return NotFound();
            }
            ModelState.AddModelError("upload", L["Choose a CSV file."]);
            return Page();
        }
        if (csv.Limit.TooLarge(upload.Length) is { } tooLarge)
        {
            if (!await LoadAsync(id, cancellationToken))
            {
                return NotFound();
            }
            ModelState.AddModelError("upload", tooLarge.In(L));
            return Page();
        }
        using var reader = new StreamReader(upload.OpenReadStream());
        var report = await csv.ImportAsync(UserId, id, reader, cancellationToken);
        if (report is null || !await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        if (report.Refused is { } refused)
        {
            ModelState.AddModelError("upload", refused.In(L));
            return Page();
        }
        ImportReport = report;
        return Page();
    }
}
