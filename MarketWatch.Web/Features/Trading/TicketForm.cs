using MarketWatch.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Trading;

/// <summary>The order ticket's fields as the form posts them (the account page's and the stock page's ticket).</summary>
public sealed class OrderForm
{
    public int? AccountId { get; set; }
    public string? Ticker { get; set; }
    public OrderSide Side { get; set; } = OrderSide.Buy;
    public OrderType Type { get; set; } = OrderType.Limit;
    public long? Quantity { get; set; }
    public decimal? LimitPrice { get; set; }
    public decimal? StopPrice { get; set; }
    public OrderValidity Validity { get; set; } = OrderValidity.Day;
    public DateOnly? ExpiresOn { get; set; }

    /// <summary>What the service reads: prices that the chosen type does not use are not sent (a hidden field keeps its value).</summary>
    public OrderInput ToInput() => new(Ticker?.Trim().ToUpperInvariant(), Side, Type, Quantity,
        Type is OrderType.Limit or OrderType.StopLimit ? LimitPrice : null,
        Type is OrderType.Stop or OrderType.StopLimit ? StopPrice : null,
        Validity, Validity == OrderValidity.GoodTillDate ? ExpiresOn : null);
}

/// <summary>A paper account the ticket can send the order to.</summary>
public sealed record AccountChoice(int Id, string Name);

/// <summary>What the ticket partial needs from the page showing it.</summary>
public interface ITicketPage
{
    OrderForm Order { get; }
    IReadOnlyList<AccountChoice> Accounts { get; }
    /// <summary>Where the form posts (a normal form post without JS).</summary>
    string TicketAction { get; }
    /// <summary>The ticker is fixed (the stock page's ticket).</summary>
    bool FixedTicker { get; }
}

/// <summary>
/// The ticket's live check: the figures (<paramref name="Estimate"/>: of this order, with its amount, fees and total;
/// otherwise the stock's alone while the order is incomplete) and the refusals per field of <see cref="OrderForm"/>.
/// </summary>
public sealed record TicketCheckView(OrderCheck? Check, bool Estimate, IReadOnlyDictionary<string, string> Errors, OrderForm Order);

public static class TicketFields
{
    /// <summary>The fields whose errors the ticket shows next to them (the service names them after <see cref="OrderInput"/>).</summary>
    public static readonly string[] Names = ["AccountId", "Ticker", "Side", "Type", "Quantity", "LimitPrice", "StopPrice", "Validity", "ExpiresOn"];

    /// <summary>Adds a refusal to the page's model state under the ticket's field (or the form as a whole).</summary>
    public static void Add(ModelStateDictionary state, FieldError error, IStringLocalizer L) =>
        state.AddModelError(Names.Contains(error.Field) ? "Order." + error.Field : "", error.Message.In(L));

    /// <summary>
    /// Words the model binder's refusals ("10.5" or "abc" in a number field: its English "The value '…' is not valid
    /// for …") in the user's language: call it first in a handler, before any other error is added.
    /// </summary>
    public static void LocalizeBinding(ModelStateDictionary state, string prefix, IStringLocalizer L)
    {
        foreach (var (field, message) in new[] { ("Quantity", "Enter a whole number of shares, at least 1."), ("LimitPrice", "Enter a number."), ("StopPrice", "Enter a number.") })
        {
            if (state.TryGetValue(prefix + field, out var entry) && entry.Errors.Count > 0)
            {
                entry.Errors.Clear();
                entry.Errors.Add(L[message].Value);
            }
        }
    }

    /// <summary>The first error per ticket field (binding errors included: "abc" in a number field).</summary>
    public static Dictionary<string, string> Errors(ModelStateDictionary state)
    {
        var errors = new Dictionary<string, string>();
        foreach (var name in Names.Prepend(""))
        {
            var key = name.Length == 0 ? "" : "Order." + name;
            if (state.TryGetValue(key, out var entry) && entry.Errors.Count > 0)
            {
                errors[name] = entry.Errors[0].ErrorMessage;
            }
        }
        return errors;
    }
}
