using CsvHelper;

namespace MarketWatch.Web.Features.Market;

/// <summary>A row of the exchange's list of equities (Data/Seed/cse-equities.csv), in the columns the catalogue reads.</summary>
[CsvRecord]
public sealed partial record EquityCsvRow(
    string Ticker, string Name, string Sector, string Isin,
    [CsvColumn("shares_outstanding")] long? SharesOutstanding,
    [CsvColumn("reference_close_mad")] decimal ReferenceClose,
    [CsvColumn("market_cap_mad_bn")] decimal? MarketCapBillions);
