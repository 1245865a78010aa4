using Htmx;
using MarketWatch.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Net.Http.Headers;

namespace MarketWatch.Web.Features.Trading;

/// <summary>
/// <c>/paper/ticket?ticker=X</c>: the order ticket on its own: the stock page loads it (htmx: the card alone) for a
/// signed-in user, and it is a page of its own without JS. Its <c>Check</c> handler is every ticket's live validation.
/// </summary>
public sealed class TicketModel(PaperAccounts accounts, OrderEntry entry, UserManager<ApplicationUser> users, IStringLocalizer<SharedResource> L)
    : PageModel, ITicketPage
{
    [BindProperty]
    public OrderForm Order { get; set; } = new();

    public IReadOnlyList<AccountChoice> Accounts { get; private set; } = [];
    public string TicketAction => "/paper/ticket";
    public bool FixedTicker { get; private set; }
    /// <summary>The card alone (the stock page's lazy load), without the layout.</summary>
    public bool Fragment { get; private set; }

    private string UserId => users.GetUserId(User)!;

    public async Task<IActionResult> OnGetAsync(string? ticker, int? account, CancellationToken cancellationToken)
    {
        Response.Headers.Append(HeaderNames.Vary, HtmxRequestHeaders.Keys.Request);
        Fragment = Request.IsHtmx();
        Order.Ticker = string.IsNullOrWhiteSpace(ticker) ? null : ticker.Trim().ToUpperInvariant();
        FixedTicker = Order.Ticker is not null;
        await LoadAsync(account, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        TicketFields.LocalizeBinding(ModelState, "Order.", L);
        await LoadAsync(Order.AccountId, cancellationToken);
        if (Order.AccountId is not { } accountId || Accounts.All(a => a.Id != accountId))
        {
            ModelState.AddModelError("Order.AccountId", L["Choose one of your paper accounts."]);
        }
        else if (ModelState.IsValid)
        {
            var outcome = await entry.PlaceAsync(UserId, accountId, Order.ToInput(), cancellationToken);
            if (outcome is { Value: { } order })
            {
                TempData["Status"] = AccountModel.OrderPlaced(order, L);
                return RedirectToPage("/Trading/Account", new { id = accountId });
            }
            if (outcome.Error is { } error)
            {
                TicketFields.Add(ModelState, error, L);
            }
        }
        return Page();
    }

    /// <summary>The live check as the user types: the figures, or the refusal by field. A field still empty is not yet an error.</summary>
    public async Task<IActionResult> OnPostCheckAsync(CancellationToken cancellationToken)
    {
        TicketFields.LocalizeBinding(ModelState, "Order.", L);
        OrderCheck? check = null;
        var estimate = false;
        if (Order.AccountId is { } accountId && ModelState.IsValid && !string.IsNullOrWhiteSpace(Order.Ticker))
        {
            var outcome = await entry.CheckAsync(UserId, accountId, Order.ToInput(), cancellationToken);
            if (!outcome.Found)
            {
                return NotFound();
            }
            check = outcome.Value;
            estimate = check is not null;
            if (outcome.Error is { } error)
            {
                if (!StillEmpty(error.Field))
                {
                    TicketFields.Add(ModelState, error, L);
                }
                // The order is not complete yet: the stock's own figures (reference, thresholds, tick, what is available)
                // are still shown, from a one-share market order of the same side.
                if (error.Field is not ("Ticker" or "AccountId" or "Side"))
                {
                    check = (await entry.CheckAsync(UserId, accountId, Order.ToInput() with
                    {
                        Type = OrderType.Market, Quantity = 1, LimitPrice = null, StopPrice = null, Validity = OrderValidity.Day, ExpiresOn = null,
                    }, cancellationToken)).Value;
                }
            }
            // What placing it would refuse for want of cash or shares, said before the user sends it.
            if (estimate && check is { } c && Order.Side == OrderSide.Buy && c.Total > c.AvailableCash)
            {
                ModelState.AddModelError("Order.Quantity", L["Not enough cash: about {0} needed, {1} available.",
                    Portfolios.PortfolioFormat.Mad(c.Total, L), Portfolios.PortfolioFormat.Mad(c.AvailableCash, L)]);
            }
            else if (estimate && check is { } s && Order.Side == OrderSide.Sell && Order.Quantity > s.AvailableShares)
            {
                ModelState.AddModelError("Order.Quantity", L["Only {0} shares of {1} are available to sell.", Infrastructure.Localization.Format.Count(s.AvailableShares), s.Ticker]);
            }
        }
        return Partial("_TicketCheck", new TicketCheckView(check, estimate, TicketFields.Errors(ModelState), Order));
    }

    /// <summary>A refusal about a field the user has not filled in yet (the quantity while the ticker is typed) waits.</summary>
    private bool StillEmpty(string field) => field switch
    {
        "Quantity" => Order.Quantity is null,
        "LimitPrice" => Order.LimitPrice is null,
        "StopPrice" => Order.StopPrice is null,
        "ExpiresOn" => Order.ExpiresOn is null,
        _ => false,
    };

    private async Task LoadAsync(int? account, CancellationToken cancellationToken)
    {
        Accounts = (await accounts.NamesAsync(UserId, cancellationToken)).Select(a => new AccountChoice(a.Id, a.Name)).ToList();
        Order.AccountId = account is { } chosen && Accounts.Any(a => a.Id == chosen) ? chosen : Accounts.FirstOrDefault()?.Id;
    }
}
