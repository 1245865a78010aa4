using MarketWatch.Web.Infrastructure;

namespace MarketWatch.Web.Features.Market.Live;

/// <summary>One connection's bounded queue: the latest update per ticker, and a signal that something is pending.</summary>
public sealed class Subscription(QuoteHub hub, string[] tickers) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly WakeUp _wake = new();
    private Dictionary<string, QuoteUpdate> _pending = new(StringComparer.OrdinalIgnoreCase);
    private int _disposed;

    public IReadOnlyList<string> Tickers { get; } = tickers;

    /// <summary>The updates not taken yet: the latest per watched ticker, however slow the reader.</summary>
    public IReadOnlyList<QuoteUpdate> Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Values.ToList();
            }
        }
    }

    internal void Offer(QuoteUpdate update)
    {
        lock (_gate)
        {
            if (_disposed == 1)
            {
                return;
            }
            _pending[update.Row.Ticker] = update;
        }
        _wake.Signal();
    }

    /// <summary>Waits for updates (or the timeout, for heartbeats) and takes everything pending.</summary>
    public async Task<IReadOnlyCollection<QuoteUpdate>> NextAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _wake.WaitAsync(timeout, cancellationToken);
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return [];
            }
            var taken = _pending;
            _pending = new Dictionary<string, QuoteUpdate>(StringComparer.OrdinalIgnoreCase);
            return taken.Values;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed == 1)
            {
                return;
            }
            _disposed = 1;
        }
        hub.Remove(this);
    }
}
