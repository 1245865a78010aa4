using System.Collections.Concurrent;
using MarketWatch.Web.Features.Market;

namespace MarketWatch.Web.Features.Realtime;

/// <summary>A quote that changed: +1 up, -1 down, 0 unchanged since the previous one this instance saw.</summary>
public sealed record QuoteUpdate(QuoteRow Row, int Direction, long Sequence);

/// <summary>
/// This instance's fan-out: who watches which ticker. Publishing never waits for a connection: it only replaces
/// the pending update of that ticker in each subscriber's queue (conflation), so a slow client holds at most one
/// update per ticker it watches and never delays the others.
/// </summary>
public sealed class QuoteHub
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Subscription, byte>> _byTicker = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, decimal> _lastPrice = new(StringComparer.OrdinalIgnoreCase);
    private long _sequence;
    private int _connections;

    public long Sequence => Volatile.Read(ref _sequence);
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The longest queue of any connection (bounded by the tickers it watches): for diagnostics and tests.</summary>
    public int LargestQueue() => _byTicker.Values.SelectMany(s => s.Keys).Distinct().Select(s => s.Pending).DefaultIfEmpty(0).Max();

    /// <summary>Tickers at least one connection of this instance watches.</summary>
    public IReadOnlyList<string> WatchedTickers => _byTicker.Where(kv => !kv.Value.IsEmpty).Select(kv => kv.Key).ToList();

    public Subscription Subscribe(IEnumerable<string> tickers)
    {
        var subscription = new Subscription(this, tickers.Select(t => t.ToUpperInvariant()).Distinct().ToArray());
        foreach (var ticker in subscription.Tickers)
        {
            _byTicker.GetOrAdd(ticker, _ => new ConcurrentDictionary<Subscription, byte>())[subscription] = 0;
        }
        Interlocked.Increment(ref _connections);
        return subscription;
    }

    /// <summary>Remembers prices a connection started from, so the next update knows whether it went up or down.</summary>
    public void Seed(IEnumerable<(string Ticker, decimal? Last)> prices)
    {
        foreach (var (ticker, last) in prices)
        {
            if (last is { } price)
            {
                _lastPrice.TryAdd(ticker, price);
            }
        }
    }

    public long Publish(IReadOnlyList<QuoteRow> rows)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        foreach (var row in rows)
        {
            var direction = 0;
            if (row.Last is { } last)
            {
                var previous = _lastPrice.GetValueOrDefault(row.Ticker, last);
                direction = Math.Sign(last - previous);
                _lastPrice[row.Ticker] = last;
            }
            if (_byTicker.TryGetValue(row.Ticker, out var subscribers))
            {
                var update = new QuoteUpdate(row, direction, sequence);
                foreach (var subscriber in subscribers.Keys)
                {
                    subscriber.Offer(update);
                }
            }
        }
        return sequence;
    }

    internal void Remove(Subscription subscription)
    {
        foreach (var ticker in subscription.Tickers)
        {
            if (_byTicker.TryGetValue(ticker, out var subscribers))
            {
                subscribers.TryRemove(subscription, out _);
            }
        }
        Interlocked.Decrement(ref _connections);
    }
}

/// <summary>One connection's bounded queue: the latest update per ticker, and a signal that something is pending.</summary>
public sealed class Subscription(QuoteHub hub, string[] tickers) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    private Dictionary<string, QuoteUpdate> _pending = new(StringComparer.OrdinalIgnoreCase);
    private int _disposed;

    public IReadOnlyList<string> Tickers { get; } = tickers;

    /// <summary>At most one per watched ticker, however slow the reader.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
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
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
    }

    /// <summary>Waits for updates (or the timeout, for heartbeats) and takes everything pending.</summary>
    public async Task<IReadOnlyCollection<QuoteUpdate>> NextAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _signal.WaitAsync(timeout, cancellationToken);
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
        _signal.Dispose();
    }
}
