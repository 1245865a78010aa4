using CsvHelper;

namespace MarketWatch.Web.Features.Watchlists;

/// <summary>A row of a watchlist file, as exported and imported: text, so that the import can say what is wrong with each value.</summary>
[CsvRecord]
public sealed partial record WatchlistCsvRow(
    [CsvColumn("ticker")] string Ticker,
    [CsvColumn("note", Optional = true)] string? Note,
    [CsvColumn("target_price", "target", Optional = true)] string? TargetPrice);
