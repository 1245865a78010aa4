namespace MarketWatch.Web.Features.Market.Live;

/// <summary>
/// Something on this instance that acts on live prices (the stream hub, the alert engine; later the order engine).
/// Register it in DI as this interface: <see cref="QuoteListener"/> hands it every batch it reads, through a queue of
/// its own that keeps the latest quote per ticker, so a slow consumer only delays itself.
/// </summary>
public interface IQuoteBatchConsumer
{
    /// <summary>Called by one loop per consumer, never concurrently; the next batch waits (merged) until this one returns.</summary>
    Task OnQuotesAsync(QuoteBatch batch, CancellationToken cancellationToken);
}
