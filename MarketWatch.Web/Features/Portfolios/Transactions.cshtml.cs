using System.Globalization;
using Htmx;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// A portfolio's transactions: the list (newest first) with filters kept in the query string, a form to add one
/// (its fields follow the type) with a preview of its effect before saving, inline edit and delete. Every handler
/// looks the portfolio up by (id, user): another user's is a 404. htmx requests get fragments; plain posts get the
/// page (with the errors) or a redirect, so it all works without JavaScript too.
/// </summary>
public sealed class TransactionsModel(
    PortfolioService portfolios,
    PortfolioTransactions transactions,
    FeeSchedules schedules,
    UserManager<Accounts.ApplicationUser> users,
    TimeProvider clock,
    IStringLocalizer<SharedResource> L) : PageModel
{
    /// <summary>The list shows at most this many rows; the filters narrow it (10,000 rows would make a page nobody reads).</summary>
    public const int MaxRows = 500;

    [BindProperty]
    public TransactionForm Input { get; set; } = new();

    [BindProperty(SupportsGet = true, Name = "type")]
    public string? FilterType { get; set; }
    [BindProperty(SupportsGet = true, Name = "ticker")]
    public string? FilterTicker { get; set; }
    [BindProperty(SupportsGet = true, Name = "from")]
    public string? FilterFrom { get; set; }
    [BindProperty(SupportsGet = true, Name = "to")]
    public string? FilterTo { get; set; }

    public Portfolio Portfolio { get; private set; } = null!;
    public FeeSchedule Schedule { get; private set; } = FeeSchedule.Defaults;
    public TransactionListView List { get; private set; } = null!;
    public TransactionFormView AddForm { get; private set; } = null!;

    private string UserId => users.GetUserId(User)!;

    public TransactionFilter Filter => new(
        Enum.TryParse<TransactionType>(FilterType, true, out var t) && Enum.IsDefined(t) && !int.TryParse(FilterType, out _) ? t : null,
        string.IsNullOrWhiteSpace(FilterTicker) ? null : FilterTicker.Trim().ToUpperInvariant()[..Math.Min(FilterTicker.Trim().Length, 20)],
        ParseDate(FilterFrom), ParseDate(FilterTo));

    /// <summary>The filters as a query string ("" or "?type=Buy&amp;ticker=IAM"), for links and form actions that must keep them.</summary>
    public string Query
    {
        get
        {
            var f = Filter;
            var parts = new List<string>();
            if (f.Type is { } type) { parts.Add("type=" + type); }
            if (f.Ticker is { } ticker) { parts.Add("ticker=" + Uri.EscapeDataString(ticker)); }
            if (f.From is { } from) { parts.Add("from=" + from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); }
            if (f.To is { } to) { parts.Add("to=" + to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); }
            return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
        }
    }

    private static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    public string PageUrl(int id) => $"/portfolios/{id}/transactions";

    private string HandlerUrl(string handler, long? txId = null)
    {
        var url = $"{PageUrl(Portfolio.Id)}/{handler}";
        var query = Query;
        if (txId is { } tx)
        {
            query = (query.Length == 0 ? "?" : query + "&") + "txId=" + tx.ToString(CultureInfo.InvariantCulture);
        }
        return url + query;
    }

    /// <summary>Today in exchange time: the date a new transaction starts with (a later one is refused).</summary>
    public DateOnly Today => Market.Calendar.ExchangeCalendar.ExchangeDate(clock.GetUtcNow());

    private TransactionFormView NewForm(TransactionForm? values = null, FieldError? error = null, TransactionPreview? preview = null, FieldError? previewError = null) =>
        new("new", values ?? new TransactionForm { Type = nameof(TransactionType.Buy), Date = Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
            HandlerUrl("add"), HandlerUrl("preview"), error, preview, previewError, HxInclude: "#tx-filters");

    private TransactionFormView EditForm(long txId, TransactionForm values, FieldError? error = null, TransactionPreview? preview = null, FieldError? previewError = null) =>
        new(txId.ToString(CultureInfo.InvariantCulture), values, HandlerUrl("update", txId), HandlerUrl("preview", txId), error, preview, previewError,
            CancelUrl: PageUrl(Portfolio.Id) + Query, CancelHxUrl: HandlerUrl("row", txId), HxTarget: "closest tr", HxInclude: "#tx-filters");

    private async Task<bool> LoadPortfolioAsync(int id, CancellationToken cancellationToken)
    {
        var portfolio = await portfolios.FindAsync(UserId, id, cancellationToken);
        if (portfolio is null)
        {
            return false;
        }
        Portfolio = portfolio;
        return true;
    }

    private async Task<bool> LoadListAsync(CancellationToken cancellationToken, long? editingId = null, TransactionFormView? editForm = null,
        long? errorRowId = null, string? rowError = null, bool oob = false)
    {
        var filter = Filter;
        // One row more than shown tells whether there are more; only then are they counted.
        var rows = await transactions.ListAsync(UserId, Portfolio.Id, filter, cancellationToken, take: MaxRows + 1);
        if (rows is null)
        {
            return false;
        }
        var total = rows.Count > MaxRows ? await transactions.CountAsync(UserId, Portfolio.Id, filter, cancellationToken) : rows.Count;
        var filtered = filter.Type is not null || filter.Ticker is not null || filter.From is not null || filter.To is not null;
        List = new TransactionListView(Portfolio.Id, rows.Take(MaxRows).ToList(), total, filtered, Query, editingId, editForm, errorRowId, rowError, oob, Portfolio.Kind == PortfolioKind.Paper);
        return true;
    }

    private async Task<IActionResult> FullPageAsync(CancellationToken cancellationToken, TransactionFormView? addForm = null, long? editingId = null,
        TransactionFormView? editForm = null, long? errorRowId = null, string? rowError = null)
    {
        Schedule = await schedules.GetAsync(cancellationToken);
        AddForm = addForm ?? NewForm();
        if (editingId is { } editing && editForm is null)
        {
            var tx = await transactions.FindAsync(UserId, Portfolio.Id, editing, cancellationToken);
            editForm = tx is null ? null : EditForm(tx.Id, TransactionForm.From(tx));
            editingId = tx?.Id;
        }
        return await LoadListAsync(cancellationToken, editingId, editForm, errorRowId, rowError) ? Page() : NotFound();
    }

    /// <summary>A fragment for htmx, except when htmx restores history (it needs the whole page then).</summary>
    private bool WantsFragment => Request.IsHtmx(out var values) && values?.HistoryRestoreRequest != true;

    public async Task<IActionResult> OnGetAsync(int id, long? edit, CancellationToken cancellationToken)
    {
        if (!await LoadPortfolioAsync(id, cancellationToken))
        {
            return NotFound();
        }
        if (WantsFragment)
        {
            // The filters: only the list changes (and the address, by hx-push-url).
            Response.Headers.Vary = "HX-Request";
            return await LoadListAsync(cancellationToken) ? Partial("_TransactionFiltered", this) : NotFound();
        }
        return await FullPageAsync(cancellationToken, editingId: edit);
    }

    /// <summary>A row turns into the form (htmx); without JavaScript the page opens with that row in edit mode.</summary>
    public async Task<IActionResult> OnGetEditAsync(int id, long txId, CancellationToken cancellationToken)
    {
        if (!await LoadPortfolioAsync(id, cancellationToken))
        {
            return NotFound();
        }
        var tx = await transactions.FindAsync(UserId, id, txId, cancellationToken);
        if (tx is null)
        {
            return NotFound();
        }
        if (!WantsFragment)
        {
            return Redirect(PageUrl(id) + (Query.Length == 0 ? "?" : Query + "&") + "edit=" + txId.ToString(CultureInfo.InvariantCulture));
        }
        return Partial("_TransactionEditRow", EditForm(tx.Id, TransactionForm.From(tx)));
    }

    /// <summary>Cancel an edit: the row as it was.</summary>
    public async Task<IActionResult> OnGetRowAsync(int id, long txId, CancellationToken cancellationToken)
    {
        if (!await LoadPortfolioAsync(id, cancellationToken))
        {
            return NotFound();
        }
        var tx = await transactions.FindAsync(UserId, id, txId, cancellationToken);
        return tx is null ? NotFound() : Partial("_TransactionRow", new TransactionRowView(id, tx, Query));
    }

    public async Task<IActionResult> OnPostAddAsync(int id, CancellationToken cancellationToken)
    {
        if (!await LoadPortfolioAsync(id, cancellationToken))
        {
            return NotFound();
        }
        var (input, parseError) = Input.ToInput();
        var outcome = parseError is null ? await transactions.AddAsync(UserId, id, input, cancellationToken) : null;
        if (outcome is { Found: false })
        {
            return NotFound();
        }
        var error = parseError ?? outcome!.Error;
        if (error is not null)
        {
            var form = NewForm(Input, error);
            return WantsFragment ? Partial("_TransactionForm", form) : await FullPageAsync(cancellationToken, addForm: form);
        }
        var message = L["Transaction saved."].Value;
        if (!WantsFragment)
        {
            TempData["Status"] = message;
            return Redirect(PageUrl(id) + Query);
        }
        // A fresh form (same type and date, ready for the next line of the statement), the list with the new row, a status.
        var next = new TransactionForm { Type = Input.ChosenType.ToString(), Date = Input.Date };
        await LoadListAsync(cancellationToken, oob: true);
        return Partial("_TransactionAdded", (NewForm(next), List, message));
    }

    public async Task<IActionResult> OnPostUpdateAsync(int id, long txId, CancellationToken cancellationToken)
    {
        if (!await LoadPortfolioAsync(id, cancellationToken))
        {
            return NotFound();
        }
        var (input, parseError) = Input.ToInput();
        var outcome = parseError is null ? await transactions.UpdateAsync(UserId, id, txId, input, cancellationToken) : null;
        if (outcome is { Found: false } || (parseError is not null && await transactions.FindAsync(UserId, id, txId, cancellationToken) is null))
        {
            return NotFound();
        }
        var error = parseError ?? outcome!.Error;
        if (error is not null)
        {
            var form = EditForm(txId, Input, error);
            return WantsFragment ? Partial("_TransactionEditRow", form) : await FullPageAsync(cancellationToken, editingId: txId, editForm: form);
        }
        var message = L["Transaction saved."].Value;
        if (!WantsFragment)
        {
            TempData["Status"] = message;
            return Redirect(PageUrl(id) + Query);
        }
        // The date may have moved it: the whole list, in order.
        Response.Htmx(h => h.Retarget("#tx-list").Reswap("outerHTML"));
        await LoadListAsync(cancellationToken);
        return Partial("_TransactionList", List);
    }

    public async Task<IActionResult> OnPostDeleteAsync(int id, long txId, CancellationToken cancellationToken)
    {
        if (!await LoadPortfolioAsync(id, cancellationToken))
        {
            return NotFound();
        }
        var outcome = await transactions.DeleteAsync(UserId, id, txId, cancellationToken);
        if (!outcome.Found)
        {
            return NotFound();
        }
        if (outcome.Error is { } error)
        {
            // In place: the row stays, with why it cannot go (the later sell that needs its shares).
            if (!WantsFragment)
            {
                return await FullPageAsync(cancellationToken, errorRowId: txId, rowError: error.Message.In(L));
            }
            var tx = await transactions.FindAsync(UserId, id, txId, cancellationToken);
            if (tx is null)
            {
                return NotFound();
            }
            Response.Htmx(h => h.Retarget("#tx-" + txId.ToString(CultureInfo.InvariantCulture)).Reswap("outerHTML"));
            return Partial("_TransactionRow", new TransactionRowView(id, tx, Query, error.Message.In(L)));
        }
        if (!WantsFragment)
        {
            TempData["Status"] = L["Transaction deleted."].Value;
            return Redirect(PageUrl(id) + Query);
        }
        await LoadListAsync(cancellationToken);
        return Partial("_TransactionList", List);
    }

    /// <summary>The effect on the holding before saving (nothing is stored): a fragment as the user types, or the page with it.</summary>
    public async Task<IActionResult> OnPostPreviewAsync(int id, long? txId, CancellationToken cancellationToken)
    {
        if (!await LoadPortfolioAsync(id, cancellationToken))
        {
            return NotFound();
        }
        var (input, parseError) = Input.ToInput();
        var outcome = parseError is null ? await transactions.PreviewAsync(UserId, id, txId, input, cancellationToken) : null;
        if (outcome is { Found: false })
        {
            return NotFound();
        }
        var previewError = parseError ?? outcome?.Error;
        var preview = outcome?.Value;
        if (WantsFragment)
        {
            return Partial("_TransactionPreview", new TransactionPreviewView(preview, previewError, Input.ChosenType));
        }
        return txId is { } editing
            ? await FullPageAsync(cancellationToken, editingId: editing, editForm: EditForm(editing, Input, preview: preview, previewError: previewError))
            : await FullPageAsync(cancellationToken, addForm: NewForm(Input, preview: preview, previewError: previewError));
    }
}

/// <summary>What the preview box shows: the effect, or why there is none.</summary>
public sealed record TransactionPreviewView(TransactionPreview? Preview, FieldError? Error, TransactionType Type);
