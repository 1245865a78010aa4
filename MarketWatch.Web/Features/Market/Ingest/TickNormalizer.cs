using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Providers;

namespace MarketWatch.Web.Features.Market.Ingest;

/// <summary>
/// The ingest's memory of one instrument between ticks. <paramref name="ConfirmedLevel"/> is the level a confirmed
/// move set for session <paramref name="ConfirmedSession"/> (the threshold is measured from it instead of the previous
/// close); <paramref name="StreakLevel"/>/<paramref name="StreakCount"/> are the held-back ticks in a row near one level;
/// <paramref name="HasPending"/> says quarantine rows of this instrument still wait for a decision.
/// </summary>
public sealed record InstrumentState(
    int InstrumentId,
    string Ticker,
    decimal? LastDailyClose,
    DateOnly? LastDailyDate,
    Quote? Quote,
    decimal? ConfirmedLevel = null,
    DateOnly? ConfirmedSession = null,
    bool HasPending = false,
    decimal? StreakLevel = null,
    int StreakCount = 0);

/// <summary>The feed-sanity rules (section MarketData): see docs/operations.md, "Feed sanity and quarantine".</summary>
public sealed record FeedSanityRules(decimal ThresholdPercent, int ConfirmTicks, decimal ConfirmTolerancePercent)
{
    public static FeedSanityRules From(MarketDataOptions options) => new(
        options.StaticThresholdPercent > 0 ? options.StaticThresholdPercent : 10m,
        Math.Max(1, options.ConfirmTicks),
        options.ConfirmTolerancePercent >= 0 ? options.ConfirmTolerancePercent : 2m);
}

/// <summary>
/// What one poll produced: the ticks to store, the rows refused (with why), the ticks held back, and the quarantine
/// rows to resolve: instruments whose pending rows are superseded (resolved before the new rows are inserted) or
/// confirmed by the feed (after), admin confirmations applied, and admin confirmations the feed had already overtaken.
/// </summary>
public sealed record NormalizedBatch(
    IReadOnlyList<Tick> Ticks,
    IReadOnlyList<string> Problems,
    IReadOnlyList<QuarantinedTick> Quarantined,
    IReadOnlyList<int> Superseded,
    IReadOnlyList<int> Confirmed,
    IReadOnlyList<long> Applied,
    IReadOnlyList<long> Stale)
{
    public void Deconstruct(out IReadOnlyList<Tick> ticks, out IReadOnlyList<string> problems)
    {
        ticks = Ticks;
        problems = Problems;
    }
}

/// <summary>
/// Turns what a provider sent into complete, consistent quotes: fills the fields it left out, computes change and
/// change %, the volume traded since the previous tick, and refuses what cannot be right (unknown ticker, a tick older
/// than the stored one). With <see cref="FeedSanityRules"/> (the live ingest) a tick outside the static threshold
/// around its reference, or not positive, is held back as a <see cref="QuarantinedTick"/> and leaves the instrument's
/// state untouched, until <see cref="FeedSanityRules.ConfirmTicks"/> ticks in a row near its level (or an admin) confirm it.
/// </summary>
public sealed class TickNormalizer
{
    private readonly Dictionary<string, InstrumentState> _instruments;
    private readonly FeedSanityRules? _sanity;

    /// <param name="sanity">Null: every positive tick is taken as it is (tests and benchmarks that write prices they chose).</param>
    public TickNormalizer(IEnumerable<InstrumentState> instruments, FeedSanityRules? sanity = null)
    {
        _instruments = instruments.ToDictionary(i => i.Ticker, StringComparer.OrdinalIgnoreCase);
        _sanity = sanity;
    }

    public IReadOnlyCollection<string> Tickers => _instruments.Keys;

    public IEnumerable<Quote> LatestQuotes => _instruments.Values.Where(i => i.Quote is not null).Select(i => i.Quote!);

    /// <param name="confirmedByAdmin">Quarantine rows an admin confirmed since the last poll: applied first, whatever the threshold says.</param>
    public NormalizedBatch Normalize(IEnumerable<ProviderQuote> quotes, string source, IReadOnlyList<QuarantinedTick>? confirmedByAdmin = null)
    {
        var ticks = new List<Tick>();
        var problems = new List<string>();
        var quarantined = new List<QuarantinedTick>();
        var superseded = new List<int>();
        var confirmed = new List<int>();
        var applied = new List<long>();
        var stale = new List<long>();

        foreach (var row in confirmedByAdmin ?? [])
        {
            var state = _instruments.Values.FirstOrDefault(i => i.InstrumentId == row.InstrumentId);
            if (state is null || (state.Quote is not null && row.Time < state.Quote.Time))
            {
                // The feed took a newer price meanwhile (or the instrument left the feed): too late to apply.
                stale.Add(row.Id);
                continue;
            }
            applied.Add(row.Id);
            if (state.HasPending)
            {
                // The admin chose this level: what else waited for this instrument is moot.
                superseded.Add(state.InstrumentId);
            }
            state = state with { ConfirmedLevel = row.Price, ConfirmedSession = row.SessionDate, HasPending = false, StreakLevel = null, StreakCount = 0 };
            ticks.Add(Accept(state, new ProviderQuote(state.Ticker, row.Price, row.Time, Volume: row.Volume), row.Source));
        }

        foreach (var incoming in quotes)
        {
            if (!_instruments.TryGetValue(incoming.Ticker, out var state))
            {
                problems.Add($"{incoming.Ticker}: not in the catalogue (or inactive)");
                continue;
            }
            if (incoming.Last <= 0 && _sanity is null)
            {
                problems.Add($"{incoming.Ticker}: price {incoming.Last} is not positive");
                continue;
            }
            var time = incoming.Time.ToUniversalTime();
            if (state.Quote is not null && time < state.Quote.Time)
            {
                continue;
            }
            if (_sanity is not null)
            {
                var session = ExchangeCalendar.ExchangeDate(time);
                var reference = state.ConfirmedSession == session && state.ConfirmedLevel is { } level ? level : ReferenceClose(state, incoming, session);
                var deviation = reference == 0 ? 0 : Math.Round((incoming.Last - reference) / reference * 100, 4);
                if (incoming.Last <= 0)
                {
                    // Never a price, never confirmable by the feed: it waits for an admin to discard it.
                    quarantined.Add(Held(state, incoming, source, session, reference, deviation, QuarantineReason.NotPositive));
                    if (!state.HasPending)
                    {
                        _instruments[state.Ticker] = state with { HasPending = true };
                    }
                    continue;
                }
                if (Math.Abs(deviation) > _sanity.ThresholdPercent)
                {
                    var near = state.StreakLevel is { } streak && Math.Abs(incoming.Last - streak) <= streak * _sanity.ConfirmTolerancePercent / 100;
                    var count = near ? state.StreakCount + 1 : 1;
                    if (!near && state.HasPending)
                    {
                        superseded.Add(state.InstrumentId);
                    }
                    if (count < _sanity.ConfirmTicks)
                    {
                        quarantined.Add(Held(state, incoming, source, session, reference, deviation, QuarantineReason.OutsideThreshold));
                        _instruments[state.Ticker] = state with { HasPending = true, StreakLevel = near ? state.StreakLevel : incoming.Last, StreakCount = count };
                        continue;
                    }
                    // Enough ticks in a row agree: a real move. Its level becomes the session's reference from now on.
                    confirmed.Add(state.InstrumentId);
                    state = state with { ConfirmedLevel = incoming.Last, ConfirmedSession = session, HasPending = false, StreakLevel = null, StreakCount = 0 };
                }
                else if (state.HasPending || state.StreakLevel is not null)
                {
                    // Back within the threshold: what was held back was a glitch.
                    superseded.Add(state.InstrumentId);
                    state = state with { HasPending = false, StreakLevel = null, StreakCount = 0 };
                }
            }
            ticks.Add(Accept(state, incoming, source));
        }
        // A provider that lists an instrument twice in one answer: the latest tick stands (one row per instrument per batch).
        return new NormalizedBatch(
            ticks.GroupBy(t => t.Quote.InstrumentId).Select(g => g.Last()).ToList(),
            problems,
            quarantined,
            superseded.Distinct().ToList(),
            confirmed.Distinct().ToList(),
            applied,
            stale);
    }

    private static decimal ReferenceClose(InstrumentState state, ProviderQuote incoming, DateOnly session)
    {
        var previous = state.Quote;
        var sameSession = previous is not null && ExchangeCalendar.ExchangeDate(previous.Time) == session;
        return incoming.PreviousClose
               ?? (sameSession ? previous!.PreviousClose : (decimal?)null)
               ?? (state.LastDailyDate < session ? state.LastDailyClose : null)
               ?? previous?.Last
               ?? incoming.Last;
    }

    private static QuarantinedTick Held(
        InstrumentState state, ProviderQuote incoming, string source, DateOnly session, decimal reference, decimal deviation, QuarantineReason reason) => new()
    {
        InstrumentId = state.InstrumentId,
        Time = incoming.Time.ToUniversalTime(),
        SessionDate = session,
        Price = incoming.Last,
        ReferencePrice = reference,
        ChangePercent = Math.Clamp(deviation, -999_999m, 999_999m),
        Volume = incoming.Volume,
        Reason = reason,
        Status = QuarantineStatus.Pending,
        Source = source,
    };

    /// <summary>Makes <paramref name="incoming"/> the instrument's latest quote and returns it as a tick.</summary>
    private Tick Accept(InstrumentState state, ProviderQuote incoming, string source)
    {
        var time = incoming.Time.ToUniversalTime();
        var previous = state.Quote;
        var session = ExchangeCalendar.ExchangeDate(time);
        var sameSession = previous is not null && ExchangeCalendar.ExchangeDate(previous.Time) == session;
        var referenceClose = ReferenceClose(state, incoming, session);
        var open = incoming.Open ?? (sameSession ? previous!.Open : incoming.Last);
        var high = Math.Max(incoming.High ?? (sameSession ? previous!.High : incoming.Last), incoming.Last);
        var low = Math.Min(incoming.Low ?? (sameSession ? previous!.Low : incoming.Last), incoming.Last);
        var volume = incoming.Volume ?? (sameSession ? previous!.Volume : 0);
        var change = incoming.Last - referenceClose;
        var quote = new Quote
        {
            InstrumentId = state.InstrumentId,
            Last = incoming.Last,
            Open = open,
            High = high,
            Low = low,
            PreviousClose = referenceClose,
            Change = change,
            ChangePercent = referenceClose == 0 ? 0 : Math.Round(change / referenceClose * 100, 4),
            Volume = volume,
            ValueTraded = incoming.ValueTraded ?? (sameSession ? previous!.ValueTraded : 0),
            Bid = incoming.Bid,
            Ask = incoming.Ask,
            Time = time,
            Source = source,
        };
        var delta = sameSession ? Math.Max(0, volume - previous!.Volume) : volume;
        _instruments[state.Ticker] = state with { Quote = quote };
        return new Tick(state.Ticker, quote, delta, session);
    }
}
