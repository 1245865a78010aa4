using MarketWatch.Web.Infrastructure;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// What the transaction form partial (<c>_TransactionForm</c>) needs, on the transactions page (add, edit in a row)
/// and on the "add a transaction" page. <paramref name="Key"/> makes its element ids unique ("new" or the id).
/// </summary>
public sealed record TransactionFormView(
    string Key,
    TransactionForm Values,
    string SaveUrl,
    string PreviewUrl,
    FieldError? Error = null,
    TransactionPreview? Preview = null,
    FieldError? PreviewError = null,
    string? CancelUrl = null,
    string? CancelHxUrl = null,
    string HxTarget = "this",
    IReadOnlyList<PortfolioSummary>? Portfolios = null,
    int? PortfolioId = null,
    string? HxInclude = null)
{
    private static readonly string[] Fields =
    [
        nameof(TransactionInput.Type), nameof(TransactionInput.Date), nameof(TransactionInput.Time), nameof(TransactionInput.Ticker),
        nameof(TransactionInput.Quantity), nameof(TransactionInput.Price), nameof(TransactionInput.Amount), nameof(TransactionInput.Fees),
        nameof(TransactionInput.Taxes), nameof(TransactionInput.Ratio), nameof(TransactionInput.Note), "PortfolioId",
    ];

    public bool Editing => Key != "new";

    /// <summary>The refusal when it concerns <paramref name="field"/>.</summary>
    public FieldError? ErrorFor(string field) =>
        Error is { } e && string.Equals(e.Field, field, StringComparison.OrdinalIgnoreCase) ? e : null;

    /// <summary>A refusal no single field owns (a later sell that would become impossible, a limit): shown above the fields.</summary>
    public FieldError? GeneralError =>
        Error is { } e && !Fields.Contains(e.Field, StringComparer.OrdinalIgnoreCase) ? e : null;

    public string Id(string field) => $"tx-{Key}-{field}";
}

/// <summary>One row of the list, with the refusal of its deletion when a later sell needs it.</summary>
/// <param name="ReadOnly">A paper account's fill: shown without edit and delete (only paper trading writes them).</param>
public sealed record TransactionRowView(int PortfolioId, PortfolioTransaction Transaction, string Query, string? Error = null, bool ReadOnly = false);

/// <summary>The list under the filters.</summary>
public sealed record TransactionListView(int PortfolioId, IReadOnlyList<PortfolioTransaction> Rows, int Total, bool Filtered, string Query,
    long? EditingId = null, TransactionFormView? EditForm = null, long? ErrorRowId = null, string? RowError = null, bool Oob = false, bool ReadOnly = false);
