using System.Globalization;
using MarketWatch.Web.Infrastructure.Csv;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace MarketWatch.Web.Features.Market.Import;

/// <summary>
/// The outcome of an import: the first <see cref="ImportErrors.Shown"/> errors and how many there were, or the whole file
/// <see cref="Refused"/> (too large, too many rows) as a field error.
/// </summary>
public sealed record ImportReport(int Rows, int Imported, IReadOnlyList<ImportError> Errors, int ErrorCount, Text? Refused = null)
{
    public ImportReport(int rows, int imported, ImportErrors errors) : this(rows, imported, errors.First, errors.Count)
    {
    }

    public static ImportReport Refuse(int rows, Text reason) => new(rows, 0, [], 0, reason);

    public bool Succeeded => ErrorCount == 0 && Refused is null;
    public int MoreErrors => ErrorCount - Errors.Count;
}

/// <summary>
/// Daily OHLCV bars from a CSV file (<c>ticker,date,open,high,low,close,volume[,adjusted_close]</c>), for the admin
/// upload page and the <c>import-bars</c> command. Every row is checked first; one bad row and nothing is imported,
/// with a line-by-line report. Good files are upserted in one transaction.
/// </summary>
public sealed class BarImport(DbContext db, NpgsqlDataSource dataSource, IOptionsMonitor<CsvLimits> limits)
{
    /// <summary>The name of this import's <see cref="CsvLimits"/> (section <c>Market:Import</c>).</summary>
    public const string Limits = "bars";
    public CsvLimits Limit => limits.Get(Limits);
    private static readonly string[] Required = ["ticker", "date", "open", "high", "low", "close", "volume"];

    public async Task<ImportReport> ImportAsync(TextReader reader, CancellationToken cancellationToken)
    {
        var errors = new ImportErrors();
        int? unclosed = null;
        await using var csv = CsvUpload.Open(reader, line => unclosed = line);
        await csv.ReadHeaderAsync(cancellationToken);
        if (csv.Headers.Count == 0)
        {
            return new ImportReport(0, 0, ImportErrors.Of(new ImportError(1, [new Text("The file is empty.")])));
        }
        var missing = Required.Where(r => !csv.TryGetFieldIndex(r, out _)).ToList();
        if (missing.Count > 0)
        {
            return new ImportReport(0, 0, ImportErrors.Of(new ImportError(1, [new Text("Missing columns: {0}. Expected: ticker,date,open,high,low,close,volume[,adjusted_close].", string.Join(", ", missing))])));
        }

        var instruments = await db.Instruments.AsNoTracking().ToDictionaryAsync(i => i.Ticker, i => i.Id, StringComparer.OrdinalIgnoreCase, cancellationToken);
        var bars = new List<DailyBar>();
        var seen = new HashSet<(int, DateOnly)>();
        var line = 1;
        var rows = 0;
        while (await csv.ReadAsync(cancellationToken))
        {
            line = (int)csv.LineNumber;
            if (Limit.TooManyRows(++rows) is { } tooMany)
            {
                return ImportReport.Refuse(rows, tooMany);
            }
            if (unclosed is not null)
            {
                errors.Add(new ImportError(line, [new Text("A quoted field is not closed.")]));
                break;
            }
            if (csv.FieldCount < csv.Headers.Count)
            {
                errors.Add(new ImportError(line, [new Text("Expected {0} values, found {1}.", csv.Headers.Count, csv.FieldCount)]));
                continue;
            }
            var row = csv.GetRecord<BarCsvRow>();
            var rowErrors = new List<Text>();
            if (!instruments.TryGetValue(row.Ticker, out var instrumentId))
            {
                rowErrors.Add(new Text("Unknown ticker '{0}'.", row.Ticker));
            }
            if (!DateOnly.TryParseExact(row.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                rowErrors.Add(new Text("The date '{0}' is not YYYY-MM-DD.", row.Date));
            }
            decimal? Price(string text, string name)
            {
                if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value > 0)
                {
                    return value;
                }
                rowErrors.Add(new Text("{0} '{1}' is not a positive number.", name, text));
                return null;
            }
            var (o, h, l, c) = (Price(row.Open, "open"), Price(row.High, "high"), Price(row.Low, "low"), Price(row.Close, "close"));
            var adj = row.AdjustedClose is { Length: > 0 } adjusted ? Price(adjusted, "adjusted_close") : c;
            if (!long.TryParse(row.Volume, NumberStyles.Integer, CultureInfo.InvariantCulture, out var vol) || vol < 0)
            {
                rowErrors.Add(new Text("The volume '{0}' is not a whole number of 0 or more.", row.Volume));
            }
            if (o is { } oo && h is { } hh && l is { } ll && c is { } cc)
            {
                if (hh < Math.Max(oo, cc) || ll > Math.Min(oo, cc) || ll > hh)
                {
                    rowErrors.Add(new Text("High and low must enclose open and close."));
                }
            }
            if (rowErrors.Count == 0 && !seen.Add((instrumentId, day)))
            {
                rowErrors.Add(new Text("{0} {1} appears twice in the file.", row.Ticker, row.Date));
            }
            if (rowErrors.Count > 0)
            {
                errors.Add(new ImportError(line, rowErrors));
                continue;
            }
            bars.Add(new DailyBar
            {
                InstrumentId = instrumentId, Date = day, Open = o!.Value, High = h!.Value, Low = l!.Value, Close = c!.Value,
                AdjustedClose = adj!.Value, Volume = vol, Source = "CSV",
            });
        }
        if (errors.Count > 0 || bars.Count == 0)
        {
            return new ImportReport(rows, 0, errors.Count > 0 ? errors : ImportErrors.Of(new ImportError(line, [new Text("No rows to import.")])));
        }
        await UpsertAsync(bars, cancellationToken);
        return new ImportReport(rows, bars.Count, new ImportErrors());
    }

    private async Task UpsertAsync(IReadOnlyList<DailyBar> bars, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO daily_bars (instrument_id, date, open, high, low, close, adjusted_close, volume, source)
            SELECT * FROM unnest(@id, @date, @open, @high, @low, @close, @adjusted, @volume, @source)
            ON CONFLICT (instrument_id, date) DO UPDATE SET open = excluded.open, high = excluded.high, low = excluded.low,
                close = excluded.close, adjusted_close = excluded.adjusted_close, volume = excluded.volume, source = excluded.source
            """);
        void Add<T>(string name, NpgsqlDbType type, Func<DailyBar, T> value) => command.Parameters.AddArray(name, bars, value, type);
        Add("id", NpgsqlDbType.Integer, b => b.InstrumentId);
        Add("date", NpgsqlDbType.Date, b => b.Date);
        Add("open", NpgsqlDbType.Numeric, b => b.Open);
        Add("high", NpgsqlDbType.Numeric, b => b.High);
        Add("low", NpgsqlDbType.Numeric, b => b.Low);
        Add("close", NpgsqlDbType.Numeric, b => b.Close);
        Add("adjusted", NpgsqlDbType.Numeric, b => b.AdjustedClose);
        Add("volume", NpgsqlDbType.Bigint, b => b.Volume);
        Add("source", NpgsqlDbType.Text, b => b.Source);
        // One statement: it lands whole or not at all.
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
