using System.Globalization;
using Htmx;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// "Add a transaction" from a stock page or a watchlist row (<c>/portfolios/add?ticker=IAM</c>): a user without a
/// portfolio creates one here; otherwise they choose the portfolio and fill the transaction form, prefilled with the
/// ticker, Buy, today's date and the last price. Saved, it goes to that portfolio's transactions.
/// </summary>
public sealed class AddModel(
    PortfolioService portfolios,
    PortfolioTransactions transactions,
    FeeSchedules schedules,
    DbContext db,
    UserManager<Accounts.ApplicationUser> users,
    TimeProvider clock,
    IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "ticker")]
    public string? Ticker { get; set; }

    /// <summary>The portfolio chosen (a new one is preselected after it was created here).</summary>
    [BindProperty(SupportsGet = true, Name = "PortfolioId")]
    public int? PortfolioId { get; set; }

    [BindProperty]
    public TransactionForm Input { get; set; } = new();

    public List<PortfolioSummary> Portfolios { get; private set; } = [];
    public TransactionFormView Form { get; private set; } = null!;
    public FeeSchedule Schedule { get; private set; } = FeeSchedule.Defaults;
    public string? CreateError { get; private set; }
    public string? NewName { get; private set; }

    private string UserId => users.GetUserId(User)!;

    private string CleanTicker => (Ticker ?? "").Trim().ToUpperInvariant() is { Length: > 0 and <= 20 } t ? t : "";

    private string Back => CleanTicker.Length == 0 ? "" : "?ticker=" + Uri.EscapeDataString(CleanTicker);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Portfolios = (await portfolios.ListAsync(UserId, cancellationToken)).Where(p => p.Kind == PortfolioKind.Real).ToList();
        Schedule = await schedules.GetAsync(cancellationToken);
    }

    private TransactionFormView FormWith(TransactionForm values, FieldError? error = null, TransactionPreview? preview = null, FieldError? previewError = null) =>
        new("new", values, "/portfolios/add/save" + Back, "/portfolios/add/preview" + Back, error, preview, previewError,
            Portfolios: Portfolios, PortfolioId: PortfolioId is { } chosen && Portfolios.Any(p => p.Id == chosen) ? chosen : Portfolios.FirstOrDefault()?.Id);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        var ticker = CleanTicker;
        decimal? last = ticker.Length == 0 ? null : await db.Quotes
            .Where(q => db.Set<Instrument>().Any(i => i.Id == q.InstrumentId && (i.Ticker == ticker || i.Isin == ticker)))
            .Select(q => (decimal?)q.Last).FirstOrDefaultAsync(cancellationToken);
        var today = Market.Calendar.ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
        Form = FormWith(new TransactionForm
        {
            Type = nameof(TransactionType.Buy),
            Ticker = ticker.Length == 0 ? null : ticker,
            Date = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Price = last is { } price ? TransactionForm.Invariant(price) : null,
        });
        return Page();
    }

    /// <summary>No portfolio yet: create one by its name, then come back to the form with it chosen.</summary>
    public async Task<IActionResult> OnPostCreateAsync(string? name, CancellationToken cancellationToken)
    {
        var outcome = await portfolios.CreateAsync(UserId, new PortfolioInput(name, null), cancellationToken);
        if (outcome.Error is { } error)
        {
            CreateError = error.Message.In(L);
            NewName = name;
            return await OnGetAsync(cancellationToken);
        }
        var created = outcome.Value!;
        TempData["Status"] = L["Portfolio {0} created.", created.Name].Value;
        return Redirect("/portfolios/add" + (Back.Length == 0 ? "?" : Back + "&") + "PortfolioId=" + created.Id.ToString(CultureInfo.InvariantCulture));
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        var htmx = Request.IsHtmx();
        var (input, parseError) = Input.ToInput();
        if (PortfolioId is not { } portfolioId)
        {
            parseError ??= new FieldError("PortfolioId", new Text("Choose a portfolio."));
            portfolioId = 0;
        }
        var outcome = parseError is null ? await transactions.AddAsync(UserId, portfolioId, input, cancellationToken) : null;
        if (outcome is { Found: false })
        {
            return NotFound();
        }
        if ((parseError ?? outcome!.Error) is { } error)
        {
            Form = FormWith(Input, error);
            return htmx ? Partial("_TransactionForm", Form) : Page();
        }
        var name = Portfolios.FirstOrDefault(p => p.Id == portfolioId)?.Name ?? "";
        TempData["Status"] = L["Transaction saved in {0}.", name].Value;
        var next = $"/portfolios/{portfolioId}/transactions";
        if (htmx)
        {
            Response.Htmx(h => h.Redirect(next));
            return new EmptyResult();
        }
        return Redirect(next);
    }

    /// <summary>The effect on the chosen portfolio's holding before saving: the fragment as the user types, or the page.</summary>
    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        var (input, parseError) = Input.ToInput();
        Outcome<TransactionPreview>? outcome = null;
        if (parseError is null && PortfolioId is { } portfolioId)
        {
            outcome = await transactions.PreviewAsync(UserId, portfolioId, null, input, cancellationToken);
            if (!outcome.Found)
            {
                return NotFound();
            }
        }
        var previewError = parseError ?? outcome?.Error ?? (PortfolioId is null ? new FieldError("PortfolioId", new Text("Choose a portfolio.")) : null);
        if (Request.IsHtmx())
        {
            return Partial("_TransactionPreview", new TransactionPreviewView(outcome?.Value, previewError, Input.ChosenType));
        }
        Form = FormWith(Input, preview: outcome?.Value, previewError: previewError);
        return Page();
    }
}
