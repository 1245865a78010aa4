namespace MarketWatch.Web.Features.Market.Ingest;

/// <summary>
/// When the provider gives no level for MASI, MarketWatch computes a capitalisation-weighted level from its own
/// prices: 10,000 × Σ(price × shares) / Σ(reference price × shares), the reference being the catalogue's closes of
/// 18 August 2025. It is labelled "computed" wherever it is shown.
/// </summary>
public static class ComputedIndex
{
    public const string Name = "MASI";
    public const decimal Base = 10_000m;

    public static IndexLevel? Compute(int indexId, IReadOnlyDictionary<int, Instrument> instruments, IEnumerable<Quote> quotes, DateTimeOffset time)
    {
        decimal now = 0, previous = 0, reference = 0;
        foreach (var quote in quotes)
        {
            if (!instruments.TryGetValue(quote.InstrumentId, out var instrument) || instrument.SharesForCap is not { } shares)
            {
                continue;
            }
            now += quote.Last * shares;
            previous += quote.PreviousClose * shares;
            reference += instrument.ReferencePrice * shares;
        }
        if (reference == 0)
        {
            return null;
        }
        var level = Math.Round(Base * now / reference, 2);
        var previousLevel = Math.Round(Base * previous / reference, 2);
        return IndexLevel.Of(indexId, level, previousLevel, time, "MarketWatch", computed: true);
    }
}
