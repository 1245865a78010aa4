using MarketWatch.Web.Features.Market.Calendar;

namespace MarketWatch.Web.Features.Trading;

/// <summary>A live order as the engine holds it: what matching and the participation cap need, nothing more.</summary>
public sealed class LiveOrder
{
    public long Id { get; init; }
    public int AccountId { get; init; }
    public required string Ticker { get; init; }
    public OrderSide Side { get; init; }
    public OrderType Type { get; init; }
    public long Quantity { get; init; }
    public long Filled { get; init; }
    public decimal? Limit { get; init; }
    public decimal? Stop { get; init; }
    public OrderState State { get; init; }
    public bool Triggered { get; init; }
    public DateTimeOffset? ActiveSince { get; init; }
    public DateOnly? VolumeDate { get; init; }
    public long VolumeBase { get; init; }
    public long FilledAtBase { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    /// <summary>When the order was entered: no trade at or before it activates or fills it.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    public long Remaining => Quantity - Filled;
    public bool IsStop => Type is OrderType.Stop or OrderType.StopLimit;
    /// <summary>Waits for its stop: indexed by the stop price, not (yet) by its limit.</summary>
    public bool WaitsForStop => IsStop && !Triggered;
    public bool HasLimit => Type is OrderType.Limit or OrderType.StopLimit;
}

/// <summary>One order a trade reached, and what it does to it (the engine turns it into a <see cref="FillRequest"/>).</summary>
public readonly record struct Match(LiveOrder Order, bool Activates, bool Triggers, bool PriceAllows);

/// <summary>
/// The live orders of every instrument as price levels, so that a trade touches only the orders it can move:
/// untriggered stops sorted by stop (a buy stop is reached by a trade at or above it: the lowest first; a sell stop by
/// one at or below it), active limits sorted by limit (a buy fills at a trade at or below its limit: the levels from the
/// trade up; a sell the levels from the trade down), market orders (and triggered stops) in a set, and the pending
/// orders (waiting for their session) in a set of their own, all activated at the first continuous trade.
/// A trade costs O(log n + orders reached); the memory is the live orders only.
/// </summary>
public sealed class OrderBook
{
    private readonly Dictionary<string, InstrumentOrders> _instruments = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, LiveOrder> _orders = [];

    public int Count => _orders.Count;

    public bool Contains(long orderId) => _orders.ContainsKey(orderId);

    public LiveOrder? Find(long orderId) => _orders.GetValueOrDefault(orderId);

    /// <summary>Adds (or replaces) a live order; one that is no longer live is removed.</summary>
    public void Add(LiveOrder order)
    {
        Remove(order.Id);
        if (!OrderStates.IsLive(order.State) || order.Remaining <= 0)
        {
            return;
        }
        if (!_instruments.TryGetValue(order.Ticker, out var book))
        {
            _instruments[order.Ticker] = book = new InstrumentOrders();
        }
        book.Add(order);
        _orders[order.Id] = order;
    }

    public void Remove(long orderId)
    {
        if (_orders.Remove(orderId, out var order) && _instruments.TryGetValue(order.Ticker, out var book))
        {
            book.Remove(order);
            if (book.IsEmpty)
            {
                _instruments.Remove(order.Ticker);
            }
        }
    }

    /// <summary>
    /// The orders a trade of <paramref name="ticker"/> at <paramref name="price"/> reaches, each once: the pending ones
    /// (activated by it, whether or not it fills them), the stops it reaches, the market orders, the limits it satisfies.
    /// </summary>
    public void Reached(string ticker, decimal price, List<Match> matches)
    {
        if (!_instruments.TryGetValue(ticker, out var book))
        {
            return;
        }
        var seen = new HashSet<long>();
        void Add(LiveOrder order, bool triggers, bool allows)
        {
            if (seen.Add(order.Id))
            {
                matches.Add(new Match(order, order.State == OrderState.Pending, triggers, allows));
            }
        }
        foreach (var order in book.BuyStops.GetViewBetween(Key.Bottom, Key.To(price)))
        {
            Add(order, true, OrderMatching.PriceAllows(order.Type, order.Side, order.Limit, price));
        }
        foreach (var order in book.SellStops.GetViewBetween(Key.From(price), Key.Top))
        {
            Add(order, true, OrderMatching.PriceAllows(order.Type, order.Side, order.Limit, price));
        }
        foreach (var order in book.Market)
        {
            Add(order, false, true);
        }
        foreach (var order in book.BuyLimits.GetViewBetween(Key.From(price), Key.Top))
        {
            Add(order, false, true);
        }
        foreach (var order in book.SellLimits.GetViewBetween(Key.Bottom, Key.To(price)))
        {
            Add(order, false, true);
        }
        foreach (var order in book.Pending)
        {
            var triggers = order.WaitsForStop && OrderMatching.StopReached(order.Side, order.Stop ?? 0, price);
            Add(order, triggers, (!order.WaitsForStop || triggers) && OrderMatching.PriceAllows(order.Type, order.Side, order.Limit, price));
        }
    }

    /// <summary>Bounds of a price level for <see cref="SortedSet{T}.GetViewBetween"/>: (price, id) keys.</summary>
    private static class Key
    {
        private static LiveOrder Probe(decimal price, long id) => new() { Id = id, Ticker = "", Limit = price, Stop = price };
        public static readonly LiveOrder Bottom = Probe(decimal.MinValue, long.MinValue);
        public static readonly LiveOrder Top = Probe(decimal.MaxValue, long.MaxValue);
        /// <summary>Every key at <paramref name="price"/> and above.</summary>
        public static LiveOrder From(decimal price) => Probe(price, long.MinValue);
        /// <summary>Every key at <paramref name="price"/> and below.</summary>
        public static LiveOrder To(decimal price) => Probe(price, long.MaxValue);
    }

    private sealed class InstrumentOrders
    {
        public readonly SortedSet<LiveOrder> BuyStops = new(ByStop.Instance);
        public readonly SortedSet<LiveOrder> SellStops = new(ByStop.Instance);
        public readonly SortedSet<LiveOrder> BuyLimits = new(ByLimit.Instance);
        public readonly SortedSet<LiveOrder> SellLimits = new(ByLimit.Instance);
        public readonly HashSet<LiveOrder> Market = [];
        public readonly HashSet<LiveOrder> Pending = [];

        public bool IsEmpty => BuyStops.Count + SellStops.Count + BuyLimits.Count + SellLimits.Count + Market.Count + Pending.Count == 0;

        public void Add(LiveOrder order)
        {
            if (order.State == OrderState.Pending)
            {
                Pending.Add(order);
            }
            else
            {
                Level(order).Add(order);
            }
        }

        public void Remove(LiveOrder order)
        {
            if (order.State == OrderState.Pending)
            {
                Pending.Remove(order);
            }
            else
            {
                Level(order).Remove(order);
            }
        }

        private ICollection<LiveOrder> Level(LiveOrder order) => order switch
        {
            { WaitsForStop: true } => order.Side == OrderSide.Buy ? BuyStops : SellStops,
            { HasLimit: true } => order.Side == OrderSide.Buy ? BuyLimits : SellLimits,
            _ => Market,
        };
    }

    private sealed class ByStop : IComparer<LiveOrder>
    {
        public static readonly ByStop Instance = new();

        public int Compare(LiveOrder? x, LiveOrder? y)
        {
            var byPrice = (x!.Stop ?? 0).CompareTo(y!.Stop ?? 0);
            return byPrice != 0 ? byPrice : x.Id.CompareTo(y.Id);
        }
    }

    private sealed class ByLimit : IComparer<LiveOrder>
    {
        public static readonly ByLimit Instance = new();

        public int Compare(LiveOrder? x, LiveOrder? y)
        {
            var byPrice = (x!.Limit ?? 0).CompareTo(y!.Limit ?? 0);
            return byPrice != 0 ? byPrice : x.Id.CompareTo(y.Id);
        }
    }
}

/// <summary>What the engine asks of one reached order at one trade: pure (the engine's tests check it without a database).</summary>
public static class FillPlanner
{
    /// <summary>
    /// The request for <paramref name="match"/> at a trade (price, time, cumulative day volume), or null when it does
    /// nothing: an order not yet active at that trade (a trade not newer than its ActiveSince; a pending order is
    /// activated only by a trade after its entry, of the session in progress), an expired one (the sweep cancels it), or one with nothing to fill,
    /// activate or trigger. The quantity is the participation cap's (<see cref="Participation.Allowed"/>), counted on
    /// the trade's session; a stop-limit triggered at a price its limit refuses is triggered without a fill.
    /// </summary>
    public static FillRequest? Plan(Match match, decimal price, DateTimeOffset time, long dayVolume, decimal rate, DateTimeOffset now,
        Func<decimal, decimal> fees)
    {
        var order = match.Order;
        if (order.ExpiresAt <= now)
        {
            return null;
        }
        // A pending order is activated only by a trade after its entry and of the session in progress (on a resync the
        // last quote may be yesterday's); an active one only by a trade after it became active.
        var active = match.Activates
            ? time > order.CreatedAt && ExchangeCalendar.ExchangeDate(time) == ExchangeCalendar.ExchangeDate(now)
            : time > order.ActiveSince;
        if (!active)
        {
            return null;
        }
        var session = ExchangeCalendar.ExchangeDate(time);
        var sameSession = order.VolumeDate == session;
        var allowed = Participation.Allowed(rate, dayVolume, sameSession ? order.VolumeBase : 0, sameSession ? order.Filled - order.FilledAtBase : 0,
            order.Remaining);
        var quantity = match.PriceAllows && (!order.WaitsForStop || match.Triggers) ? allowed : 0;
        if (quantity == 0 && !match.Activates && !match.Triggers)
        {
            return null;
        }
        return new FillRequest(order.Id, order.Filled, quantity, price, quantity > 0 ? fees(quantity * price) : 0, time, session, dayVolume,
            match.Activates, match.Triggers);
    }
}
