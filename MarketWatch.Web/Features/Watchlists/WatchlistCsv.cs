using MarketWatch.Web.Features.Market;
using System.Globalization;
using System.Text;
using MarketWatch.Web.Features.Market.Import;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Watchlists;

public sealed record WatchlistImportReport(int Rows, int Added, int Updated, IReadOnlyList<ImportError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// Watchlists as CSV (<c>ticker,note,target_price</c>): export in the list's order; import checks every row first
/// (unknown or inactive tickers, notes, targets, the list limit) and changes nothing when one row is wrong.
/// Imported tickers already in the list get the file's note and target.
/// </summary>
public sealed class WatchlistCsv(DbContext db, IOptions<WatchlistOptions> options, TimeProvider clock)
{
    public static string Export(IEnumerable<WatchlistRow> rows)
    {
        var csv = new StringBuilder("ticker,note,target_price\n");
        foreach (var row in rows.OrderBy(r => r.Position))
        {
            csv.Append(row.Ticker).Append(',').Append(Quote(row.Note)).Append(',')
                .Append(row.TargetPrice?.ToString("0.####", CultureInfo.InvariantCulture)).Append('\n');
        }
        return csv.ToString();
    }

    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    /// <summary>Quoted when needed (RFC 4180); a note that a spreadsheet would run as a formula gets a leading apostrophe.</summary>
    private static string Quote(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        if (FormulaStarts.Contains(value[0]))
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    /// <summary>Undoes the export's apostrophe, so a note survives export and import unchanged.</summary>
    private static string Unquote(string note) =>
        note.Length > 1 && note[0] == '\'' && FormulaStarts.Contains(note[1]) ? note[1..] : note;

    public async Task<WatchlistImportReport?> ImportAsync(string userId, int watchlistId, TextReader reader, CancellationToken cancellationToken)
    {
        var list = await db.Set<Watchlist>().Include(w => w.Items).ThenInclude(i => i.Instrument)
            .SingleOrDefaultAsync(w => w.Id == watchlistId && w.UserId == userId, cancellationToken);
        if (list is null)
        {
            return null;
        }
        var (records, unclosed) = ParseCsv(await reader.ReadToEndAsync(cancellationToken));
        if (unclosed is { } badLine)
        {
            return new WatchlistImportReport(records.Count, 0, 0, [new ImportError(badLine, [new Text("A quoted field is not closed.")])]);
        }
        if (records.Count == 0)
        {
            return new WatchlistImportReport(0, 0, 0, [new ImportError(1, [new Text("The file is empty.")])]);
        }
        var header = records[0].Fields.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var ticker = Array.IndexOf(header, "ticker");
        var note = Array.IndexOf(header, "note");
        var target = Array.IndexOf(header, "target_price") is var t and >= 0 ? t : Array.IndexOf(header, "target");
        if (ticker < 0)
        {
            return new WatchlistImportReport(0, 0, 0, [new ImportError(1, [new Text("Missing columns: {0}. Expected: ticker,note,target_price.", "ticker")])]);
        }
        var instruments = await db.Instruments.AsNoTracking().ToDictionaryAsync(i => i.Ticker, StringComparer.OrdinalIgnoreCase, cancellationToken);
        var errors = new List<ImportError>();
        var rows = new List<(int InstrumentId, string? Note, decimal? Target)>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (line, fields) in records.Skip(1).Where(r => r.Fields.Any(f => f.Trim().Length > 0)))
        {
            string Field(int index) => index >= 0 && index < fields.Count ? fields[index].Trim() : "";
            var problems = new List<Text>();
            var symbol = Field(ticker).ToUpperInvariant();
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
            if (Field(target).Length > 0)
            {
                if (decimal.TryParse(Field(target), NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed))
                {
                    price = parsed;
                }
                else
                {
                    problems.Add(new Text("The target price '{0}' is not a number.", Field(target)));
                }
            }
            var text = Field(note).Length > 0 ? Unquote(Field(note)) : null;
            if (Watchlists.ItemError(text, price) is { } itemError)
            {
                problems.Add(itemError.Message);
            }
            if (problems.Count > 0)
            {
                errors.Add(new ImportError(line, problems));
                continue;
            }
            rows.Add((instrument!.Id, text, price));
        }
        var existing = list.Items.ToDictionary(i => i.InstrumentId);
        var added = rows.Count(r => !existing.ContainsKey(r.InstrumentId));
        if (errors.Count == 0 && existing.Count + added > options.Value.MaxItemsPerList)
        {
            errors.Add(new ImportError(1, [new Text("This list has reached the limit of {0} instruments.", options.Value.MaxItemsPerList)]));
        }
        if (errors.Count > 0)
        {
            return new WatchlistImportReport(records.Count - 1, 0, 0, errors);
        }
        var position = list.Items.Count == 0 ? 0 : list.Items.Max(i => i.Position) + 1;
        foreach (var (instrumentId, text, price) in rows)
        {
            if (existing.TryGetValue(instrumentId, out var item))
            {
                item.Note = text;
                item.TargetPrice = price;
            }
            else
            {
                list.Items.Add(new WatchlistItem { InstrumentId = instrumentId, Note = text, TargetPrice = price, Position = position++, AddedAt = clock.GetUtcNow() });
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        return new WatchlistImportReport(records.Count - 1, added, rows.Count - added, []);
    }

    /// <summary>
    /// RFC 4180: a field that starts with a quote may hold commas, doubled quotes and line breaks; a quote anywhere
    /// else is a plain character. Each record keeps its first line number; an unclosed quote is reported by line.
    /// </summary>
    public static (List<(int Line, List<string> Fields)> Records, int? Unclosed) ParseCsv(string text)
    {
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var line = 1;
        var recordLine = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add((recordLine, fields));
                fields = [];
                recordLine = ++line;
            }
            else if (c != '\r')
            {
                field.Append(c);
            }
        }
        if (quoted)
        {
            return (records, recordLine);
        }
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add((recordLine, fields));
        }
        return (records, null);
    }
}
