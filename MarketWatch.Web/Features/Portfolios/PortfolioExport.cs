using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsvHelper;
using MarketWatch.Web.Features.Accounts;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>A transaction as exported to JSON (the API's transaction shape, with the amount and the ISIN).</summary>
public sealed record ExportedTransaction(TransactionType Type, DateOnly Date, TimeOnly? Time, string? Ticker, string? Isin, decimal? Quantity,
    decimal? Price, decimal Amount, decimal Fees, decimal Taxes, decimal? Ratio, string? Note);

/// <summary>A portfolio as exported to JSON.</summary>
public sealed record ExportedPortfolio(string Name, string Currency, string? Description, PortfolioKind Kind, bool AccountAtBank,
    DateTimeOffset CreatedAt);

/// <summary>The JSON export: the portfolio, when it was exported and every transaction, oldest first.</summary>
public sealed record PortfolioExportFile(ExportedPortfolio Portfolio, DateTimeOffset ExportedAt, IReadOnlyList<ExportedTransaction> Transactions);

/// <summary>
/// <c>/portfolios/{id}/export?format=csv|json</c>: every transaction of one of the user's portfolios as a download.
/// The CSV has the columns the import recognises (<c>date,time,type,ticker,quantity,price,amount,fees,taxes,ratio,note</c>),
/// invariant numbers and ISO dates, explicit fees and taxes, so it imports back to the same holdings; the JSON also holds
/// the portfolio. Another user's portfolio is a 404.
/// </summary>
public static class PortfolioExport
{
    public static readonly string[] Columns = ["date", "time", "type", "ticker", "quantity", "price", "amount", "fees", "taxes", "ratio", "note"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static IEndpointRouteBuilder MapPortfolioExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/portfolios/{id:int}/export", async (int id, string? format, HttpContext http, PortfolioService portfolios,
                PortfolioTransactions transactions, TimeProvider clock, CancellationToken ct) =>
            {
                var kind = (format ?? "csv").ToLowerInvariant();
                if (kind is not ("csv" or "json"))
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "format must be csv or json");
                }
                var userId = http.UserIdOf();
                if (await portfolios.FindAsync(userId, id, ct) is not { } portfolio
                    || await transactions.ListAsync(userId, id, null, ct) is not { } list)
                {
                    return Results.NotFound();
                }
                var now = clock.GetUtcNow();
                var name = $"portfolio-{Slug(portfolio.Name, portfolio.Id)}-{now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.{kind}";
                var ordered = Ledger.Order(list).ToList();
                return kind == "csv"
                    ? Results.File(Encoding.UTF8.GetBytes(Csv(ordered)), "text/csv; charset=utf-8", name)
                    : Results.File(JsonSerializer.SerializeToUtf8Bytes(File(portfolio, ordered, now), Json), "application/json", name);
            })
            .RequireAuthorization()
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>A file-name-safe form of the portfolio's name (letters and digits, dashes between), or its id.</summary>
    public static string Slug(string name, int id)
    {
        var slug = string.Join('-', new string(name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : ' ').ToArray())
            .Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length > 0 ? slug[..Math.Min(slug.Length, 40)].Trim('-') : id.ToString(CultureInfo.InvariantCulture);
    }

    public static PortfolioExportFile File(Portfolio portfolio, IEnumerable<PortfolioTransaction> transactions, DateTimeOffset now) => new(
        new ExportedPortfolio(portfolio.Name, portfolio.Currency, portfolio.Description, portfolio.Kind, portfolio.AccountAtBank, portfolio.CreatedAt),
        now,
        transactions.Select(t => new ExportedTransaction(t.Type, t.Date, t.Time, t.Instrument?.Ticker, t.Instrument?.Isin,
            Trade(t.Type) ? t.Quantity : null, Trade(t.Type) ? t.Price : null, t.Amount, t.Fees, t.Taxes, t.Ratio, t.Note)).ToList());

    private static bool Trade(TransactionType type) => type is TransactionType.Buy or TransactionType.Sell or TransactionType.Dividend;

    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    /// <summary>The CSV, oldest first (pass them in <see cref="Ledger.Order"/>). A note a spreadsheet would run as a formula gets a leading apostrophe, which the import removes.</summary>
    public static string Csv(IEnumerable<PortfolioTransaction> transactions)
    {
        static string Number(decimal value) => value.ToString("0.########", CultureInfo.InvariantCulture);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, CsvWriterOptions.Default with { NewLine = "\n" }, leaveOpen: true))
        {
            csv.WriteHeader(Columns);
            foreach (var t in transactions)
            {
                var trade = Trade(t.Type);
                csv.WriteField(t.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                csv.WriteField(t.Time is { } time ? time.ToString(time.Second == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture) : "");
                csv.WriteField(t.Type.ToString());
                csv.WriteField(t.Instrument?.Ticker ?? "");
                csv.WriteField(trade ? Number(t.Quantity) : "");
                csv.WriteField(trade ? Number(t.Price) : "");
                csv.WriteField(trade || t.Amount != 0 ? Number(t.Amount) : "");
                csv.WriteField(Number(t.Fees));
                csv.WriteField(Number(t.Taxes));
                csv.WriteField(t.Ratio is { } ratio ? Number(ratio) : "");
                csv.WriteField(t.Note is { Length: > 0 } note && FormulaStarts.Contains(note[0]) ? "'" + note : t.Note ?? "");
                csv.EndRecord();
            }
        }
        return text.ToString();
    }
}
