namespace MarketWatch.Web.Features.Market;

/// <summary>A listed equity. The catalogue is seeded from Data/Seed/cse-equities.csv; admins add, edit and deactivate.</summary>
public sealed class Instrument
{
    public const int TickerMaxLength = 16;

    public int Id { get; set; }
    public required string Ticker { get; set; }
    public required string Name { get; set; }
    public string Sector { get; set; } = "";
    public string? Isin { get; set; }
    /// <summary>Shares forming the capital, as the exchange publishes them; null when unknown.</summary>
    public long? SharesOutstanding { get; set; }
    /// <summary>When the exchange's figure is unknown: shares estimated from market cap / price (shown with "≈").</summary>
    public long? EstimatedShares { get; set; }
    /// <summary>The static reference close of the catalogue (the simulator's anchor and the computed index's base).</summary>
    public decimal ReferencePrice { get; set; }
    public string Exchange { get; set; } = "XCAS";
    public string Currency { get; set; } = "MAD";
    public bool IsActive { get; set; } = true;
    /// <summary>Lower-case, accent-free ticker + name + ISIN: what the search matches against.</summary>
    public string SearchText { get; set; } = "";

    public long? SharesForCap => SharesOutstanding ?? EstimatedShares;
}

/// <summary>The latest quote of an instrument: one row each, upserted by the ingest.</summary>
public sealed class Quote
{
    public int InstrumentId { get; set; }
    public decimal Last { get; set; }
    public decimal Open { get; set; }
    public decimal High { get; set; }
    public decimal Low { get; set; }
    public decimal PreviousClose { get; set; }
    public decimal Change { get; set; }
    public decimal ChangePercent { get; set; }
    public long Volume { get; set; }
    public decimal ValueTraded { get; set; }
    public decimal? Bid { get; set; }
    public decimal? Ask { get; set; }
    public DateTimeOffset Time { get; set; }
    public string Source { get; set; } = "";
}

/// <summary>One session of an instrument (OHLCV), with the close adjusted for corporate actions when the source knows it.</summary>
public sealed class DailyBar
{
    public int InstrumentId { get; set; }
    public DateOnly Date { get; set; }
    public decimal Open { get; set; }
    public decimal High { get; set; }
    public decimal Low { get; set; }
    public decimal Close { get; set; }
    public decimal AdjustedClose { get; set; }
    public long Volume { get; set; }
    public string Source { get; set; } = "";
}

/// <summary>One minute of the current sessions (kept a few days, for the 1D and 1W charts and sparklines).</summary>
public sealed class MinuteBar
{
    public int InstrumentId { get; set; }
    public DateTimeOffset Time { get; set; }
    public decimal Open { get; set; }
    public decimal High { get; set; }
    public decimal Low { get; set; }
    public decimal Close { get; set; }
    public long Volume { get; set; }
}

/// <summary>An index published by the exchange (names only in the catalogue; levels come from a provider or are computed).</summary>
public sealed class MarketIndex
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public int SortOrder { get; set; }
}

public sealed class IndexLevel
{
    public int IndexId { get; set; }
    public decimal Level { get; set; }
    public decimal PreviousClose { get; set; }
    public decimal Change { get; set; }
    public decimal ChangePercent { get; set; }
    public DateTimeOffset Time { get; set; }
    /// <summary>True when MarketWatch computed the level from its own prices (labelled so on every page).</summary>
    public bool IsComputed { get; set; }
    public string Source { get; set; } = "";

    /// <summary>A level with its change against the previous close, the way every source (provider or computed) stores it.</summary>
    public static IndexLevel Of(int indexId, decimal level, decimal previousClose, DateTimeOffset time, string source, bool computed = false) => new()
    {
        IndexId = indexId,
        Level = level,
        PreviousClose = previousClose,
        Change = level - previousClose,
        ChangePercent = previousClose == 0 ? 0 : Math.Round((level - previousClose) / previousClose * 100, 4),
        Time = time.ToUniversalTime(),
        IsComputed = computed,
        Source = source,
    };
}

/// <summary>A day the exchange is closed besides weekends: the fixed ones are seeded per year, the Islamic ones are edited by admins.</summary>
public sealed class Holiday
{
    public DateOnly Date { get; set; }
    public required string Name { get; set; }
    public bool IsIslamic { get; set; }
}

/// <summary>A period with its own trading hours, such as Ramadan (continuous trading start and end, exchange time).</summary>
public sealed class SpecialSession
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public DateOnly From { get; set; }
    public DateOnly To { get; set; }
    public TimeOnly ContinuousStart { get; set; }
    public TimeOnly ContinuousEnd { get; set; }
}

public enum FeedEventKind { Ok, Warning, Error }

/// <summary>What the market-data feed did: shown on /admin/feed so admins can tell whether the data can be trusted.</summary>
public sealed class FeedEvent
{
    public long Id { get; set; }
    public DateTimeOffset Time { get; set; }
    public required string Provider { get; set; }
    public FeedEventKind Kind { get; set; }
    public required string Message { get; set; }
}

/// <summary>Why the ingest held a tick back instead of storing it as the instrument's price.</summary>
public enum QuarantineReason
{
    /// <summary>Further from the reference price than the exchange's static threshold allows (±10% by default).</summary>
    OutsideThreshold,
    /// <summary>Zero or negative: never a price.</summary>
    NotPositive,
}

public enum QuarantineStatus
{
    /// <summary>Held back: not a quote, not a live price, not seen by alerts.</summary>
    Pending,
    /// <summary>Confirmed by the next ticks or by an admin: the ingest applies it (or has applied it, see AppliedAt).</summary>
    Confirmed,
    /// <summary>Thrown away by an admin.</summary>
    Discarded,
    /// <summary>The feed moved on: it came back within the threshold, or settled at another level.</summary>
    Superseded,
}

/// <summary>
/// A tick the feed-sanity check held back (outside the static threshold around the reference price, or not positive):
/// kept for the feed-status page until the next ticks or an admin confirm it, or it is discarded or superseded.
/// </summary>
public sealed class QuarantinedTick
{
    public long Id { get; set; }
    public int InstrumentId { get; set; }
    /// <summary>The tick's own time (UTC).</summary>
    public DateTimeOffset Time { get; set; }
    public DateOnly SessionDate { get; set; }
    public decimal Price { get; set; }
    /// <summary>The price the threshold was measured from: the previous close, or the level a confirmed move set that session.</summary>
    public decimal ReferencePrice { get; set; }
    public decimal ChangePercent { get; set; }
    /// <summary>Shares traded in the session as the provider reported them with this tick.</summary>
    public long? Volume { get; set; }
    public QuarantineReason Reason { get; set; }
    public QuarantineStatus Status { get; set; }
    public string Source { get; set; } = "";
    public DateTimeOffset? ResolvedAt { get; set; }
    /// <summary>The admin who confirmed or discarded it; null when the feed itself resolved it.</summary>
    public string? ResolvedBy { get; set; }
    /// <summary>When the ingest made a confirmed tick the instrument's level (an admin's confirmation waits for its next poll).</summary>
    public DateTimeOffset? AppliedAt { get; set; }
}
