using MarketWatch.Web.Features.Portfolios;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Trading;

/// <summary>The account page's live parts as one read: the account, its live orders, its recent history and fills.</summary>
public sealed record PaperLiveState(PaperAccountView? Account, IReadOnlyList<PaperOrder> Open, IReadOnlyList<PaperOrder> History,
    ILookup<long, FillRow> Fills, long Time);

/// <summary>The summary (cash, reserved, equity, P/L, return vs MASI); <paramref name="Time"/> marks the read it comes from (data-time).</summary>
public sealed record PaperSummaryView(PaperAccountView View, long Time);

public sealed record PaperHoldingsView(PaperAccountView View, long Time);

/// <summary>The live orders; <paramref name="Editing"/> and <paramref name="Error"/>: a modification the server refused, shown in its row.</summary>
/// <paramref name="Token"/>: the antiforgery token its forms carry (the stream renders them too, after its response started).
/// <param name="Typed">After a refused modification, what was typed in its form per field (Quantity, LimitPrice,
/// StopPrice), shown again as typed, even when it is not a number.</param>
public sealed record OpenOrdersView(int AccountId, IReadOnlyList<PaperOrder> Orders, long Time, string Token, long? Editing = null, string? Error = null,
    string? ErrorField = null, IReadOnlyDictionary<string, string>? Typed = null);

public sealed record OrderHistoryView(int AccountId, IReadOnlyList<PaperOrder> Orders, ILookup<long, FillRow> Fills, long Time);

/// <summary>
/// The paper-trading pages' registrations and the pieces the pages and the stream share: <c>/paper</c> (accounts),
/// <c>/paper/{id}</c> (one account), <c>/paper/ticket</c> (the order ticket, also lazily loaded by the stock page) and
/// <c>/stream/paper/{id}</c>.
/// </summary>
public static class PaperPages
{
    public const string SummaryView = "/Features/Trading/_AccountSummary.cshtml";
    public const string HoldingsView = "/Features/Trading/_Holdings.cshtml";
    public const string OpenOrdersView = "/Features/Trading/_OpenOrders.cshtml";
    public const string HistoryView = "/Features/Trading/_OrderHistory.cshtml";

    /// <summary>How many finished orders (and fills) the account page shows.</summary>
    public const int HistoryTake = 50;
    public const int FillsTake = 200;

    public static IServiceCollection AddPaperPages(this IServiceCollection services)
    {
        services.AddSingleton<PaperAccountHub>();
        services.AddHostedService<PaperAccountListener>();
        return services;
    }

    public static IEndpointRouteBuilder MapPaperPages(this IEndpointRouteBuilder app) => app.MapPaperStreams();

    /// <summary>The account's live parts now (null account: not the user's, or gone).</summary>
    public static async Task<PaperLiveState> LoadLiveAsync(IServiceProvider services, string userId, int accountId, CancellationToken cancellationToken)
    {
        var time = services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();
        var account = await services.GetRequiredService<PaperAccounts>().GetAsync(userId, accountId, cancellationToken);
        if (account is null)
        {
            return new PaperLiveState(null, [], [], Array.Empty<FillRow>().ToLookup(f => f.OrderId), time);
        }
        var queries = services.GetRequiredService<OrderQueries>();
        var open = await queries.OpenAsync(userId, accountId, cancellationToken) ?? [];
        var history = await queries.HistoryAsync(userId, accountId, HistoryTake, cancellationToken) ?? [];
        var fills = await queries.FillsAsync(userId, accountId, FillsTake, cancellationToken) ?? [];
        return new PaperLiveState(account, open, history, fills.ToLookup(f => f.OrderId), time);
    }

    /// <summary>
    /// A fragment's data-time: a stamp of what it shows, not of when it was read. The state sent again when the stream
    /// connects carries the same stamp and the page skips it (live.js), so an open modify row is not redrawn for nothing.
    /// </summary>
    public static long Stamp(string content) =>
        (long)(BitConverter.ToUInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content))) >> 12);

    private static string Join<T>(IEnumerable<T> items, Func<T, string> part) => string.Join(";", items.Select(part));

    public static long SummaryStamp(PaperAccountView v) => Stamp(FormattableString.Invariant(
        $"{v.Account.Run}|{v.Account.Cash}|{v.Account.ReservedCash}|{v.Equity}|{v.ProfitLoss}|{v.Return}|{v.MasiReturn}|{v.Snapshot.HoldingsValue}|{v.Account.StartingCash}"));

    public static long HoldingsStamp(PaperAccountView v) =>
        Stamp(Join(v.Snapshot.Holdings, h => FormattableString.Invariant($"{h.Ticker}|{h.Quantity}|{h.AverageCost}|{h.Last}|{h.MarketValue}|{h.UnrealizedPnl}")));

    public static long OrdersStamp(IEnumerable<PaperOrder> orders) =>
        Stamp(Join(orders, o => FormattableString.Invariant($"{o.Id}|{o.State}|{o.Quantity}|{o.FilledQuantity}|{o.LimitPrice}|{o.StopPrice}|{o.UpdatedAt.UtcTicks}")));

    public static long HistoryStamp(IEnumerable<PaperOrder> orders, ILookup<long, FillRow> fills) =>
        Stamp(OrdersStamp(orders).ToString(System.Globalization.CultureInfo.InvariantCulture) + "|" + fills.Sum(g => g.Count()));

    /// <summary>Every live fragment of the account page: (sse event name, view, model).</summary>
    public static IEnumerable<(string Name, string View, object Model)> Fragments(PaperLiveState state, string token)
    {
        var account = state.Account!;
        var id = account.Account.Id;
        yield return ("paper-summary", SummaryView, new PaperSummaryView(account, SummaryStamp(account)));
        yield return ("paper-holdings", HoldingsView, new PaperHoldingsView(account, HoldingsStamp(account)));
        yield return ("paper-open", OpenOrdersView, new OpenOrdersView(id, state.Open, OrdersStamp(state.Open), token));
        yield return ("paper-history", HistoryView, new OrderHistoryView(id, state.History, state.Fills, HistoryStamp(state.History, state.Fills)));
    }
}

/// <summary>The words of paper trading's enums and reasons, in the reader's language.</summary>
public static class PaperText
{
    public static string Side(OrderSide side, IStringLocalizer L) => side == OrderSide.Buy ? L["Buy"] : L["Sell"];

    public static string Type(OrderType type, IStringLocalizer L) => type switch
    {
        OrderType.Market => L["Market"],
        OrderType.Limit => L["Limit"],
        OrderType.Stop => L["Stop"],
        _ => L["Stop-limit"],
    };

    public static string Validity(OrderValidity validity, IStringLocalizer L) => validity switch
    {
        OrderValidity.Day => L["Day"],
        OrderValidity.GoodTillDate => L["Good till date"],
        _ => L["Good till cancelled"],
    };

    public static string State(OrderState state, IStringLocalizer L) => state switch
    {
        OrderState.Pending => L["Waiting for the session"],
        OrderState.Open => L["Open"],
        OrderState.PartiallyFilled => L["Partially filled"],
        OrderState.Filled => L["Filled"],
        OrderState.Cancelled => L["Cancelled"],
        _ => L["Rejected"],
    };

    public static string Cancellation(CancelReason reason, IStringLocalizer L) => reason switch
    {
        CancelReason.User => L["Cancelled by you"],
        CancelReason.Expired => L["Expired"],
        CancelReason.Close => L["Cancelled at the close"],
        _ => L["Cancelled by a reset"],
    };

    /// <summary>Why an order ended other than filled, or null.</summary>
    public static string? Why(PaperOrder order, IStringLocalizer L) => order.State switch
    {
        OrderState.Rejected => order.RejectReason is { Length: > 0 } key ? L[key].Value : null,
        OrderState.Cancelled => order.CancelReason is { } reason ? Cancellation(reason, L) : null,
        _ => null,
    };

    /// <summary>The order's price terms: "Limit 95.10", "Stop 90.00 · limit 89.50", "Market".</summary>
    public static string Terms(PaperOrder order, IStringLocalizer L) => order.Type switch
    {
        OrderType.Limit => L["Limit {0}", Price(order.LimitPrice)],
        OrderType.Stop => L["Stop {0}", Price(order.StopPrice)],
        OrderType.StopLimit => L["Stop {0}, limit {1}", Price(order.StopPrice), Price(order.LimitPrice)],
        _ => L["Market"],
    };

    public static string Price(decimal? price) => Infrastructure.Localization.Format.Price(price);

    /// <summary>A fraction as a signed percent ("+1.25 %"), or "—".</summary>
    public static string Return(decimal? fraction) => PortfolioFormat.Fraction(fraction);
}
