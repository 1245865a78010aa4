using MarketWatch.Web.Features.Market;

namespace MarketWatch.Bench;

/// <summary>Stores ticks for N tickers, R times a second, through the ingest's own path (normalise, batch, NOTIFY).</summary>
public sealed class TickWriter(IServiceProvider services, IReadOnlyList<string> tickers, int perSecond)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var ingest = ActivatorUtilities.CreateInstance<MarketWatch.Web.Features.Market.Ingest.IngestService>(scope.ServiceProvider);
        var state = await ingest.LoadAsync(cancellationToken);
        var store = scope.ServiceProvider.GetRequiredService<MarketWatch.Web.Features.Market.Ingest.QuoteStore>();
        var references = await scope.ServiceProvider.GetRequiredService<MarketQueries>().QuotesAsync(tickers.ToList(), cancellationToken);
        var prices = references.ToDictionary(r => r.Ticker, r => r.Last ?? 100m);
        var interval = TimeSpan.FromSeconds(1.0 / perSecond);
        var round = 0;
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            round++;
            var now = DateTimeOffset.UtcNow;
            var quotes = tickers.Select(t => new MarketWatch.Web.Features.Market.Providers.ProviderQuote(t, prices[t] + (round % 2 == 0 ? 0.01m : 0.02m), now, Volume: round)).ToList();
            var (ticks, _) = state.Normalizer.Normalize(quotes, "Bench");
            await store.WriteAsync(ticks, cancellationToken);
        }
    }
}
