using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Trading;

/// <summary>
/// <c>/paper/{id}</c>: one paper account. Summary, holdings, open orders and history are live over
/// <c>/stream/paper/{id}</c>; the order ticket, cancel and modify, reset (confirmed) and the settings post here and work
/// without JS. Another user's account is a 404.
/// </summary>
public sealed class AccountModel(
    PaperAccounts accounts,
    OrderEntry entry,
    NotificationSettings notificationSettings,
    IAntiforgery antiforgery,
    UserManager<ApplicationUser> users,
    IStringLocalizer<SharedResource> L) : PageModel, ITicketPage
{
    public sealed class SettingsForm
    {
        public bool OnLeaderboard { get; set; }
        public string? DisplayName { get; set; }
        public Channel[]? Channels { get; set; }
    }

    public sealed class ModifyForm
    {
        public long? Quantity { get; set; }
        public decimal? LimitPrice { get; set; }
        public decimal? StopPrice { get; set; }
    }

    [BindProperty]
    public OrderForm Order { get; set; } = new();

    public SettingsForm Settings { get; private set; } = new();

    public PaperLiveState Live { get; private set; } = null!;
    public PaperAccountView View => Live.Account!;
    public List<PaperRun> Runs { get; private set; } = [];
    public IReadOnlyList<AccountChoice> Accounts { get; private set; } = [];
    public string TicketAction => $"/paper/{View.Account.Id}?handler=Order";
    public bool FixedTicker => false;
    public IReadOnlyDictionary<Channel, Text> Unavailable { get; private set; } = new Dictionary<Channel, Text>();
    /// <summary>The form token the live fragments' forms carry (they are also rendered by the stream, which cannot set it).</summary>
    public string Token { get; private set; } = "";
    /// <summary>A modification the server refused: its order, message, field, and what was typed in each field.</summary>
    public (long OrderId, string Message, string Field, IReadOnlyDictionary<string, string> Typed)? ModifyError { get; private set; }
    /// <summary>Which form a refused post came from: it opens with its errors.</summary>
    public string? Failed { get; private set; }

    private string UserId => users.GetUserId(User)!;

    public async Task<IActionResult> OnGetAsync(int id, string? ticker, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        Order.Ticker = ticker?.Trim().ToUpperInvariant();
        return Page();
    }

    public async Task<IActionResult> OnPostOrderAsync(int id, CancellationToken cancellationToken)
    {
        TicketFields.LocalizeBinding(ModelState, "Order.", L);
        if (ModelState.IsValid)
        {
            var outcome = await entry.PlaceAsync(UserId, id, Order.ToInput(), cancellationToken);
            if (!outcome.Found)
            {
                return NotFound();
            }
            if (outcome is { Value: { } order })
            {
                TempData["Status"] = OrderPlaced(order, L);
                return RedirectToPage("/Trading/Account", new { id });
            }
            TicketFields.Add(ModelState, outcome.Error!, L);
        }
        Failed = "order";
        return await PageAgainAsync(id, cancellationToken);
    }

    public async Task<IActionResult> OnPostCancelAsync(int id, long orderId, CancellationToken cancellationToken)
    {
        var outcome = await entry.CancelAsync(UserId, orderId, cancellationToken);
        if (!outcome.Found)
        {
            return NotFound();
        }
        TempData["Status"] = outcome.Error is { } error ? error.Message.In(L) : L["Order cancelled."].Value;
        return RedirectToPage("/Trading/Account", new { id });
    }

    public async Task<IActionResult> OnPostModifyAsync(int id, long orderId, [Bind(Prefix = "Modify")] ModifyForm modify, CancellationToken cancellationToken)
    {
        TicketFields.LocalizeBinding(ModelState, "Modify.", L);
        if (ModelState.IsValid)
        {
            var outcome = await entry.ModifyAsync(UserId, orderId, new OrderChange(modify.Quantity, modify.LimitPrice, modify.StopPrice), cancellationToken);
            if (!outcome.Found)
            {
                return NotFound();
            }
            if (outcome.Error is null)
            {
                TempData["Status"] = L["Order modified."].Value;
                return RedirectToPage("/Trading/Account", new { id });
            }
            ModifyError = (orderId, outcome.Error.Message.In(L), outcome.Error.Field, ModifyTyped());
        }
        else
        {
            var bad = ModifyFields.FirstOrDefault(f => ModelState.TryGetValue("Modify." + f, out var e) && e.Errors.Count > 0) ?? "";
            ModifyError = (orderId, ModelState.TryGetValue("Modify." + bad, out var entryState) && entryState.Errors.Count > 0 ? entryState.Errors[0].ErrorMessage : L["Check the values."], bad,
                ModifyTyped());
        }
        return await PageAgainAsync(id, cancellationToken);
    }

    private static readonly string[] ModifyFields = ["Quantity", "LimitPrice", "StopPrice"];

    /// <summary>The modify form's fields as posted (the text, so a refused value comes back as typed; 40 characters at most).</summary>
    private Dictionary<string, string> ModifyTyped() =>
        ModifyFields.Where(f => Request.Form.ContainsKey("Modify." + f))
            .ToDictionary(f => f, f => Request.Form["Modify." + f].ToString() is var typed && typed.Length > 40 ? typed[..40] : typed);

    public async Task<IActionResult> OnPostResetAsync(int id, CancellationToken cancellationToken)
    {
        var outcome = await accounts.ResetAsync(UserId, id, cancellationToken);
        if (!outcome.Found)
        {
            return NotFound();
        }
        TempData["Status"] = outcome is { Value: { } run }
            ? L["Account reset with its starting cash. Run {0} ended at {1} ({2}); it is kept under past runs.", Format.Count(run.Run),
                PortfolioFormat.Mad(run.EndingEquity, L), PaperText.Return(run.Return)].Value
            : outcome.Error!.Message.In(L);
        return RedirectToPage("/Trading/Account", new { id });
    }

    public async Task<IActionResult> OnPostDeleteAsync(int id, CancellationToken cancellationToken)
    {
        var name = (await accounts.NamesAsync(UserId, cancellationToken)).Where(a => a.Id == id).Select(a => a.Name).FirstOrDefault();
        if (name is null || !await accounts.DeleteAsync(UserId, id, cancellationToken))
        {
            return NotFound();
        }
        TempData["Status"] = L["Paper account {0} deleted.", name].Value;
        return RedirectToPage("/Trading/Index");
    }

    public async Task<IActionResult> OnPostSettingsAsync(int id, [Bind(Prefix = "Settings")] SettingsForm settings, CancellationToken cancellationToken)
    {
        Settings = settings;
        if (ModelState.IsValid)
        {
            var unavailable = await notificationSettings.UnavailableChannelsAsync(UserId, cancellationToken);
            var outcome = await accounts.SettingsAsync(UserId, id,
                new PaperAccountSettings(Settings.OnLeaderboard, string.IsNullOrWhiteSpace(Settings.DisplayName) ? null : Settings.DisplayName.Trim(),
                    Settings.Channels ?? [], [.. unavailable.Keys]), cancellationToken);
            if (!outcome.Found)
            {
                return NotFound();
            }
            if (outcome.Error is null)
            {
                TempData["Status"] = L["Settings saved."].Value;
                return RedirectToPage("/Trading/Account", new { id });
            }
            ModelState.AddModelError(outcome.Error.Field is "DisplayName" or "Channels" or "OnLeaderboard" ? "Settings." + outcome.Error.Field : "Settings",
                outcome.Error.Message.In(L));
        }
        Failed = "settings";
        return await PageAgainAsync(id, cancellationToken);
    }

    /// <summary>"Buy order placed: 10 ATW at market." in the reader's language.</summary>
    public static string OrderPlaced(PaperOrder order, IStringLocalizer L) =>
        L["{0} order placed: {1} {2}, {3}.", PaperText.Side(order.Side, L), Format.Count(order.Quantity), order.Instrument?.Ticker ?? "",
            PaperText.Terms(order, L)].Value;

    private async Task<IActionResult> PageAgainAsync(int id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    private async Task<bool> LoadAsync(int id, CancellationToken cancellationToken)
    {
        Live = await PaperPages.LoadLiveAsync(HttpContext.RequestServices, UserId, id, cancellationToken);
        if (Live.Account is null)
        {
            return false;
        }
        Order.AccountId = id;
        Accounts = [new AccountChoice(id, View.Name)];
        if (Failed != "settings")
        {
            var a = View.Account;
            Settings = new SettingsForm { OnLeaderboard = a.OnLeaderboard, DisplayName = a.DisplayName, Channels = a.Channels };
        }
        Runs = await accounts.RunsAsync(UserId, id, cancellationToken) ?? [];
        Unavailable = await notificationSettings.UnavailableChannelsAsync(UserId, cancellationToken);
        Token = antiforgery.GetAndStoreTokens(HttpContext).RequestToken ?? "";
        return true;
    }
}
