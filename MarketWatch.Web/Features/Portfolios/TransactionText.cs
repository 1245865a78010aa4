using System.Globalization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>How transactions read on the pages: the type's name in the reader's language, quantities and ratios.</summary>
public static class TransactionText
{
    public static string Type(TransactionType type, IStringLocalizer L) => type switch
    {
        TransactionType.Buy => L["Buy"],
        TransactionType.Sell => L["Sell"],
        TransactionType.Dividend => L["Dividend"],
        TransactionType.Fee => L["Fee"],
        TransactionType.Deposit => L["Deposit"],
        TransactionType.Withdrawal => L["Withdrawal"],
        TransactionType.Split => L["Split"],
        TransactionType.Bonus => L["Bonus shares"],
        _ => type.ToString(),
    };

    /// <summary>A number of shares: whole shares without decimals, a fraction (a fund) with the decimals it has.</summary>
    public static string Quantity(decimal value) => value.ToString("#,0.####", CultureInfo.CurrentCulture);

    /// <summary>A ratio or an estimate as typed into a field: invariant digits, no grouping.</summary>
    public static string Number(decimal value) => TransactionForm.Invariant(value);
}
