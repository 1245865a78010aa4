using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Market.Quality;

public sealed record LimitBreach(DateOnly Date, decimal PreviousClose, decimal Close, decimal ChangePercent);

public sealed record InstrumentQuality(
    string Ticker,
    string Name,
    decimal ReferenceCompleteness,
    IReadOnlyList<string> MissingReferenceFields,
    decimal QuoteCompleteness,
    IReadOnlyList<string> MissingQuoteFields,
    int ExpectedSessions,
    IReadOnlyList<DateOnly> MissingSessions,
    DateTimeOffset? LastQuoteAt,
    bool Stale,
    IReadOnlyList<LimitBreach> Breaches)
{
    public decimal Coverage => ExpectedSessions == 0 ? 100 : Math.Round(100m * (ExpectedSessions - MissingSessions.Count) / ExpectedSessions, 1);

    /// <summary>The completeness score: the mean of reference fields, quote fields and daily-bar coverage.</summary>
    public decimal Score => Math.Round((ReferenceCompleteness + QuoteCompleteness + Coverage) / 3, 1);
}

public sealed record QualityReport(IReadOnlyList<InstrumentQuality> Instruments, DateOnly From, DateOnly To, int Sessions)
{
    public decimal AverageScore => Instruments.Count == 0 ? 0 : Math.Round(Instruments.Average(i => i.Score), 1);
}

/// <summary>
/// Can the data be trusted? Per instrument: reference fields (name, ISIN, sector, published share count), quote
/// fields, daily-bar coverage of the last N sessions of the calendar (missing ones listed), a quote gone stale during
/// trading, and daily moves beyond the ±10% limit. For the admin page and the <c>data-quality</c> command.
/// </summary>
public sealed class DataQuality(DbContext db, CalendarCache calendar, MarketStatusService status, IMarketDataProvider provider, TimeProvider clock)
{
    public const int DefaultSessions = 60;

    /// <summary>The fields a report can name as missing (resource keys, shown in the reader's language).</summary>
    public static readonly IReadOnlyList<string> FieldNames =
        ["Name", "ISIN", "Sector", "Shares", "Last", "Open", "High", "Low", "Previous close", "Volume", "Value traded", "Time"];
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(15);

    /// <summary>Null tickers: every active instrument. Unknown tickers are returned in <c>Unknown</c> and nothing is measured.</summary>
    public async Task<(QualityReport? Report, IReadOnlyList<string> Unknown)> RunAsync(IReadOnlyList<string>? tickers, int sessions, CancellationToken cancellationToken)
    {
        var query = db.Instruments.AsNoTracking();
        List<Instrument> instruments;
        if (tickers is { Count: > 0 })
        {
            var wanted = tickers.Select(t => t.Trim().ToUpperInvariant()).Distinct().ToList();
            instruments = await query.Where(i => wanted.Contains(i.Ticker)).ToListAsync(cancellationToken);
            var unknown = wanted.Except(instruments.Select(i => i.Ticker)).ToList();
            if (unknown.Count > 0)
            {
                return (null, unknown);
            }
        }
        else
        {
            instruments = await query.Where(i => i.IsActive).OrderBy(i => i.Ticker).ToListAsync(cancellationToken);
        }

        var now = clock.GetUtcNow();
        var cal = calendar.Current;
        var today = ExchangeCalendar.ExchangeDate(now);
        var days = new List<DateOnly>();
        for (var day = cal.PreviousTradingDay(today); days.Count < sessions; day = cal.PreviousTradingDay(day))
        {
            days.Add(day);
        }
        days.Reverse();
        var before = cal.PreviousTradingDay(days[0]);
        var last = days[^1];
        var ids = instruments.Select(i => i.Id).ToList();
        var bars = (await db.DailyBars.AsNoTracking()
                .Where(b => ids.Contains(b.InstrumentId) && b.Date >= before && b.Date <= last)
                .Select(b => new { b.InstrumentId, b.Date, b.Close })
                .ToListAsync(cancellationToken))
            .ToLookup(b => b.InstrumentId);
        var quotes = await db.Quotes.AsNoTracking().Where(q => ids.Contains(q.InstrumentId)).ToDictionaryAsync(q => q.InstrumentId, cancellationToken);
        var trading = status.Now().Phase == MarketPhase.Continuous;
        var staleAfter = StaleAfter + provider.PollInterval;

        var results = instruments.Select(instrument =>
        {
            var missingReference = new List<string>();
            if (string.IsNullOrWhiteSpace(instrument.Name)) missingReference.Add("Name");
            if (string.IsNullOrWhiteSpace(instrument.Isin)) missingReference.Add("ISIN");
            if (string.IsNullOrWhiteSpace(instrument.Sector)) missingReference.Add("Sector");
            if (instrument.SharesOutstanding is null) missingReference.Add("Shares");

            var quote = quotes.GetValueOrDefault(instrument.Id);
            var missingQuote = new List<string>();
            if (quote is null)
            {
                missingQuote.AddRange(["Last", "Open", "High", "Low", "Previous close", "Volume", "Value traded", "Time"]);
            }
            else
            {
                if (quote.Last <= 0) missingQuote.Add("Last");
                if (quote.Open <= 0) missingQuote.Add("Open");
                if (quote.High <= 0) missingQuote.Add("High");
                if (quote.Low <= 0) missingQuote.Add("Low");
                if (quote.PreviousClose <= 0) missingQuote.Add("Previous close");
                if (quote.Volume < 0) missingQuote.Add("Volume");
                if (quote.ValueTraded < 0) missingQuote.Add("Value traded");
                if (quote.Time == default) missingQuote.Add("Time");
            }

            var instrumentBars = bars[instrument.Id].OrderBy(b => b.Date).ToList();
            var present = instrumentBars.Select(b => b.Date).ToHashSet();
            var breaches = new List<LimitBreach>();
            for (var i = 1; i < instrumentBars.Count; i++)
            {
                var previous = instrumentBars[i - 1].Close;
                var change = previous == 0 ? 0 : (instrumentBars[i].Close - previous) / previous * 100;
                if (Math.Abs(change) > 10.0m)
                {
                    breaches.Add(new LimitBreach(instrumentBars[i].Date, previous, instrumentBars[i].Close, Math.Round(change, 2)));
                }
            }
            return new InstrumentQuality(
                instrument.Ticker,
                instrument.Name,
                Math.Round(100m * (4 - missingReference.Count) / 4, 1),
                missingReference,
                Math.Round(100m * (8 - missingQuote.Count) / 8, 1),
                missingQuote,
                days.Count,
                days.Where(d => !present.Contains(d)).ToList(),
                quote?.Time,
                trading && (quote is null || now - quote.Time > staleAfter),
                breaches);
        }).ToList();
        return (new QualityReport(results, days[0], days[^1], days.Count), []);
    }
}
