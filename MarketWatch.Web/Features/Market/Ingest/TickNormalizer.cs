using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Providers;

namespace MarketWatch.Web.Features.Market.Ingest;

/// <summary>The ingest's memory of one instrument between ticks.</summary>
public sealed record InstrumentState(int InstrumentId, string Ticker, decimal? LastDailyClose, DateOnly? LastDailyDate, Quote? Quote);

/// <summary>
/// Turns what a provider sent into complete, consistent quotes: fills the fields it left out, computes change and
/// change %, the volume traded since the previous tick, and refuses what cannot be right (unknown ticker, no price,
/// a tick older than the stored one). Refusals are reported, never stored.
/// </summary>
public sealed class TickNormalizer
{
    private readonly Dictionary<string, InstrumentState> _instruments;

    public TickNormalizer(IEnumerable<InstrumentState> instruments) =>
        _instruments = instruments.ToDictionary(i => i.Ticker, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Tickers => _instruments.Keys;

    public IEnumerable<Quote> LatestQuotes => _instruments.Values.Where(i => i.Quote is not null).Select(i => i.Quote!);

    public (IReadOnlyList<Tick> Ticks, IReadOnlyList<string> Problems) Normalize(IEnumerable<ProviderQuote> quotes, string source)
    {
        var ticks = new List<Tick>();
        var problems = new List<string>();
        foreach (var incoming in quotes)
        {
            if (!_instruments.TryGetValue(incoming.Ticker, out var state))
            {
                problems.Add($"{incoming.Ticker}: not in the catalogue (or inactive)");
                continue;
            }
            if (incoming.Last <= 0)
            {
                problems.Add($"{incoming.Ticker}: price {incoming.Last} is not positive");
                continue;
            }
            var time = incoming.Time.ToUniversalTime();
            var previous = state.Quote;
            if (previous is not null && time < previous.Time)
            {
                continue;
            }
            var session = ExchangeCalendar.ExchangeDate(time);
            var sameSession = previous is not null && ExchangeCalendar.ExchangeDate(previous.Time) == session;
            var referenceClose = incoming.PreviousClose
                                 ?? (sameSession ? previous!.PreviousClose : (decimal?)null)
                                 ?? (state.LastDailyDate < session ? state.LastDailyClose : null)
                                 ?? previous?.Last
                                 ?? incoming.Last;
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
            ticks.Add(new Tick(state.Ticker, quote, delta, session));
        }
        // A provider that lists an instrument twice in one answer: the latest tick stands (one row per instrument per batch).
        return (ticks.GroupBy(t => t.Quote.InstrumentId).Select(g => g.Last()).ToList(), problems);
    }
}
