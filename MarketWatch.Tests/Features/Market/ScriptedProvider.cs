using MarketWatch.Web.Features.Market.Providers;

namespace MarketWatch.Tests.Features.Market;

/// <summary>A provider whose next answer the test writes: the ingest's own poll, normaliser and store do the rest.</summary>
public sealed class ScriptedProvider(params ProviderQuote[] quotes) : IMarketDataProvider
{
    public string Name => "Scripted";
    public ProviderCapabilities Capabilities => ProviderCapabilities.Quotes;
    public int MaxSymbolsPerRequest => int.MaxValue;
    public TimeSpan PollInterval => TimeSpan.FromSeconds(1);
    public bool IsSimulated => false;

    public Task<ProviderSnapshot> GetQuotesAsync(IReadOnlyList<string> tickers, CancellationToken cancellationToken) =>
        Task.FromResult(new ProviderSnapshot(quotes, [], []));

    public Task<IReadOnlyList<ProviderBar>> GetDailyHistoryAsync(string ticker, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ProviderBar>>([]);

    public Task<IReadOnlyList<ProviderInstrument>> SearchAsync(string query, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ProviderInstrument>>([]);

    /// <summary>Now, to the microsecond PostgreSQL keeps (so a time read back equals the one written).</summary>
    public static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.Ticks % 10));
    }
}
