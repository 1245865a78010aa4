using System.Globalization;
using System.Text;
using CsvHelper;

namespace MarketWatch.Web.Features.Market;

/// <summary>The reference data shipped with the app (Data/Seed, copied from the exchange's public lists).</summary>
public static class Catalogue
{
    public static readonly DateOnly ReferenceDate = new(2025, 8, 18);

    public static IReadOnlyList<Instrument> Equities()
    {
        using var csv = CsvReader.Create(Open("cse-equities.csv"), CsvReaderOptions.Default with { Separator = ',' });
        return csv.GetRecords<EquityCsvRow>().Select(row => new Instrument
        {
            Ticker = row.Ticker,
            Name = row.Name,
            Sector = row.Sector,
            Isin = row.Isin.Length > 0 ? row.Isin : null,
            SharesOutstanding = row.SharesOutstanding,
            // The exchange publishes no share count for some companies: their market capitalisation gives an estimate.
            EstimatedShares = row.SharesOutstanding is null && row.MarketCapBillions is { } cap
                ? (long)Math.Round(cap * 1_000_000_000m / row.ReferenceClose)
                : null,
            ReferencePrice = row.ReferenceClose,
            SearchText = SearchTextOf(row.Ticker, row.Name, row.Isin),
        }).ToList();
    }

    public static IReadOnlyList<string> IndexNames() => ReadLines("cse-indices.txt").Where(l => l.Length > 0).ToList();

    /// <summary>Lower case without accents, so "societe" finds "Société" and "ATTIJ" finds "Attijariwafa".</summary>
    public static string Fold(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }
        return builder.ToString().Normalize(NormalizationForm.FormC);
    }

    public static string SearchTextOf(string ticker, string name, string? isin) => Fold($"{ticker} {name} {isin}").Trim();

    private static Stream Open(string file) =>
        typeof(Catalogue).Assembly.GetManifestResourceStream("MarketWatch.Seed." + file)
        ?? throw new InvalidOperationException($"Seed file {file} is not embedded.");

    private static List<string> ReadLines(string file)
    {
        using var reader = new StreamReader(Open(file), Encoding.UTF8);
        return reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
    }
}
