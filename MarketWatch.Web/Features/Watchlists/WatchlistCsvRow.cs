using CsvHelper;

namespace MarketWatch.Web.Features.Watchlists;

/// <summary>A row of a watchlist file, as exported and imported: text, so that the import can say what is wrong with each value.</summary>
[CsvRecord]
public sealed partial record WatchlistCsvRow(
    [CsvColumn("ticker")] string Ticker,
    [CsvColumn("note", Optional = true)] string? Note,
    [CsvColumn("target_price", "target", Optional = true)] string? TargetPrice);

/// <summary>
/// A row of an exported watchlist: the three columns the import reads first (so a file goes back in as it came out,
/// and files written for the old three-column format still import), then what the user sees in the table.
/// </summary>
[CsvRecord]
public sealed partial record WatchlistCsvExportRow(
    [CsvColumn("ticker")] string Ticker,
    [CsvColumn("note")] string? Note,
    [CsvColumn("target_price")] string? TargetPrice,
    [CsvColumn("name")] string Name,
    [CsvColumn("last")] string? Last,
    [CsvColumn("change_percent")] string? ChangePercent,
    [CsvColumn("added_at")] string? AddedAt);
