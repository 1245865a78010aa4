using MarketWatch.Web.Features.Market.Calendar;

namespace MarketWatch.Web.Features.Trading;

/// <summary>
/// The tick grid: the price steps an order's limit and stop must fall on, by price band. The seeded bands are the
/// Casablanca Stock Exchange's as we understand its general instruction (0.01 MAD under 100 MAD, 0.10 MAD from 100 MAD,
/// 1 MAD from 1,000 MAD); admins edit them at <c>/admin/ticks</c> if the exchange changes them.
/// </summary>
public static class TickGrid
{
    public static readonly IReadOnlyList<(decimal MinPrice, decimal Tick)> Defaults = [(0m, 0.01m), (100m, 0.10m), (1000m, 1m)];

    /// <summary>The tick at <paramref name="price"/>: the band with the highest minimum at or below it (bands in any order).</summary>
    public static decimal TickAt(IReadOnlyList<(decimal MinPrice, decimal Tick)> bands, decimal price)
    {
        var tick = 0.01m;
        var best = decimal.MinValue;
        foreach (var (min, size) in bands)
        {
            if (min <= price && min > best)
            {
                (best, tick) = (min, size);
            }
        }
        return tick;
    }

    public static bool OnGrid(IReadOnlyList<(decimal MinPrice, decimal Tick)> bands, decimal price) =>
        price > 0 && price % TickAt(bands, price) == 0;

    /// <summary>The nearest grid price at or below <paramref name="price"/>.</summary>
    /// <remarks>
    /// A band's multiples can fall short of its start when the admins' bands do not line up (a band from 100.30 with a
    /// 0.50 step): the nearest grid price is then the highest of the band below, so the bands are walked downwards.
    /// </remarks>
    public static decimal Down(IReadOnlyList<(decimal MinPrice, decimal Tick)> bands, decimal price)
    {
        var ordered = Ordered(bands);
        var i = Containing(ordered, price);
        for (var (top, below) = (price, false); i >= 0; top = ordered[i].MinPrice, below = true, i--)
        {
            var (min, tick) = ordered[i];
            var candidate = Math.Floor(top / tick) * tick;
            if (below && candidate == top)
            {
                candidate -= tick; // the start of the band above belongs to that band
            }
            if (candidate >= min)
            {
                return candidate;
            }
        }
        return 0m;
    }

    /// <summary>The nearest grid price at or above <paramref name="price"/> (the band of the result decides the step).</summary>
    public static decimal Up(IReadOnlyList<(decimal MinPrice, decimal Tick)> bands, decimal price)
    {
        var ordered = Ordered(bands);
        for (var i = Containing(ordered, price); i < ordered.Count; i++)
        {
            var (min, tick) = ordered[i];
            var candidate = Math.Ceiling(Math.Max(price, min) / tick) * tick;
            if (i + 1 == ordered.Count || candidate < ordered[i + 1].MinPrice)
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("unreachable: the last band has no end");
    }

    /// <summary>The bands by their start, after the step <see cref="TickAt"/> uses below every band.</summary>
    private static List<(decimal MinPrice, decimal Tick)> Ordered(IReadOnlyList<(decimal MinPrice, decimal Tick)> bands)
    {
        var ordered = new List<(decimal MinPrice, decimal Tick)>(bands.Count + 1) { (decimal.MinValue, 0.01m) };
        ordered.AddRange(bands.Where(b => b.Tick > 0).OrderBy(b => b.MinPrice));
        return ordered;
    }

    private static int Containing(List<(decimal MinPrice, decimal Tick)> ordered, decimal price) =>
        ordered.FindLastIndex(b => b.MinPrice <= price);
}

/// <summary>The day's static thresholds: ±rate of the reference price (the previous close), on the grid, inward.</summary>
public readonly record struct PriceBand(decimal Low, decimal High)
{
    public static PriceBand Around(decimal reference, decimal rate, IReadOnlyList<(decimal MinPrice, decimal Tick)> bands) =>
        new(TickGrid.Up(bands, reference * (1 - rate)), TickGrid.Down(bands, reference * (1 + rate)));

    public bool Contains(decimal price) => Low <= price && price <= High;

    /// <summary>
    /// The static reference price of session <paramref name="session"/>: the previous close. A quote of that session
    /// carries it as its previous close; an older quote's last price is the latest close; with no quote, the
    /// catalogue's reference price.
    /// </summary>
    public static decimal ReferencePrice(decimal? last, decimal? previousClose, DateTimeOffset? quoteTime, DateOnly session, decimal catalogueReference) =>
        quoteTime is { } time && last is { } l && l > 0
            ? ExchangeCalendar.ExchangeDate(time) >= session && previousClose is { } p && p > 0 ? p : l
            : catalogueReference;
}

/// <summary>When orders live and die by the exchange calendar.</summary>
public static class OrderSchedule
{
    /// <summary>
    /// The session an order entered at <paramref name="now"/> belongs to: today when today trades and its continuous
    /// session has not ended, otherwise the next trading day (an order entered on Friday evening before a Monday holiday
    /// is Tuesday's).
    /// </summary>
    public static DateOnly SessionDate(ExchangeCalendar calendar, DateTimeOffset now)
    {
        var today = ExchangeCalendar.ExchangeDate(now);
        if (calendar.IsTradingDay(today) && now < ExchangeCalendar.At(today, calendar.HoursOn(today).ContinuousEnd))
        {
            return today;
        }
        var next = today.AddDays(1);
        while (!calendar.IsTradingDay(next))
        {
            next = next.AddDays(1);
        }
        return next;
    }

    /// <summary>
    /// The close of a day's session (the end of continuous trading: nothing fills after it), in UTC: PostgreSQL's
    /// timestamptz takes no other offset, and <see cref="PaperOrder.ExpiresAt"/> is stored as it is.
    /// </summary>
    public static DateTimeOffset CloseOf(ExchangeCalendar calendar, DateOnly date) =>
        ExchangeCalendar.At(date, calendar.HoursOn(date).ContinuousEnd).ToUniversalTime();

    /// <summary>
    /// When an order is cancelled if not done. Day: the close of its session. Good-till-date: the close of the last
    /// trading day on or before that date. Good-till-cancelled: likewise, <paramref name="maxDays"/> after entry. In UTC.
    /// </summary>
    public static DateTimeOffset ExpiresAt(ExchangeCalendar calendar, DateTimeOffset now, OrderValidity validity, DateOnly? expiresOn, int maxDays)
    {
        var session = SessionDate(calendar, now);
        var last = validity switch
        {
            OrderValidity.Day => session,
            OrderValidity.GoodTillDate => expiresOn ?? session,
            _ => ExchangeCalendar.ExchangeDate(now).AddDays(maxDays),
        };
        while (!calendar.IsTradingDay(last) && last > session)
        {
            last = last.AddDays(-1);
        }
        return CloseOf(calendar, last < session ? session : last);
    }
}

/// <summary>The participation cap: a fill takes at most a share of the volume traded since the order became active.</summary>
public static class Participation
{
    /// <summary>
    /// How many shares may fill now: floor(rate × volume since the base) less what filled since the base, at most the
    /// remaining quantity, never negative. <paramref name="dayVolume"/> is the instrument's cumulative volume of the
    /// session; a base of another session counts from 0.
    /// </summary>
    public static long Allowed(decimal rate, long dayVolume, long volumeBase, long filledSinceBase, long remaining)
    {
        var since = Math.Max(0, dayVolume - volumeBase);
        var cap = (long)Math.Floor(since * rate) - filledSinceBase;
        return Math.Clamp(cap, 0, Math.Max(0, remaining));
    }
}

/// <summary>Which state changes an order may make; anything else is refused.</summary>
public static class OrderStates
{
    public static bool CanMove(OrderState from, OrderState to) => (from, to) switch
    {
        (OrderState.Pending, OrderState.Open or OrderState.Cancelled or OrderState.Rejected) => true,
        (OrderState.Open, OrderState.PartiallyFilled or OrderState.Filled or OrderState.Cancelled or OrderState.Rejected) => true,
        (OrderState.PartiallyFilled, OrderState.PartiallyFilled or OrderState.Filled or OrderState.Cancelled or OrderState.Rejected) => true,
        _ => false,
    };

    /// <summary>The user may cancel or modify (price, quantity) a live order only.</summary>
    public static bool CanChange(OrderState state) => state is OrderState.Pending or OrderState.Open or OrderState.PartiallyFilled;

    public static bool IsLive(OrderState state) => CanChange(state);
}

/// <summary>What one trade does to one live order: pure, shared by the engine and the SQL sweep's tests.</summary>
public static class OrderMatching
{
    /// <summary>A stop is reached: a buy's when the trade is at or above it, a sell's at or below.</summary>
    public static bool StopReached(OrderSide side, decimal stop, decimal trade) =>
        side == OrderSide.Buy ? trade >= stop : trade <= stop;

    /// <summary>The price condition of an active (triggered, for stops) order: market always; a limit when the trade is at or better than it.</summary>
    public static bool PriceAllows(OrderType type, OrderSide side, decimal? limit, decimal trade) =>
        type is OrderType.Market or OrderType.Stop || (side == OrderSide.Buy ? trade <= limit : trade >= limit);

    /// <summary>
    /// The price a buy reserves cash at: its limit (limit and stop-limit orders), else the day's upper threshold (a
    /// market or stop order cannot fill above it).
    /// </summary>
    public static decimal ReservationPrice(OrderType type, decimal? limit, PriceBand band) =>
        type is OrderType.Limit or OrderType.StopLimit && limit is { } l ? l : band.High;
}
