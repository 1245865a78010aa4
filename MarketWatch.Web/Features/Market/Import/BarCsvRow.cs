using CsvHelper;

namespace MarketWatch.Web.Features.Market.Import;

/// <summary>A row of a bar file as written: text, so that the import can say what is wrong with each value.</summary>
[CsvRecord]
public sealed partial record BarCsvRow(
    string Ticker, string Date, string Open, string High, string Low, string Close, string Volume,
    [CsvColumn("adjusted_close", Optional = true)] string? AdjustedClose);
