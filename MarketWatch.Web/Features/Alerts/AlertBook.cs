namespace MarketWatch.Web.Features.Alerts;

/// <summary>
/// One armed (alert, instrument) pair, as the engine holds it. <see cref="ArmedAt"/> identifies this arming: a claim
/// carries it, so a match against a rule since edited or re-armed claims nothing. <see cref="ArmedQuoteTime"/> is the
/// time of the quote it was armed at (the provider's clock): see <see cref="Fresh"/>.
/// </summary>
public sealed record ArmedRule(
    long AlertId, int InstrumentId, AlertCondition Condition, decimal? Level, decimal? Level2, int? WindowMinutes,
    bool SessionOnly, DateTimeOffset? ExpiresAt, DateTimeOffset ArmedAt = default, DateTimeOffset? ArmedQuoteTime = null, bool FiredBefore = false,
    int? IndicatorPeriod = null)
{
    /// <summary>
    /// Whether a tick of this time may fire the rule: a crossing only on a quote newer than the one it was armed at
    /// (the engine's previous tick may be older than the arming); a level condition that already fired, likewise (not
    /// yesterday's last quote again at the open). A level condition never fired may fire on the quote it was armed at.
    /// </summary>
    public bool Fresh(DateTimeOffset tickTime) =>
        ArmedQuoteTime is not { } armedQuote || tickTime > armedQuote || (!FiredBefore && !AlertRules.IsCrossing(Condition));
}

/// <summary>A rule whose condition held on a tick (of this time), with what it measured.</summary>
public readonly record struct Candidate(ArmedRule Rule, decimal Price, decimal? Value, DateTimeOffset Time = default);

/// <summary>
/// The armed alerts indexed per instrument and condition: thresholds in sorted sets, so a tick asks only for the
/// range between the previous price and this one (or up to this one, for "at or above" conditions) and costs
/// O(log n + fired) however many alerts are armed. Not thread-safe: the engine serialises access.
/// </summary>
public sealed class AlertBook
{
    private readonly Dictionary<int, InstrumentBook> _books = [];
    private readonly Dictionary<long, List<ArmedRule>> _byAlert = [];

    public int Count { get; private set; }

    /// <summary>The instruments with indicator rules armed: whose indicator states the engine keeps loaded.</summary>
    public IEnumerable<int> IndicatorInstruments => _books.Where(b => b.Value.IndicatorCount > 0).Select(b => b.Key);

    /// <summary>The windows (minutes) of the move conditions armed on an instrument: what its price history must keep.</summary>
    public int LongestWindow(int instrumentId) => _books.TryGetValue(instrumentId, out var book) ? book.LongestWindow : 0;

    public void Add(ArmedRule rule)
    {
        if (!_books.TryGetValue(rule.InstrumentId, out var book))
        {
            _books[rule.InstrumentId] = book = new InstrumentBook();
        }
        if (!_byAlert.TryGetValue(rule.AlertId, out var rules))
        {
            _byAlert[rule.AlertId] = rules = [];
        }
        if (rules.Exists(r => r.InstrumentId == rule.InstrumentId))
        {
            return;
        }
        rules.Add(rule);
        book.Add(rule);
        Count++;
    }

    public void Remove(ArmedRule rule)
    {
        if (_byAlert.TryGetValue(rule.AlertId, out var rules) && rules.RemoveAll(r => r.InstrumentId == rule.InstrumentId) > 0)
        {
            if (rules.Count == 0)
            {
                _byAlert.Remove(rule.AlertId);
            }
            _books[rule.InstrumentId].Remove(rule);
            Count--;
        }
    }

    public void RemoveAlert(long alertId)
    {
        if (_byAlert.Remove(alertId, out var rules))
        {
            foreach (var rule in rules)
            {
                _books[rule.InstrumentId].Remove(rule);
                Count--;
            }
        }
    }

    public void Clear()
    {
        _books.Clear();
        _byAlert.Clear();
        Count = 0;
    }

    /// <summary>Adds to <paramref name="fired"/> every armed rule of the instrument whose condition holds on this tick.</summary>
    public void Evaluate(decimal? previous, MarketTick tick, TickContext context, List<Candidate> fired)
    {
        if (_books.TryGetValue(tick.InstrumentId, out var book))
        {
            book.Evaluate(previous, tick, context, fired);
        }
    }

    private readonly record struct Entry(decimal Key, long AlertId, ArmedRule? Rule);

    private sealed class EntryOrder : IComparer<Entry>
    {
        public static readonly EntryOrder Instance = new();

        public int Compare(Entry x, Entry y)
        {
            var byKey = x.Key.CompareTo(y.Key);
            return byKey != 0 ? byKey : x.AlertId.CompareTo(y.AlertId);
        }
    }

    private sealed class Levels
    {
        private readonly SortedSet<Entry> _set = new(EntryOrder.Instance);

        public int Count => _set.Count;

        public void Add(decimal key, ArmedRule rule) => _set.Add(new Entry(key, rule.AlertId, rule));

        public void Remove(decimal key, ArmedRule rule) => _set.Remove(new Entry(key, rule.AlertId, null));

        /// <summary>Rules with from ≤ key ≤ to, in O(log n + found).</summary>
        public IEnumerable<ArmedRule> Between(decimal from, decimal to)
        {
            if (_set.Count == 0 || from > to || to < _set.Min.Key || from > _set.Max.Key)
            {
                return [];
            }
            return _set.GetViewBetween(new Entry(from, long.MinValue, null), new Entry(to, long.MaxValue, null)).Select(e => e.Rule!);
        }

        public IEnumerable<ArmedRule> AtMost(decimal to) => _set.Count == 0 ? [] : Between(_set.Min.Key, to);

        public IEnumerable<ArmedRule> AtLeast(decimal from) => _set.Count == 0 ? [] : Between(from, _set.Max.Key);
    }

    private sealed class InstrumentBook
    {
        private readonly Levels _above = new();
        private readonly Levels _below = new();
        /// <summary>Crossing levels (up, down and either): a tick asks for the levels between the two prices.</summary>
        private readonly Levels _crossing = new();
        private readonly Levels _changeUp = new();
        private readonly Levels _changeDown = new();
        private readonly Levels _volume = new();
        private readonly SortedDictionary<int, Levels> _moveUp = [];
        private readonly SortedDictionary<int, Levels> _moveDown = [];
        private readonly HashSet<ArmedRule> _yearHigh = [];
        private readonly HashSet<ArmedRule> _yearLow = [];
        /// <summary>Channels by their low and by their high: entering or leaving one means one of its edges was crossed.</summary>
        private readonly Levels _channelLow = new();
        private readonly Levels _channelHigh = new();
        /// <summary>Indicator rules: few per instrument, each asked on every tick (the states answer in O(1)).</summary>
        private readonly HashSet<ArmedRule> _indicators = [];

        public int IndicatorCount => _indicators.Count;

        public int LongestWindow => Math.Max(_moveUp.Count > 0 ? _moveUp.Keys.Max() : 0, _moveDown.Count > 0 ? _moveDown.Keys.Max() : 0);

        public void Add(ArmedRule rule) => Change(rule, add: true);

        public void Remove(ArmedRule rule) => Change(rule, add: false);

        private void Change(ArmedRule rule, bool add)
        {
            var level = rule.Level ?? 0;
            switch (rule.Condition)
            {
                case AlertCondition.PriceAbove: Apply(_above, level, rule, add); break;
                case AlertCondition.PriceBelow: Apply(_below, level, rule, add); break;
                case AlertCondition.CrossesUp or AlertCondition.CrossesDown or AlertCondition.CrossesEither: Apply(_crossing, level, rule, add); break;
                case AlertCondition.ChangeUp: Apply(_changeUp, level, rule, add); break;
                case AlertCondition.ChangeDown: Apply(_changeDown, level, rule, add); break;
                case AlertCondition.VolumeAbove: Apply(_volume, level, rule, add); break;
                case AlertCondition.MoveUpWithin: ApplyWindow(_moveUp, rule, add); break;
                case AlertCondition.MoveDownWithin: ApplyWindow(_moveDown, rule, add); break;
                case AlertCondition.New52WeekHigh: _ = add ? _yearHigh.Add(rule) : _yearHigh.Remove(rule); break;
                case AlertCondition.New52WeekLow: _ = add ? _yearLow.Add(rule) : _yearLow.Remove(rule); break;
                // Kept as the price the percentage stands for at the position's average cost (none while not held).
                case AlertCondition.PositionPnlCrosses when rule.Level2 is { } price: Apply(_crossing, price, rule, add); break;
                case >= AlertCondition.SmaCrossUp and <= AlertCondition.VolumeAboveAverage: _ = add ? _indicators.Add(rule) : _indicators.Remove(rule); break;
                case AlertCondition.EntersChannel or AlertCondition.ExitsChannel:
                    Apply(_channelLow, level, rule, add);
                    Apply(_channelHigh, rule.Level2 ?? 0, rule, add);
                    break;
            }
        }

        private static void Apply(Levels levels, decimal key, ArmedRule rule, bool add)
        {
            if (add)
            {
                levels.Add(key, rule);
            }
            else
            {
                levels.Remove(key, rule);
            }
        }

        private static void ApplyWindow(SortedDictionary<int, Levels> windows, ArmedRule rule, bool add)
        {
            var minutes = rule.WindowMinutes ?? 0;
            if (!windows.TryGetValue(minutes, out var levels))
            {
                if (!add)
                {
                    return;
                }
                windows[minutes] = levels = new Levels();
            }
            Apply(levels, rule.Level ?? 0, rule, add);
            if (levels.Count == 0)
            {
                windows.Remove(minutes);
            }
        }

        public void Evaluate(decimal? previous, MarketTick tick, TickContext context, List<Candidate> fired)
        {
            var p = tick.Last;
            Check(_above.AtMost(p), previous, tick, context, fired);
            Check(_below.AtLeast(p), previous, tick, context, fired);
            Check(_changeUp.AtMost(tick.ChangePercent), previous, tick, context, fired);
            Check(_changeDown.AtMost(-tick.ChangePercent), previous, tick, context, fired);
            Check(_volume.AtMost(tick.Volume), previous, tick, context, fired);
            if (previous is { } before && before != p)
            {
                var (low, high) = before < p ? (before, p) : (p, before);
                Check(_crossing.Between(low, high), previous, tick, context, fired);
                // A channel is entered or left only if the move went over one of its edges.
                var edges = _channelLow.Between(low, high).Concat(_channelHigh.Between(low, high)).Distinct();
                Check(edges, previous, tick, context, fired);
            }
            foreach (var (minutes, levels) in _moveUp)
            {
                if (context.Window?.Invoke(minutes) is { } range)
                {
                    Check(levels.AtMost(AlertRules.Move(AlertCondition.MoveUpWithin, range, p)), previous, tick, context, fired);
                }
            }
            foreach (var (minutes, levels) in _moveDown)
            {
                if (context.Window?.Invoke(minutes) is { } range)
                {
                    Check(levels.AtMost(AlertRules.Move(AlertCondition.MoveDownWithin, range, p)), previous, tick, context, fired);
                }
            }
            if (context.YearHigh is { } yearHigh && p > yearHigh)
            {
                Check(_yearHigh, previous, tick, context, fired);
            }
            if (context.YearLow is { } yearLow && p < yearLow)
            {
                Check(_yearLow, previous, tick, context, fired);
            }
            if (_indicators.Count > 0 && context.Indicators is not null)
            {
                Check(_indicators, previous, tick, context, fired);
            }
        }

        private static void Check(IEnumerable<ArmedRule> rules, decimal? previous, MarketTick tick, TickContext context, List<Candidate> fired)
        {
            foreach (var rule in rules)
            {
                if (AlertRules.Holds(rule.Condition, rule.Level, rule.Level2, rule.WindowMinutes, previous, tick, context, out var value, rule.IndicatorPeriod))
                {
                    fired.Add(new Candidate(rule, tick.Last, value, tick.Time));
                }
            }
        }
    }
}
