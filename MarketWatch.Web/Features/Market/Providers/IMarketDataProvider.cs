namespace MarketWatch.Web.Features.Market.Providers;

[Flags]
public enum ProviderCapabilities
{
    None = 0,
    Quotes = 1,
    DailyHistory = 2,
    Search = 4,
    IndexLevels = 8,
    BidAsk = 16,
}

/// <summary>A quote as a provider gives it; missing fields are null and are filled in (or refused) by the ingest.</summary>
public sealed record ProviderQuote(
    string Ticker,
    decimal Last,
    DateTimeOffset Time,
    decimal? Open = null,
    decimal? High = null,
    decimal? Low = null,
    decimal? PreviousClose = null,
    long? Volume = null,
    decimal? ValueTraded = null,
    decimal? Bid = null,
    decimal? Ask = null);

public sealed record ProviderBar(
    string Ticker, DateOnly Date, decimal Open, decimal High, decimal Low, decimal Close, decimal? AdjustedClose, long Volume);

public sealed record ProviderIndexLevel(string Name, decimal Level, decimal? PreviousClose, DateTimeOffset Time);

public sealed record ProviderInstrument(string Ticker, string Name, string? Isin);

/// <summary>One poll's worth of data, with the rows that were skipped and why (shown on the feed-status page).</summary>
public sealed record ProviderSnapshot(
    IReadOnlyList<ProviderQuote> Quotes,
    IReadOnlyList<ProviderIndexLevel> Indices,
    IReadOnlyList<string> Problems)
{
    public static ProviderSnapshot Empty { get; } = new([], [], []);
}

/// <summary>A failed or unreadable response: logged, shown on /admin/feed, and never written to the database.</summary>
public sealed class ProviderException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Where prices come from: the simulated market (default), the exchange's website, EODHD, ...
/// Every provider answers the same questions; the ingest does the rest.
/// </summary>
public interface IMarketDataProvider
{
    /// <summary>The name stored as each quote's source and shown on the feed-status page.</summary>
    string Name { get; }

    ProviderCapabilities Capabilities { get; }

    /// <summary>How many tickers one quote request may carry; the ingest batches accordingly.</summary>
    int MaxSymbolsPerRequest { get; }

    /// <summary>How often the ingest asks for quotes (a provider's rate limit and delay decide it).</summary>
    TimeSpan PollInterval { get; }

    /// <summary>True when the prices are not real (every page then says so).</summary>
    bool IsSimulated { get; }

    Task<ProviderSnapshot> GetQuotesAsync(IReadOnlyList<string> tickers, CancellationToken cancellationToken);

    Task<IReadOnlyList<ProviderBar>> GetDailyHistoryAsync(string ticker, DateOnly from, DateOnly to, CancellationToken cancellationToken);

    Task<IReadOnlyList<ProviderInstrument>> SearchAsync(string query, CancellationToken cancellationToken);
}
