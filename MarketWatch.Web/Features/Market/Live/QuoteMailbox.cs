using MarketWatch.Web.Infrastructure;

namespace MarketWatch.Web.Features.Market.Live;

/// <summary>
/// One consumer's queue in <see cref="QuoteListener"/>: batches posted while the consumer is busy merge into one, the
/// latest quote per ticker (so it holds at most one quote per instrument), and the consumer's own loop takes them.
/// </summary>
internal sealed class QuoteMailbox(IQuoteBatchConsumer consumer, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly WakeUp _wake = new();
    private Dictionary<string, QuoteRow> _pending = new(StringComparer.OrdinalIgnoreCase);
    private bool _resync;

    public IQuoteBatchConsumer Consumer => consumer;

    public void Post(QuoteBatch batch)
    {
        lock (_gate)
        {
            _resync |= batch.Resync;
            foreach (var quote in batch.Quotes)
            {
                _pending[quote.Ticker] = quote;
            }
        }
        _wake.Signal();
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(stoppingToken);
                QuoteBatch batch;
                lock (_gate)
                {
                    batch = new QuoteBatch(_pending.Values.ToList(), _resync);
                    _pending = new Dictionary<string, QuoteRow>(StringComparer.OrdinalIgnoreCase);
                    _resync = false;
                }
                await consumer.OnQuotesAsync(batch, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The quotes are gone for this consumer; the next batch brings newer ones.
                logger.LogWarning(ex, "{Consumer} failed on a batch of quotes", consumer.GetType().Name);
            }
        }
    }
}
