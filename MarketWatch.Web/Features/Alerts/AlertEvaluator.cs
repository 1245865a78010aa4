namespace MarketWatch.Web.Features.Alerts;

/// <summary>
/// The engine's memory: the armed rules (<see cref="AlertBook"/>), each instrument's previous tick, its 52-week
/// range and its last four hours in minute buckets. Evaluating a tick gives the rules that hold; the caller claims
/// them and removes them (armed again only when the database says so). Not thread-safe: one loop owns it.
/// </summary>
public sealed class AlertEvaluator
{
    private readonly Dictionary<int, MarketTick> _last = [];
    private readonly Dictionary<int, (decimal? High, decimal? Low)> _year = [];
    private readonly Dictionary<int, PriceHistory> _history = [];

    public AlertBook Book { get; } = new();

    /// <summary>The session's indicator states (shared, per instrument); null: indicator conditions hold nowhere.</summary>
    public AlertIndicators? Indicators { get; set; }

    public bool TryGetLast(int instrumentId, out MarketTick tick) => _last.TryGetValue(instrumentId, out tick);

    public void SetYearRange(int instrumentId, decimal? high, decimal? low) => _year[instrumentId] = (high, low);

    /// <summary>Seeds the recent range (minute bars) so "moves by X% within N minutes" works right after a start.</summary>
    public void SeedMinute(int instrumentId, DateTimeOffset minute, decimal low, decimal high) => History(instrumentId).Add(minute, low, high);

    /// <summary>Remembers a tick without evaluating it: the starting point crossings compare with.</summary>
    public void Seed(MarketTick tick)
    {
        _last[tick.InstrumentId] = tick;
        History(tick.InstrumentId).Add(tick.Time, tick.Last, tick.Last);
    }

    /// <summary>A new tick: every armed rule of that instrument whose condition holds, the previous tick being the last one seen.</summary>
    public void Evaluate(MarketTick tick, List<Candidate> fired)
    {
        decimal? previous = _last.TryGetValue(tick.InstrumentId, out var before) ? before.Last : null;
        if (previous is not null && tick.Time < before.Time)
        {
            return; // older than what was already evaluated
        }
        _last[tick.InstrumentId] = tick;
        var history = History(tick.InstrumentId);
        history.Add(tick.Time, tick.Last, tick.Last);
        Book.Evaluate(previous, tick, Context(tick, history), fired);
    }

    /// <summary>Rules just armed (made, resumed, re-armed) against the latest tick: a level that already holds fires now.</summary>
    public void EvaluateNew(IEnumerable<ArmedRule> rules, List<Candidate> fired)
    {
        foreach (var rule in rules)
        {
            if (HoldsNow(rule.InstrumentId, rule.Condition, rule.Level, rule.Level2, rule.WindowMinutes, out var tick, out var value, rule.IndicatorPeriod))
            {
                fired.Add(new Candidate(rule, tick.Last, value, tick.Time));
            }
        }
    }

    /// <summary>
    /// Whether a condition holds at the instrument's latest tick, with no previous one (a rule armed now): what
    /// <see cref="EvaluateNew"/> fires, and what the form's "this fires immediately" warns of.
    /// </summary>
    public bool HoldsNow(int instrumentId, AlertCondition condition, decimal? level, decimal? level2, int? windowMinutes, out MarketTick tick, out decimal? value,
        int? period = null)
    {
        value = null;
        return _last.TryGetValue(instrumentId, out tick)
               && AlertRules.Holds(condition, level, level2, windowMinutes, null, tick, Context(tick, History(instrumentId)), out value, period);
    }

    /// <summary>What an indicator condition measures at the instrument's latest price (the form's "RSI(14) now 63.2"); null without it.</summary>
    public double? IndicatorNow(int instrumentId, AlertCondition condition, int? period, decimal? level)
    {
        if (!_last.TryGetValue(instrumentId, out var tick) || Indicators?.Find(instrumentId) is not { } states || !states.IsToday(tick.Time))
        {
            return null;
        }
        return condition == AlertCondition.VolumeAboveAverage ? states.RelativeVolume(tick.Volume) : states.Measure(condition, period, level, tick.Last).Value;
    }

    private TickContext Context(MarketTick tick, PriceHistory history)
    {
        var year = _year.GetValueOrDefault(tick.InstrumentId);
        return new TickContext(year.High, year.Low, minutes => history.Range(tick.Time, minutes), Indicators?.Find(tick.InstrumentId));
    }

    private PriceHistory History(int instrumentId)
    {
        if (!_history.TryGetValue(instrumentId, out var history))
        {
            _history[instrumentId] = history = new PriceHistory();
        }
        return history;
    }

    /// <summary>Low and high per minute over the longest window a condition may ask for.</summary>
    private sealed class PriceHistory
    {
        private readonly LinkedList<(long Minute, decimal Low, decimal High)> _minutes = new();

        public void Add(DateTimeOffset time, decimal low, decimal high)
        {
            var minute = time.ToUnixTimeSeconds() / 60;
            var lastNode = _minutes.Last;
            if (lastNode is not null && lastNode.Value.Minute == minute)
            {
                lastNode.Value = (minute, Math.Min(lastNode.Value.Low, low), Math.Max(lastNode.Value.High, high));
            }
            else if (lastNode is null || lastNode.Value.Minute < minute)
            {
                _minutes.AddLast((minute, low, high));
            }
            while (_minutes.First is { } first && first.Value.Minute < minute - AlertRules.MaxWindowMinutes)
            {
                _minutes.RemoveFirst();
            }
        }

        /// <summary>The range of the last <paramref name="minutes"/> minutes up to <paramref name="now"/> (this minute included).</summary>
        public (decimal Low, decimal High)? Range(DateTimeOffset now, int minutes)
        {
            var from = now.ToUnixTimeSeconds() / 60 - minutes;
            decimal? low = null, high = null;
            for (var node = _minutes.Last; node is not null && node.Value.Minute >= from; node = node.Previous)
            {
                low = low is null ? node.Value.Low : Math.Min(low.Value, node.Value.Low);
                high = high is null ? node.Value.High : Math.Max(high.Value, node.Value.High);
            }
            return low is null ? null : (low.Value, high!.Value);
        }
    }
}
