using System.Globalization;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Localization;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// A transaction as the browser's form posts it (<c>Input.*</c>): strings, parsed here invariantly (number and date
/// inputs always send "12.5" and "2026-03-01", whatever the page's language), then narrowed to the fields the chosen
/// type uses, so a value typed under another type and hidden since is never saved.
/// </summary>
public sealed class TransactionForm
{
    public string? Type { get; set; }
    public string? Date { get; set; }
    public string? Time { get; set; }
    public string? Ticker { get; set; }
    public string? Quantity { get; set; }
    public string? Price { get; set; }
    public string? Amount { get; set; }
    public string? Fees { get; set; }
    public string? Taxes { get; set; }
    public string? Ratio { get; set; }
    public string? Note { get; set; }

    /// <summary>The type chosen, Buy when none or an unknown one was posted.</summary>
    public TransactionType ChosenType =>
        Enum.TryParse<TransactionType>(Type, ignoreCase: true, out var t) && Enum.IsDefined(t) ? t : TransactionType.Buy;

    public static bool UsesTicker(TransactionType t) => t is not (TransactionType.Deposit or TransactionType.Withdrawal or TransactionType.Fee);
    public static bool UsesQuantityAndPrice(TransactionType t) => t is TransactionType.Buy or TransactionType.Sell or TransactionType.Dividend;
    public static bool UsesAmount(TransactionType t) => t is TransactionType.Deposit or TransactionType.Withdrawal or TransactionType.Fee;
    public static bool UsesFees(TransactionType t) => t is TransactionType.Buy or TransactionType.Sell;
    /// <summary>Capital-gains tax on a sell (and on a buy, as the broker charged it), withholding on a dividend.</summary>
    public static bool UsesTaxes(TransactionType t) => t is TransactionType.Buy or TransactionType.Sell or TransactionType.Dividend;
    public static bool UsesRatio(TransactionType t) => t is TransactionType.Split or TransactionType.Bonus;

    /// <summary>The service's input, or the first field that could not be read (named as the service names its fields).</summary>
    public (TransactionInput Input, FieldError? Error) ToInput()
    {
        FieldError? error = null;
        TransactionType? type = null;
        if (!string.IsNullOrWhiteSpace(Type))
        {
            if (Enum.TryParse<TransactionType>(Type.Trim(), ignoreCase: true, out var t) && Enum.IsDefined(t) && !int.TryParse(Type, out _))
            {
                type = t;
            }
            else
            {
                error ??= new FieldError(nameof(TransactionInput.Type), new Text("Choose a type of transaction."));
            }
        }
        var chosen = type ?? TransactionType.Buy;

        DateOnly? date = null;
        if (!string.IsNullOrWhiteSpace(Date))
        {
            if (DateOnly.TryParseExact(Date.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                date = d;
            }
            else
            {
                error ??= new FieldError(nameof(TransactionInput.Date), new Text("The date '{0}' is not a date.", Text.Echo(Date)));
            }
        }
        TimeOnly? time = null;
        if (!string.IsNullOrWhiteSpace(Time))
        {
            if (TimeOnly.TryParseExact(Time.Trim(), ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            {
                time = t;
            }
            else
            {
                error ??= new FieldError(nameof(TransactionInput.Time), new Text("The time '{0}' is not a time.", Text.Echo(Time)));
            }
        }

        decimal? Number(string? text, string field)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }
            if (decimal.TryParse(text.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
            error ??= new FieldError(field, new Text("'{0}' is not a number.", Text.Echo(text)));
            return null;
        }

        var quantity = UsesQuantityAndPrice(chosen) ? Number(Quantity, nameof(TransactionInput.Quantity)) : null;
        var price = UsesQuantityAndPrice(chosen) ? Number(Price, nameof(TransactionInput.Price)) : null;
        var amount = UsesAmount(chosen) ? Number(Amount, nameof(TransactionInput.Amount)) : null;
        // Empty = the schedule's default (null); a type without fees or taxes says none (0).
        var fees = UsesFees(chosen) ? Number(Fees, nameof(TransactionInput.Fees)) : (UsesQuantityAndPrice(chosen) ? 0m : null);
        var taxes = UsesTaxes(chosen) ? Number(Taxes, nameof(TransactionInput.Taxes)) : null;
        var ratio = UsesRatio(chosen) ? Number(Ratio, nameof(TransactionInput.Ratio)) : null;
        var ticker = UsesTicker(chosen) && !string.IsNullOrWhiteSpace(Ticker) ? Ticker.Trim() : null;
        var note = string.IsNullOrWhiteSpace(Note) ? null : Note.Trim();

        return (new TransactionInput(type, date, time, ticker, quantity, price, amount, fees, taxes, ratio, note), error);
    }

    /// <summary>The form filled with a stored transaction (editing it).</summary>
    public static TransactionForm From(PortfolioTransaction t) => new()
    {
        Type = t.Type.ToString(),
        Date = t.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Time = t.Time?.ToString("HH:mm", CultureInfo.InvariantCulture),
        Ticker = t.Instrument?.Ticker,
        Quantity = UsesQuantityAndPrice(t.Type) ? Invariant(t.Quantity) : null,
        Price = UsesQuantityAndPrice(t.Type) ? Invariant(t.Price) : null,
        Amount = UsesAmount(t.Type) ? Invariant(t.Amount) : null,
        // A value the schedule supplied stays empty, so it stays the schedule's (recomputed for the edited amount or gain).
        Fees = UsesFees(t.Type) && !t.FeesDefaulted ? Invariant(t.Fees) : null,
        Taxes = UsesTaxes(t.Type) && !t.TaxesDefaulted ? Invariant(t.Taxes) : null,
        Ratio = t.Ratio is { } r ? Invariant(r) : null,
        Note = t.Note,
    };

    /// <summary>A number as a number input shows it: invariant, without trailing zeros.</summary>
    public static string Invariant(decimal value) => value.ToString("0.########", CultureInfo.InvariantCulture);

}
