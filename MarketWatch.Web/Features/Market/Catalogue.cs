using System.Globalization;
using System.Text;

namespace MarketWatch.Web.Features.Market;

/// <summary>The reference data shipped with the app (Data/Seed, copied from the exchange's public lists).</summary>
public static class Catalogue
{
    public static readonly DateOnly ReferenceDate = new(2025, 8, 18);

    public static IReadOnlyList<Instrument> Equities()
    {
        var lines = ReadLines("cse-equities.csv");
        var header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name);
        var (ticker, name, sector, isin, shares, close, cap) = (Col("ticker"), Col("name"), Col("sector"), Col("isin"),
            Col("shares_outstanding"), Col("reference_close_mad"), Col("market_cap_mad_bn"));
        var result = new List<Instrument>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split(',');
            var price = decimal.Parse(f[close], CultureInfo.InvariantCulture);
            long? known = f[shares].Length > 0 ? long.Parse(f[shares], CultureInfo.InvariantCulture) : null;
            long? estimated = known is null && f[cap].Length > 0
                ? (long)Math.Round(decimal.Parse(f[cap], CultureInfo.InvariantCulture) * 1_000_000_000m / price)
                : null;
            result.Add(new Instrument
            {
                Ticker = f[ticker],
                Name = f[name],
                Sector = f[sector],
                Isin = f[isin].Length > 0 ? f[isin] : null,
                SharesOutstanding = known,
                EstimatedShares = estimated,
                ReferencePrice = price,
                SearchText = SearchTextOf(f[ticker], f[name], f[isin]),
            });
        }
        return result;
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

    private static List<string> ReadLines(string file)
    {
        using var stream = typeof(Catalogue).Assembly.GetManifestResourceStream("MarketWatch.Seed." + file)
                           ?? throw new InvalidOperationException($"Seed file {file} is not embedded.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
    }
}
