using MarketWatch.Web.Features.Market;
using System.Globalization;
using CsvHelper;
using MarketWatch.Web.Infrastructure.Csv;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Watchlists;

public sealed record WatchlistImportReport(int Rows, int Added, int Updated, IReadOnlyList<ImportError> Errors, int ErrorCount, Text? Refused = null)
{
    public WatchlistImportReport(int rows, int added, int updated, ImportErrors errors) : this(rows, added, updated, errors.First, errors.Count)
    {
    }

    public static WatchlistImportReport Refuse(int rows, Text reason) => new(rows, 0, 0, [], 0, reason);

    public bool Succeeded => ErrorCount == 0 && Refused is null;
    public int MoreErrors => ErrorCount - Errors.Count;
}

/// <summary>
/// Watchlists as CSV: export in the list's order (<c>ticker,note,target_price</c>, then name, last, change % and the
/// date added, which the import ignores); import checks every row first
/// (unknown or inactive tickers, notes, targets, the list limit) and changes nothing when one row is wrong.
/// Imported tickers already in the list get the file's note and target.
/// </summary>
public sealed class WatchlistCsv(DbContext db, IOptions<WatchlistOptions> options, IOptionsMonitor<CsvLimits> limits, TimeProvider clock)
{
    /// <summary>The name of this import's <see cref="CsvLimits"/> (section <c>Watchlists:Import</c>).</summary>
    public const string Limits = "watchlists";
    public CsvLimits Limit => limits.Get(Limits);

    public static string Export(IEnumerable<WatchlistRow> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, CsvWriterOptions.Default with { NewLine = "\n" }, leaveOpen: true))
        {
            csv.WriteRecords(rows.OrderBy(r => r.Position).Select(r => new WatchlistCsvExportRow(
                r.Ticker, Inert(r.Note), r.TargetPrice?.ToString("0.####", CultureInfo.InvariantCulture), Inert(r.Name) ?? "",
                r.Last?.ToString("0.####", CultureInfo.InvariantCulture), r.ChangePercent?.ToString("0.##", CultureInfo.InvariantCulture),
                r.AddedAt?.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))));
        }
        return text.ToString();
    }

    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    /// <summary>
    /// A note that a spreadsheet would run as a formula gets a leading apostrophe, and is left unquoted when it needs no
    /// quotes (CsvHelper's own injection escape would quote it, changing the file users already have).
    /// </summary>
    private static string? Inert(string? note) =>
        !string.IsNullOrEmpty(note) && FormulaStarts.Contains(note[0]) ? "'" + note : note;

    /// <summary>Undoes the export's apostrophe, so a note survives export and import unchanged.</summary>
    private static string Unquote(string note) =>
        note.Length > 1 && note[0] == '\'' && FormulaStarts.Contains(note[1]) ? note[1..] : note;

    public async Task<WatchlistImportReport?> ImportAsync(string userId, int watchlistId, TextReader reader, CancellationToken cancellationToken)
    {
        if (!await db.Set<Watchlist>().AnyAsync(w => w.Id == watchlistId && w.UserId == userId, cancellationToken))
        {
            return null;
        }
        int? unclosed = null;
        await using var csv = CsvUpload.Open(reader, line => unclosed = line);
        await csv.ReadHeaderAsync(cancellationToken);
        var rows = 0;
        WatchlistImportReport Unclosed(int line) => new(rows, 0, 0, ImportErrors.Of(new ImportError(line, [new Text("A quoted field is not closed.")])));
        if (unclosed is { } headerLine)
        {
            return Unclosed(headerLine);
        }
        if (csv.Headers.Count == 0)
        {
            return new WatchlistImportReport(0, 0, 0, ImportErrors.Of(new ImportError(1, [new Text("The file is empty.")])));
        }
        if (!csv.TryGetFieldIndex("ticker", out _))
        {
            return new WatchlistImportReport(0, 0, 0, ImportErrors.Of(new ImportError(1, [new Text("Missing columns: {0}. Expected: ticker,note,target_price.", "ticker")])));
        }
        var instruments = await db.Instruments.AsNoTracking().ToDictionaryAsync(i => i.Ticker, StringComparer.OrdinalIgnoreCase, cancellationToken);
        var errors = new ImportErrors();
        var valid = new List<(int InstrumentId, string? Note, decimal? Target)>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (await csv.ReadAsync(cancellationToken))
        {
            if (unclosed is { } line)
            {
                rows++;
                return Unclosed(line);
            }
            if (Enumerable.Range(0, csv.FieldCount).All(csv.IsEmpty))
            {
                continue;
            }
            if (Limit.TooManyRows(++rows) is { } tooMany)
            {
                return WatchlistImportReport.Refuse(rows, tooMany);
            }
            var row = csv.GetRecord<WatchlistCsvRow>();
            var problems = new List<Text>();
            var symbol = row.Ticker.ToUpperInvariant();
            instruments.TryGetValue(symbol, out var instrument);
            if (instrument is null)
            {
                problems.Add(new Text("Unknown ticker '{0}'.", symbol));
            }
            else if (!instrument.IsActive)
            {
                problems.Add(new Text("{0} is no longer traded and cannot be added.", symbol));
            }
            else if (!seen.Add(symbol))
            {
                problems.Add(new Text("{0} appears twice in the file.", symbol));
            }
            decimal? price = null;
            if (row.TargetPrice is { Length: > 0 } target)
            {
                if (decimal.TryParse(target, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed))
                {
                    price = parsed;
                }
                else
                {
                    problems.Add(new Text("The target price '{0}' is not a number.", target));
                }
            }
            var text = row.Note is { Length: > 0 } note ? Unquote(note) : null;
            if (WatchlistService.ItemError(text, price) is { } itemError)
            {
                problems.Add(itemError.Message);
            }
            if (problems.Count > 0)
            {
                errors.Add(new ImportError((int)csv.LineNumber, problems));
                continue;
            }
            valid.Add((instrument!.Id, text, price));
        }
        if (errors.Count > 0)
        {
            return new WatchlistImportReport(rows, 0, 0, errors);
        }
        // The file was read and checked above; what the list holds is read and changed under the user's item lock, so
        // an import and adds (or another import) at once cannot pass the limit together.
        var limit = WatchlistService.Items(options.Value);
        Dictionary<int, WatchlistItem> existing = [];
        var added = 0;
        var report = await limit.CheckAsync(db, userId,
            async () =>
            {
                existing = await db.Set<WatchlistItem>().Where(i => i.WatchlistId == watchlistId).ToDictionaryAsync(i => i.InstrumentId, cancellationToken);
                added = valid.Count(r => !existing.ContainsKey(r.InstrumentId));
                return added == 0 ? 0 : existing.Count + added;
            },
            error => new WatchlistImportReport(rows, 0, 0, ImportErrors.Of(new ImportError(1, [error.Message]))),
            async () =>
            {
                var position = existing.Count == 0 ? 0 : existing.Values.Max(i => i.Position) + 1;
                foreach (var (instrumentId, text, price) in valid)
                {
                    if (existing.TryGetValue(instrumentId, out var item))
                    {
                        item.Note = text;
                        item.TargetPrice = price;
                    }
                    else
                    {
                        db.Add(new WatchlistItem { WatchlistId = watchlistId, InstrumentId = instrumentId, Note = text, TargetPrice = price, Position = position++, AddedAt = clock.GetUtcNow() });
                    }
                }
                await db.SaveChangesAsync(cancellationToken);
                return (WatchlistImportReport?)null;
            }, cancellationToken);
        if (report is not null)
        {
            return report;
        }
        return new WatchlistImportReport(rows, added, valid.Count - added, new ImportErrors());
    }
}
