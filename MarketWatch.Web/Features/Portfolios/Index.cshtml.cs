using MarketWatch.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// The user's portfolios as cards (value, day change, total return), creating one, renaming and deleting. Every change
/// goes through <see cref="PortfolioService"/>, which looks the portfolio up by (id, user): another user's is a 404.
/// </summary>
public sealed class IndexModel(
    PortfolioService portfolios,
    PortfolioHoldings holdings,
    FeeSchedules fees,
    IOptions<PortfolioOptions> options,
    UserManager<Accounts.ApplicationUser> users,
    IStringLocalizer<SharedResource> L) : PageModel
{
    public IReadOnlyList<(PortfolioSummary Summary, PortfolioSnapshot Snapshot)> Cards { get; private set; } = [];
    public FeeSchedule Fees { get; private set; } = FeeSchedule.Defaults;
    public int Limit => options.Value.MaxPerUser;
    public bool AtLimit => Cards.Count >= Limit;

    /// <summary>The card whose edit form was sent with a mistake: it opens again with the error.</summary>
    public int? EditId { get; private set; }
    public FieldError? EditError { get; private set; }
    /// <summary>What that edit form sent: it comes back with it, not with the stored values.</summary>
    public PortfolioInput? EditInput { get; private set; }
    /// <summary>The edit error is on the description (else on the name).</summary>
    public bool EditErrorOnDescription => EditError?.Field.Equals("description", StringComparison.OrdinalIgnoreCase) == true;

    [BindProperty]
    public string? Name { get; set; }
    [BindProperty]
    public string? Description { get; set; }
    [BindProperty]
    public bool AccountAtBank { get; set; }

    private string UserId => users.GetUserId(User)!;

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var cards = new List<(PortfolioSummary, PortfolioSnapshot)>();
        foreach (var summary in await portfolios.ListAsync(UserId, cancellationToken))
        {
            if (await holdings.GetAsync(UserId, summary.Id, cancellationToken) is { } snapshot)
            {
                cards.Add((summary, snapshot));
            }
        }
        Cards = cards;
        Fees = await fees.GetAsync(cancellationToken);
    }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var outcome = await portfolios.CreateAsync(UserId, new PortfolioInput(Name, Description, PortfolioKind.Real, AccountAtBank), cancellationToken);
        if (outcome.Error is { } error)
        {
            ModelState.AddModelError(error.Field.Equals("description", StringComparison.OrdinalIgnoreCase) ? nameof(Description) : nameof(Name), error.Message.In(L));
            await LoadAsync(cancellationToken);
            Response.StatusCode = error.LimitReached ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
            return Page();
        }
        return RedirectToPage("/Portfolios/Detail", new { id = outcome.Value!.Id });
    }

    public async Task<IActionResult> OnPostUpdateAsync(int id, string? name, string? description, bool accountAtBank, CancellationToken cancellationToken)
    {
        var outcome = await portfolios.UpdateAsync(UserId, id, new PortfolioInput(name, description, PortfolioKind.Real, accountAtBank), cancellationToken);
        if (!outcome.Found)
        {
            return NotFound();
        }
        if (outcome.Error is { } error)
        {
            EditId = id;
            EditError = error;
            EditInput = new PortfolioInput(name, description, PortfolioKind.Real, accountAtBank);
            // The page-level create form binds the same names: it stays empty.
            (Name, Description, AccountAtBank) = (null, null, false);
            foreach (var key in new[] { nameof(Name), nameof(Description), nameof(AccountAtBank) })
            {
                ModelState.Remove(key);
            }
            await LoadAsync(cancellationToken);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        TempData["Status"] = L["Portfolio saved."].Value;
        return RedirectToPage("/Portfolios/Index");
    }

    public async Task<IActionResult> OnPostDeleteAsync(int id, CancellationToken cancellationToken)
    {
        if (!await portfolios.DeleteAsync(UserId, id, cancellationToken))
        {
            return NotFound();
        }
        TempData["Status"] = L["Portfolio deleted."].Value;
        return RedirectToPage("/Portfolios/Index");
    }
}
