using System.Collections.Concurrent;

namespace MarketWatch.Web.Features.Market.Live;

/// <summary>
/// This instance's live streams: who watches which ticker. Publishing never waits for a connection: it only replaces
/// the pending update of that ticker in each subscriber's queue (conflation), so a slow client holds at most one
/// update per ticker it watches and never delays the others.
/// </summary>
public sealed class QuoteHub : IQuoteBatchConsumer
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Subscription, byte>> _byTicker = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, decimal> _lastPrice = new(StringComparer.OrdinalIgnoreCase);
    private long _sequence;
    private int _connections;

    public long Sequence => Volatile.Read(ref _sequence);
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>What each connection has not sent yet (a slow client's backlog): for diagnostics and tests.</summary>
    public IReadOnlyList<IReadOnlyList<QuoteUpdate>> Backlogs() => _byTicker.Values.SelectMany(s => s.Keys).Distinct().Select(s => s.Pending).ToList();

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

    /// <summary>Every batch the listener read; a resync batch holds every quote, so what was missed is sent again.</summary>
    public Task OnQuotesAsync(QuoteBatch batch, CancellationToken cancellationToken)
    {
        Publish(batch.Quotes);
        return Task.CompletedTask;
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
