namespace MarketWatch.Web.Features.Alerts;

/// <summary>An instrument's state at one tick, as the conditions see it.</summary>
public readonly record struct MarketTick(int InstrumentId, decimal Last, decimal ChangePercent, long Volume, DateTimeOffset Time);

/// <summary>
/// What some conditions need besides the tick: the 52-week range (today excluded), the recent range, and the
/// instrument's indicator states of the session (<see cref="InstrumentIndicators"/>; null: none loaded, nothing fires).
/// </summary>
public readonly record struct TickContext(decimal? YearHigh, decimal? YearLow, Func<int, (decimal Low, decimal High)?>? Window,
    InstrumentIndicators? Indicators = null)
{
    public static TickContext None => new(null, null, null);
}

/// <summary>
/// The conditions, as pure functions of the previous price, the tick and its context. The in-memory index only
/// narrows which alerts to ask; this decides, so the engine and the tests share one definition. (The SQL sweep
/// states the same rules in SQL, see <see cref="AlertSweep"/>; a test runs the scenario table through both.)
/// </summary>
public static class AlertRules
{
    /// <summary>The value the condition measured, when it is not the price (null when it does not hold).</summary>
    /// <param name="period">The N of an indicator condition (SMA, EMA, RSI).</param>
    public static bool Holds(AlertCondition condition, decimal? level, decimal? level2, int? window, decimal? previous, MarketTick tick,
        TickContext context, out decimal? value, int? period = null)
    {
        value = null;
        var p = tick.Last;
        switch (condition)
        {
            case AlertCondition.PriceAbove:
                return p >= level;
            case AlertCondition.PriceBelow:
                return p <= level;
            case AlertCondition.CrossesUp:
                return previous < level && p >= level;
            case AlertCondition.CrossesDown:
                return previous > level && p <= level;
            case AlertCondition.CrossesEither:
                return (previous < level && p >= level) || (previous > level && p <= level);
            case AlertCondition.ChangeUp:
                value = tick.ChangePercent;
                return tick.ChangePercent >= level;
            case AlertCondition.ChangeDown:
                value = tick.ChangePercent;
                return tick.ChangePercent <= -level;
            case AlertCondition.VolumeAbove:
                value = tick.Volume;
                return tick.Volume >= level;
            case AlertCondition.MoveUpWithin:
            case AlertCondition.MoveDownWithin:
                if (window is not { } minutes || context.Window?.Invoke(minutes) is not { } range)
                {
                    return false;
                }
                var move = Move(condition, range, p);
                value = move;
                return move >= level;
            case AlertCondition.New52WeekHigh:
                return context.YearHigh is { } high && p > high;
            case AlertCondition.New52WeekLow:
                return context.YearLow is { } low && p < low;
            case AlertCondition.EntersChannel:
                return previous is { } before && !Inside(before, level, level2) && Inside(p, level, level2);
            case AlertCondition.ExitsChannel:
                return previous is { } was && Inside(was, level, level2) && !Inside(p, level, level2);
            case AlertCondition.PositionPnlCrosses:
                if (level is not { } percent || level2 is not { } price || price <= 0)
                {
                    return false; // not held: waits
                }
                var crossed = percent > 0 ? previous < price && p >= price : previous > price && p <= price;
                if (crossed)
                {
                    value = PositionPercent(percent, price, p);
                }
                return crossed;
            case AlertCondition.VolumeAboveAverage:
                if (context.Indicators is not { } volumes || !volumes.IsToday(tick.Time) || volumes.RelativeVolume(tick.Volume) is not { } multiple)
                {
                    return false;
                }
                value = Measured(multiple);
                return multiple >= (double?)level;
            case AlertCondition.SmaCrossUp or AlertCondition.EmaCrossUp or AlertCondition.RsiCrossesAbove or AlertCondition.MacdCrossesAboveSignal
                or AlertCondition.SmaCrossDown or AlertCondition.EmaCrossDown or AlertCondition.RsiCrossesBelow or AlertCondition.MacdCrossesBelowSignal:
                // The sign of (price − average), (RSI − level) or (MACD − signal) at the previous price and at this one,
                // both measured on the same closed sessions with the price as today's close.
                if (previous is not { } previousPrice || context.Indicators is not { } states || !states.IsToday(tick.Time)
                    || states.Measure(condition, period, level, previousPrice).Distance is not { } distanceBefore
                    || states.Measure(condition, period, level, p) is not { Distance: { } distanceNow, Value: { } measured })
                {
                    return false;
                }
                if (IsUpward(condition) ? distanceBefore < 0 && distanceNow >= 0 : distanceBefore > 0 && distanceNow <= 0)
                {
                    value = Measured(measured);
                    return true;
                }
                return false;
            default:
                return false;
        }
    }

    /// <summary>An indicator's measure as a firing stores it (numeric(20, 6)).</summary>
    private static decimal? Measured(double value) => double.IsFinite(value) && Math.Abs(value) < 1e12 ? Math.Round((decimal)value, 6) : null;

    /// <summary>The indicator conditions: evaluated on the session's indicator states (<see cref="InstrumentIndicators"/>).</summary>
    public static bool IsIndicator(AlertCondition condition) => condition is >= AlertCondition.SmaCrossUp and <= AlertCondition.VolumeAboveAverage;

    /// <summary>The indicator conditions that fire on the way up (the others of a pair on the way down).</summary>
    public static bool IsUpward(AlertCondition condition) => condition is AlertCondition.SmaCrossUp or AlertCondition.EmaCrossUp
        or AlertCondition.RsiCrossesAbove or AlertCondition.MacdCrossesAboveSignal;

    /// <summary>Conditions with an N (<see cref="Alert.IndicatorPeriod"/>).</summary>
    public static bool UsesPeriod(AlertCondition condition) => condition is AlertCondition.SmaCrossUp or AlertCondition.SmaCrossDown
        or AlertCondition.EmaCrossUp or AlertCondition.EmaCrossDown or AlertCondition.RsiCrossesAbove or AlertCondition.RsiCrossesBelow;

    /// <summary>The allowed N of a condition that has one.</summary>
    public static (int Min, int Max) PeriodRange(AlertCondition condition) =>
        condition is AlertCondition.RsiCrossesAbove or AlertCondition.RsiCrossesBelow ? (2, 50) : (2, 200);

    /// <summary>How far (in %) the price rose from the window's low, or fell from its high (never negative).</summary>
    public static decimal Move(AlertCondition condition, (decimal Low, decimal High) range, decimal price) => condition == AlertCondition.MoveUpWithin
        ? range.Low > 0 ? Math.Max(0, (price - range.Low) / range.Low * 100m) : 0
        : range.High > 0 ? Math.Max(0, (range.High - price) / range.High * 100m) : 0;

    /// <summary>The position's P/L (%) at <paramref name="last"/>, from its average cost = <paramref name="price"/> / (1 + percent/100).</summary>
    public static decimal PositionPercent(decimal percent, decimal price, decimal last) => (last * (1 + percent / 100m) / price - 1) * 100m;

    /// <summary>The average cost a position alert's level stands for.</summary>
    public static decimal AverageCostOf(decimal percent, decimal price) => price / (1 + percent / 100m);

    /// <summary>The price at which a position bought at <paramref name="averageCost"/> is <paramref name="percent"/> % up or down.</summary>
    public static decimal PositionLevel(decimal averageCost, decimal percent) => Math.Round(averageCost * (1 + percent / 100m), 6);

    public static bool IsPosition(AlertCondition condition) => condition == AlertCondition.PositionPnlCrosses;

    public static bool Inside(decimal price, decimal? low, decimal? high) => price >= low && price <= high;

    /// <summary>Conditions that compare two ticks: they can never hold "already" when the alert is made.</summary>
    public static bool IsCrossing(AlertCondition condition) => condition is AlertCondition.CrossesUp or AlertCondition.CrossesDown
        or AlertCondition.CrossesEither or AlertCondition.EntersChannel or AlertCondition.ExitsChannel or AlertCondition.PositionPnlCrosses
        or (>= AlertCondition.SmaCrossUp and <= AlertCondition.MacdCrossesBelowSignal);

    public static bool UsesLevel(AlertCondition condition) => condition is not (AlertCondition.New52WeekHigh or AlertCondition.New52WeekLow
        or AlertCondition.SmaCrossUp or AlertCondition.SmaCrossDown or AlertCondition.EmaCrossUp or AlertCondition.EmaCrossDown
        or AlertCondition.MacdCrossesAboveSignal or AlertCondition.MacdCrossesBelowSignal);

    public static bool UsesChannel(AlertCondition condition) => condition is AlertCondition.EntersChannel or AlertCondition.ExitsChannel;

    public static bool UsesWindow(AlertCondition condition) => condition is AlertCondition.MoveUpWithin or AlertCondition.MoveDownWithin;

    /// <summary>The level is a percentage (of the previous close, or of the window's range).</summary>
    public static bool IsPercent(AlertCondition condition) => condition is AlertCondition.ChangeUp or AlertCondition.ChangeDown
        or AlertCondition.MoveUpWithin or AlertCondition.MoveDownWithin;

    public const int MaxWindowMinutes = 240;
}
