using System.Collections.Concurrent;
using MarketWatch.Web.Features.Analytics;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Portfolios;
using Npgsql;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>
/// One instrument's indicator states for the current session, seeded from its closed daily bars (the last
/// <see cref="Sessions"/>, as the market metrics use) with the step states of Analytics' <see cref="Indicators"/>.
/// A tick never changes them: the conditions ask each state for its value at a price (<c>At</c>: that price as today's
/// close), so the value at the previous tick and at this one come from the same closed sessions, in the engine and in
/// the sweep alike. States per period are built on first use and then only read (safe to share between threads).
/// </summary>
public sealed class InstrumentIndicators
{
    /// <summary>Closed sessions the states are folded over (EMA and RSI depend on their start: one window for everyone).</summary>
    public const int Sessions = 400;
    /// <summary>The sessions a volume is compared with.</summary>
    public const int VolumeSessions = 20;

    private readonly double[] _closes;
    private readonly double[] _volumes;
    private readonly ConcurrentDictionary<(AlertCondition Kind, int Period), object> _states = new();

    public InstrumentIndicators(DateOnly? lastDate, double[] closes, double[] volumes)
    {
        LastDate = lastDate;
        _closes = closes.Length > Sessions ? closes[^Sessions..] : closes;
        _volumes = volumes.Length > VolumeSessions ? volumes[^VolumeSessions..] : volumes;
    }

    public static InstrumentIndicators From(InstrumentBars bars) =>
        new(bars.Dates.Length > 0 ? bars.Dates[^1] : null, bars.Closes, bars.Volumes);

    public static readonly InstrumentIndicators None = new(null, [], []);

    /// <summary>The last closed session the states include.</summary>
    public DateOnly? LastDate { get; }

    /// <summary>
    /// Whether a quote of this time is today's point (a session after the last closed one): only then is its price
    /// "today's close". A quote of a closed session (overnight, before the bars were re-read) measures nothing.
    /// </summary>
    public bool IsToday(DateTimeOffset quoteTime) => LastDate is not { } last || ExchangeCalendar.ExchangeDate(quoteTime) > last;

    /// <summary>
    /// What an indicator condition measures at <paramref name="price"/> as today's close: the indicator's value (the
    /// SMA/EMA, the RSI, the MACD line) and the signed distance whose sign change is the crossing (price − average,
    /// RSI − level, MACD − signal). Nulls without enough history.
    /// </summary>
    public (double? Value, double? Distance) Measure(AlertCondition condition, int? period, decimal? level, decimal price)
    {
        var p = (double)price;
        switch (condition)
        {
            case AlertCondition.SmaCrossUp or AlertCondition.SmaCrossDown when period is >= 1:
                var sma = ((Sma)State(AlertCondition.SmaCrossUp, period.Value)).At(p);
                return (sma, p - sma);
            case AlertCondition.EmaCrossUp or AlertCondition.EmaCrossDown when period is >= 1:
                var ema = ((Ema)State(AlertCondition.EmaCrossUp, period.Value)).At(p);
                return (ema, p - ema);
            case AlertCondition.RsiCrossesAbove or AlertCondition.RsiCrossesBelow when period is >= 1:
                var rsi = ((Rsi)State(AlertCondition.RsiCrossesAbove, period.Value)).At(p);
                return (rsi, rsi - (double?)level);
            case AlertCondition.MacdCrossesAboveSignal or AlertCondition.MacdCrossesBelowSignal:
                var macd = ((Macd)State(AlertCondition.MacdCrossesAboveSignal, 0)).At(p);
                return (macd.Macd, macd.Histogram);
            default:
                return (null, null);
        }
    }

    /// <summary>Today's volume as a multiple of the last <see cref="VolumeSessions"/> closed sessions' average (null without them).</summary>
    public double? RelativeVolume(long volume) => Indicators.RelativeVolume(volume, _volumes);

    private object State(AlertCondition kind, int period) => _states.GetOrAdd((kind, period), key =>
    {
        switch (key.Kind)
        {
            case AlertCondition.SmaCrossUp:
                var sma = new Sma(key.Period);
                foreach (var close in _closes.AsSpan(Math.Max(0, _closes.Length - key.Period)))
                {
                    sma.Next(close);
                }
                return sma;
            case AlertCondition.EmaCrossUp:
                var ema = new Ema(key.Period);
                foreach (var close in _closes)
                {
                    ema.Next(close);
                }
                return ema;
            case AlertCondition.RsiCrossesAbove:
                var rsi = new Rsi(key.Period);
                foreach (var close in _closes)
                {
                    rsi.Next(close);
                }
                return rsi;
            default:
                var macd = new Macd();
                foreach (var close in _closes)
                {
                    macd.Next(close);
                }
                return macd;
        }
    });
}

/// <summary>
/// Every instrument's <see cref="InstrumentIndicators"/> for the current session, shared by the engine, the sweep and
/// the alert form: seeded from closed daily bars once per session (re-read every <see cref="PerformanceMarket.MaxAge"/>
/// so imported bars show), only for the instruments an indicator alert asks about, in one query per load.
/// </summary>
public sealed class AlertIndicators(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private sealed record Seeded(DateOnly Session, DateTimeOffset LoadedAt, IReadOnlyDictionary<int, InstrumentIndicators> ById);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Seeded _current = new(DateOnly.MinValue, DateTimeOffset.MinValue, new Dictionary<int, InstrumentIndicators>());

    /// <summary>Loads (if not yet this session) the states of these instruments; returns them all.</summary>
    public async Task<IReadOnlyDictionary<int, InstrumentIndicators>> LoadAsync(IEnumerable<int> instrumentIds, CancellationToken cancellationToken)
    {
        var ids = instrumentIds.ToHashSet();
        var current = Fresh();
        if (current is not null && ids.All(current.ById.ContainsKey))
        {
            return current.ById;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            current = Fresh() ?? new Seeded(Today(), clock.GetUtcNow(), new Dictionary<int, InstrumentIndicators>());
            var missing = ids.Where(id => !current.ById.ContainsKey(id)).ToArray();
            if (missing.Length > 0)
            {
                var byId = new Dictionary<int, InstrumentIndicators>(current.ById);
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                // Two years of calendar days hold more than the Sessions the states are folded over.
                var bars = await MarketMetrics.ReadBarsAsync(connection, current.Session.AddYears(-2), current.Session, cancellationToken, missing);
                foreach (var id in missing)
                {
                    byId[id] = bars.TryGetValue(id, out var series) ? InstrumentIndicators.From(series) : InstrumentIndicators.None;
                }
                current = current with { ById = byId };
            }
            Volatile.Write(ref _current, current);
            return current.ById;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The loaded states of an instrument (null when not loaded this session: nothing fires on them).</summary>
    public InstrumentIndicators? Find(int instrumentId) => Fresh()?.ById.GetValueOrDefault(instrumentId);

    private Seeded? Fresh()
    {
        var current = Volatile.Read(ref _current);
        return current.Session == Today() && clock.GetUtcNow() - current.LoadedAt < PerformanceMarket.MaxAge ? current : null;
    }

    private DateOnly Today() => ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
}
