using Htmx;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Watchlists;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Net.Http.Headers;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>
/// The screener page: the filter is the URL's query string (a plain GET form; htmx swaps the results and pushes the
/// canonical URL). A bad filter shows field errors beside the filters and leaves the results as they were.
/// </summary>
public sealed class ScreenerModel(MarketMetrics metrics, ScreenerScreens screens, WatchlistService lists, ScreenerWatchlist adder,
    IStringLocalizer<SharedResource> L) : PageModel
{
    public const string ResultsPartial = "_ScreenerResults";

    /// <summary>The parameters an error can be reported on, each with its slot beside the filter.</summary>
    public static readonly string[] ErrorFields =
    [
        "sector", "period", .. ScreenerQuery.Ranges.SelectMany(r => (r.HasMin ? [r.Name + "Min"] : Array.Empty<string>()).Concat(r.HasMax ? [r.Name + "Max"] : [])),
        "sma50", "sma200", "cols", "sort", "dir", "page",
    ];

    public ScreenerQuery Query { get; private set; } = ScreenerQuery.Default;
    public ScreenerResult? Result { get; private set; }
    public IReadOnlyList<FieldError> Errors { get; private set; } = [];
    public IReadOnlyList<string> Sectors { get; private set; } = [];
    public IReadOnlyList<SavedScreenView> Saved { get; private set; } = [];
    public IReadOnlyList<WatchlistSummary> Watchlists { get; private set; } = [];
    /// <summary>The raw values of the request (what the user typed stays in the form, even when refused).</summary>
    public IQueryCollection Raw { get; private set; } = QueryCollection.Empty;
    public string? SaveName { get; private set; }
    public FieldError? SaveError { get; private set; }

    /// <summary>The saved screen whose rename was refused, what was typed, and why (shown in place, its form open).</summary>
    public (long Id, string? Name, FieldError Error)? Renaming { get; private set; }

    [TempData]
    public string? ScreenerStatus { get; set; }

    public bool SignedIn => User.Identity?.IsAuthenticated == true;

    public string? ErrorFor(string field) => Errors.FirstOrDefault(e => e.Field == field)?.Message.In(L);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(Request.Query, cancellationToken);
        if (Request.IsHtmx() && !Request.Headers.ContainsKey("HX-History-Restore-Request"))
        {
            Response.Headers.Append(HeaderNames.Vary, "HX-Request");
            if (Errors.Count > 0)
            {
                // The results stay as they were; only the field errors (out of band) change, and the URL keeps the last good filter.
                Response.Headers["HX-Reswap"] = "none";
                Response.Headers["HX-Push-Url"] = "false";
            }
            else
            {
                Response.Headers["HX-Push-Url"] = Url.Content("~/screener") + (Query.ToQueryString() is { Length: > 0 } q ? "?" + q : "");
            }
            return Partial(ResultsPartial, this);
        }
        Response.Headers.Append(HeaderNames.Vary, "HX-Request");
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(string? name, string? q, CancellationToken cancellationToken)
    {
        await LoadAsync(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(q), cancellationToken);
        if (!SignedIn)
        {
            return Challenge();
        }
        if (Result is null)
        {
            return Page();
        }
        var outcome = await screens.SaveAsync(HttpContext.UserIdOf(), name, Query, cancellationToken);
        if (outcome.Error is { } error)
        {
            (SaveName, SaveError) = (name, error);
            return Page();
        }
        ScreenerStatus = L["Screen saved as {0}.", outcome.Value!.Name];
        return Redirect(outcome.Value.Url);
    }

    public async Task<IActionResult> OnPostRenameAsync(long id, string? name, string? q, CancellationToken cancellationToken)
    {
        if (!SignedIn)
        {
            return Challenge();
        }
        var outcome = await screens.RenameAsync(HttpContext.UserIdOf(), id, name, cancellationToken);
        if (outcome.Error is { } error)
        {
            await LoadAsync(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(q), cancellationToken);
            Renaming = (id, name, error);
            return Page();
        }
        ScreenerStatus = outcome.Found ? L["Screen renamed to {0}.", outcome.Value!.Name] : L["No such saved screen."];
        Sectors = ScreenerApi.Sectors(await metrics.CurrentAsync(cancellationToken));
        return Redirect(Here(q));
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, string? q, CancellationToken cancellationToken)
    {
        if (!SignedIn)
        {
            return Challenge();
        }
        ScreenerStatus = await screens.DeleteAsync(HttpContext.UserIdOf(), id, cancellationToken) ? L["Saved screen deleted."] : L["No such saved screen."];
        Sectors = ScreenerApi.Sectors(await metrics.CurrentAsync(cancellationToken)); // the filter it returns to keeps its sectors
        return Redirect(Here(q));
    }

    public async Task<IActionResult> OnPostAddAllAsync(int? watchlistId, string? q, CancellationToken cancellationToken)
    {
        if (!SignedIn)
        {
            return Challenge();
        }
        if (!ModelState.IsValid)
        {
            return BadRequest(); // a list id that is not a number: nothing is added anywhere
        }
        await LoadAsync(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(q), cancellationToken);
        if (Result is null)
        {
            return Page();
        }
        var tickers = Screener.Match(await metrics.CurrentAsync(cancellationToken), Query).Select(m => m.Ticker).ToList();
        var report = await adder.AddAllAsync(HttpContext.UserIdOf(), watchlistId, tickers, cancellationToken);
        ScreenerStatus = report is null
            ? L["No such watchlist or item."]
            : L["{0} added to {1}; {2} already there; {3} refused by the list's size limit.", report.Added, report.WatchlistName, report.Already, report.Refused];
        return Redirect(Here(q));
    }

    private string Here(string? q) =>
        Url.Content("~/screener") + (ScreenerQuery.Parse(q, Sectors.Count > 0 ? Sectors : ["*"]).Query?.ToQueryString() is { Length: > 0 } text ? "?" + text : "");

    private async Task LoadAsync(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> query, CancellationToken cancellationToken)
    {
        var snapshot = await metrics.CurrentAsync(cancellationToken);
        Sectors = ScreenerApi.Sectors(snapshot);
        Raw = new QueryCollection(query.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase));
        var parsed = ScreenerQuery.Parse(Raw, Sectors);
        Errors = parsed.Errors;
        if (parsed.Query is { } valid)
        {
            Query = valid;
            Result = Screener.Run(snapshot, valid);
        }
        var text = parsed.Query?.ToQueryString(page: false) ?? "";
        ViewData[SharePreview.Key] = new SharePreview(L["Stock screener"], parsed.Query is { Filters: true } && Result is { } r
                ? L["{0} Casablanca stocks match this screen.", r.Total]
                : L["Filter Casablanca stocks by sector, performance, volume, RSI, moving averages, volatility and beta."],
            "/preview/screener.png" + (text.Length > 0 ? "?" + text : ""));
        if (SignedIn)
        {
            Saved = await screens.ListAsync(HttpContext.UserIdOf(), cancellationToken);
            Watchlists = await lists.ListAsync(HttpContext.UserIdOf(), cancellationToken);
        }
    }

    /// <summary>The raw value of a parameter as typed (the form shows it back).</summary>
    public string? Value(string name) => Raw.TryGetValue(name, out var v) ? v.LastOrDefault() : null;

    public bool Has(string name, string value) => Raw.TryGetValue(name, out var v)
        && v.SelectMany(x => (x ?? "").Split(',', StringSplitOptions.TrimEntries)).Contains(value, StringComparer.OrdinalIgnoreCase);

    public string Link(ScreenerQuery query) => Url.Content("~/screener") + (query.ToQueryString() is { Length: > 0 } q ? "?" + q : "");
}
