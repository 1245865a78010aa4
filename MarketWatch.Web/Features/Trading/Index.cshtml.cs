using MarketWatch.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Trading;

/// <summary><c>/paper</c>: the user's paper accounts (cash, equity, P/L, return against the MASI, open orders) and the form that opens one.</summary>
public sealed class IndexModel(PaperAccounts accounts, UserManager<ApplicationUser> users, IOptions<TradingOptions> options, IStringLocalizer<SharedResource> L)
    : PageModel
{
    public sealed class OpenForm
    {
        public string? Name { get; set; }
        public decimal? StartingCash { get; set; }
    }

    [BindProperty]
    public OpenForm Open { get; set; } = new();

    public List<PaperAccountView> Accounts { get; private set; } = [];
    public TradingOptions Options => options.Value;

    private string UserId => users.GetUserId(User)!;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Open.StartingCash = Options.DefaultStartingCash;
        Accounts = await accounts.ListAsync(UserId, cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            var outcome = await accounts.OpenAsync(UserId, new PaperAccountInput(Open.Name?.Trim(), Open.StartingCash), cancellationToken);
            if (outcome is { Value: { } account })
            {
                TempData["Status"] = L["Paper account opened. Place your first order below."].Value;
                return RedirectToPage("/Trading/Account", new { id = account.Id });
            }
            if (outcome.Error is { } error)
            {
                ModelState.AddModelError(error.Field is "Name" or "StartingCash" ? "Open." + error.Field : "", error.Message.In(L));
            }
        }
        Accounts = await accounts.ListAsync(UserId, cancellationToken);
        return Page();
    }
}
