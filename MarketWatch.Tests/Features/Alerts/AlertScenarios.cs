using MarketWatch.Web.Features.Alerts;

namespace MarketWatch.Tests.Features.Alerts;

/// <summary>
/// The table of condition scenarios, one source for both definitions of the rules: <see cref="AlertRulesTests"/> asks
/// the in-memory rules, <see cref="AlertSweepAgreementTests"/> asks the SQL sweep and demands the same answer.
/// </summary>
public static class AlertScenarios
{
    /// <summary>
    /// 40 closed sessions at 10 (one array, so equal scenarios stay equal): every average is 10, and with today's price p
    /// as today's close p − SMA, p − EMA and MACD − signal all have the sign of p − 10; RSI is 50 at 10, 100 above, 0 below.
    /// </summary>
    private static readonly double[] Flat = Enumerable.Repeat(10.0, 40).ToArray();

    /// <summary>Too few sessions for any of them (SMA(3) needs two, MACD 34, RSI(14) fourteen).</summary>
    private static readonly double[] Short = [10.0];

    public static IEnumerable<AlertScenario> All()
    {
        // Price at or above / at or below: the level itself counts.
        yield return new(AlertCondition.PriceAbove, 100m, null, 100m, true);
        yield return new(AlertCondition.PriceAbove, 100m, null, 100.01m, true);
        yield return new(AlertCondition.PriceAbove, 100m, null, 99.99m, false);
        yield return new(AlertCondition.PriceBelow, 100m, null, 100m, true);
        yield return new(AlertCondition.PriceBelow, 100m, null, 99.99m, true);
        yield return new(AlertCondition.PriceBelow, 100m, null, 100.01m, false);

        // Crossing up: previous below the level, this tick at or above it.
        yield return new(AlertCondition.CrossesUp, 100m, 99.99m, 100m, true);
        yield return new(AlertCondition.CrossesUp, 100m, 99m, 101m, true);
        yield return new(AlertCondition.CrossesUp, 100m, 99m, 99.99m, false);
        yield return new(AlertCondition.CrossesUp, 100m, 100m, 101m, false); // was already at the level
        yield return new(AlertCondition.CrossesUp, 100m, 101m, 102m, false); // stays above
        yield return new(AlertCondition.CrossesUp, 100m, 101m, 99m, false);  // the other way
        yield return new(AlertCondition.CrossesUp, 100m, null, 101m, false); // first tick seen

        // Crossing down: previous above the level, this tick at or below it.
        yield return new(AlertCondition.CrossesDown, 100m, 100.01m, 100m, true);
        yield return new(AlertCondition.CrossesDown, 100m, 101m, 99m, true);
        yield return new(AlertCondition.CrossesDown, 100m, 101m, 100.01m, false);
        yield return new(AlertCondition.CrossesDown, 100m, 100m, 99m, false);
        yield return new(AlertCondition.CrossesDown, 100m, 99m, 98m, false);
        yield return new(AlertCondition.CrossesDown, 100m, 99m, 101m, false);
        yield return new(AlertCondition.CrossesDown, 100m, null, 99m, false);

        // Crossing either way.
        yield return new(AlertCondition.CrossesEither, 100m, 99m, 100m, true);
        yield return new(AlertCondition.CrossesEither, 100m, 101m, 100m, true);
        yield return new(AlertCondition.CrossesEither, 100m, 99m, 101m, true);
        yield return new(AlertCondition.CrossesEither, 100m, 101m, 99m, true);
        yield return new(AlertCondition.CrossesEither, 100m, 101m, 102m, false);
        yield return new(AlertCondition.CrossesEither, 100m, 99m, 98m, false);
        yield return new(AlertCondition.CrossesEither, 100m, 100m, 100m, false);
        yield return new(AlertCondition.CrossesEither, 100m, null, 100m, false);

        // Change against the previous close: up by level % or more, down by level % or more.
        yield return new(AlertCondition.ChangeUp, 2m, 100m, 102m, true, Change: 2m);
        yield return new(AlertCondition.ChangeUp, 2m, 100m, 105m, true, Change: 5m);
        yield return new(AlertCondition.ChangeUp, 2m, 100m, 101.99m, false, Change: 1.99m);
        yield return new(AlertCondition.ChangeUp, 2m, 100m, 97m, false, Change: -3m);
        yield return new(AlertCondition.ChangeDown, 2m, 100m, 98m, true, Change: -2m);
        yield return new(AlertCondition.ChangeDown, 2m, 100m, 95m, true, Change: -5m);
        yield return new(AlertCondition.ChangeDown, 2m, 100m, 98.01m, false, Change: -1.99m);
        yield return new(AlertCondition.ChangeDown, 2m, 100m, 103m, false, Change: 3m);

        // Volume traded today.
        yield return new(AlertCondition.VolumeAbove, 1000m, null, 50m, true, Volume: 1000);
        yield return new(AlertCondition.VolumeAbove, 1000m, null, 50m, true, Volume: 250_000);
        yield return new(AlertCondition.VolumeAbove, 1000m, null, 50m, false, Volume: 999);

        // Moves within a window: from the window's low (up) or high (down).
        yield return new(AlertCondition.MoveUpWithin, 5m, 104m, 105m, true, Window: 15, Range: (100m, 105m));
        yield return new(AlertCondition.MoveUpWithin, 5m, 104m, 110m, true, Window: 15, Range: (100m, 110m));
        yield return new(AlertCondition.MoveUpWithin, 5m, 104m, 104.99m, false, Window: 15, Range: (100m, 104.99m));
        yield return new(AlertCondition.MoveUpWithin, 5m, 104m, 95m, false, Window: 15, Range: (95m, 104m));
        yield return new(AlertCondition.MoveDownWithin, 5m, 96m, 95m, true, Window: 15, Range: (95m, 100m));
        yield return new(AlertCondition.MoveDownWithin, 5m, 96m, 90m, true, Window: 15, Range: (90m, 100m));
        yield return new(AlertCondition.MoveDownWithin, 5m, 96m, 95.01m, false, Window: 15, Range: (95.01m, 100m));
        yield return new(AlertCondition.MoveDownWithin, 5m, 96m, 110m, false, Window: 15, Range: (96m, 110m));

        // A new 52-week high or low: strictly beyond the range of the previous 52 weeks.
        yield return new(AlertCondition.New52WeekHigh, null, 119m, 120.01m, true, YearHigh: 120m, YearLow: 80m);
        yield return new(AlertCondition.New52WeekHigh, null, 119m, 120m, false, YearHigh: 120m, YearLow: 80m);
        yield return new(AlertCondition.New52WeekHigh, null, 119m, 119.99m, false, YearHigh: 120m, YearLow: 80m);
        yield return new(AlertCondition.New52WeekHigh, null, 119m, 500m, false); // no range known
        yield return new(AlertCondition.New52WeekLow, null, 81m, 79.99m, true, YearHigh: 120m, YearLow: 80m);
        yield return new(AlertCondition.New52WeekLow, null, 81m, 80m, false, YearHigh: 120m, YearLow: 80m);
        yield return new(AlertCondition.New52WeekLow, null, 81m, 80.01m, false, YearHigh: 120m, YearLow: 80m);
        yield return new(AlertCondition.New52WeekLow, null, 81m, 1m, false);

        // Channel [100, 110], edges included.
        yield return new(AlertCondition.EntersChannel, 100m, 99.99m, 100m, true, Level2: 110m);
        yield return new(AlertCondition.EntersChannel, 100m, 110.01m, 110m, true, Level2: 110m);  // from above
        yield return new(AlertCondition.EntersChannel, 100m, 120m, 105m, true, Level2: 110m);
        yield return new(AlertCondition.EntersChannel, 100m, 99m, 111m, false, Level2: 110m);     // clean over it
        yield return new(AlertCondition.EntersChannel, 100m, 111m, 99m, false, Level2: 110m);
        yield return new(AlertCondition.EntersChannel, 100m, 105m, 106m, false, Level2: 110m);    // already inside
        yield return new(AlertCondition.EntersChannel, 100m, 98m, 99.99m, false, Level2: 110m);
        yield return new(AlertCondition.EntersChannel, 100m, null, 105m, false, Level2: 110m);    // first tick seen
        yield return new(AlertCondition.ExitsChannel, 100m, 100m, 99.99m, true, Level2: 110m);
        yield return new(AlertCondition.ExitsChannel, 100m, 110m, 110.01m, true, Level2: 110m);
        yield return new(AlertCondition.ExitsChannel, 100m, 105m, 120m, true, Level2: 110m);
        yield return new(AlertCondition.ExitsChannel, 100m, 105m, 110m, false, Level2: 110m);
        yield return new(AlertCondition.ExitsChannel, 100m, 99m, 111m, false, Level2: 110m);      // was never inside
        yield return new(AlertCondition.ExitsChannel, 100m, 111m, 120m, false, Level2: 110m);
        yield return new(AlertCondition.ExitsChannel, 100m, null, 120m, false, Level2: 110m);

        // Position P/L from average cost: level = X %, level2 = the price it stands for (average cost 100 here);
        // negative X on the way down (stop-loss), positive on the way up (take-profit); no level2 = none held.
        yield return new(AlertCondition.PositionPnlCrosses, -10m, 91m, 90m, true, Level2: 90m);
        yield return new(AlertCondition.PositionPnlCrosses, -10m, 95m, 85m, true, Level2: 90m);
        yield return new(AlertCondition.PositionPnlCrosses, -10m, 89m, 88m, false, Level2: 90m);   // already below
        yield return new(AlertCondition.PositionPnlCrosses, -10m, 89m, 91m, false, Level2: 90m);   // the other way
        yield return new(AlertCondition.PositionPnlCrosses, -10m, null, 85m, false, Level2: 90m);  // first tick seen
        yield return new(AlertCondition.PositionPnlCrosses, 20m, 119m, 120m, true, Level2: 120m);
        yield return new(AlertCondition.PositionPnlCrosses, 20m, 110m, 126m, true, Level2: 120m);
        yield return new(AlertCondition.PositionPnlCrosses, 20m, 121m, 119m, false, Level2: 120m); // a take-profit waits for the way up
        yield return new(AlertCondition.PositionPnlCrosses, -10m, 95m, 85m, false);                 // sold out: waits

        // The price crosses its SMA / EMA (N = 3): the sign of price − average at the previous price and at this one.
        foreach (var (up, down) in new[] { (AlertCondition.SmaCrossUp, AlertCondition.SmaCrossDown), (AlertCondition.EmaCrossUp, AlertCondition.EmaCrossDown) })
        {
            yield return new(up, null, 9m, 11m, true, Closes: Flat, Period: 3);
            yield return new(up, null, 9.99m, 10m, true, Closes: Flat, Period: 3);   // onto the average counts
            yield return new(up, null, 9m, 9.5m, false, Closes: Flat, Period: 3);
            yield return new(up, null, 10m, 11m, false, Closes: Flat, Period: 3);    // was already on it
            yield return new(up, null, 11m, 12m, false, Closes: Flat, Period: 3);
            yield return new(up, null, 11m, 9m, false, Closes: Flat, Period: 3);     // the other way
            yield return new(up, null, null, 11m, false, Closes: Flat, Period: 3);   // first tick seen
            yield return new(up, null, 9m, 11m, false, Closes: Short, Period: 3);    // not enough history
            yield return new(up, null, 9m, 11m, false, Period: 3);                   // no bars at all
            yield return new(down, null, 11m, 9m, true, Closes: Flat, Period: 3);
            yield return new(down, null, 10.01m, 10m, true, Closes: Flat, Period: 3);
            yield return new(down, null, 9m, 8m, false, Closes: Flat, Period: 3);
            yield return new(down, null, 9m, 11m, false, Closes: Flat, Period: 3);
            yield return new(down, null, null, 9m, false, Closes: Flat, Period: 3);
        }
        // A 20-session SMA over 40 flat closes and a 200-session one over too few.
        yield return new(AlertCondition.SmaCrossUp, null, 9m, 11m, true, Closes: Flat, Period: 20);
        yield return new(AlertCondition.SmaCrossUp, null, 9m, 11m, false, Closes: Flat, Period: 200);

        // RSI(14) crosses a level: 50 at 10, 100 above, 0 below.
        yield return new(AlertCondition.RsiCrossesAbove, 70m, 10m, 11m, true, Closes: Flat, Period: 14);
        yield return new(AlertCondition.RsiCrossesAbove, 70m, 11m, 12m, false, Closes: Flat, Period: 14);   // already above
        yield return new(AlertCondition.RsiCrossesAbove, 70m, 10m, 9m, false, Closes: Flat, Period: 14);
        yield return new(AlertCondition.RsiCrossesAbove, 50m, 9m, 10m, true, Closes: Flat, Period: 14);     // onto the level counts
        yield return new(AlertCondition.RsiCrossesAbove, 70m, 10m, 11m, false, Closes: Short, Period: 14);
        yield return new(AlertCondition.RsiCrossesBelow, 30m, 10m, 9m, true, Closes: Flat, Period: 14);
        yield return new(AlertCondition.RsiCrossesBelow, 30m, 9m, 8m, false, Closes: Flat, Period: 14);
        yield return new(AlertCondition.RsiCrossesBelow, 30m, 10m, 11m, false, Closes: Flat, Period: 14);
        yield return new(AlertCondition.RsiCrossesBelow, 30m, null, 9m, false, Closes: Flat, Period: 14);

        // MACD(12, 26, 9) crosses its signal: on flat closes MACD − signal has the sign of p − 10.
        yield return new(AlertCondition.MacdCrossesAboveSignal, null, 9m, 11m, true, Closes: Flat);
        yield return new(AlertCondition.MacdCrossesAboveSignal, null, 11m, 12m, false, Closes: Flat);
        yield return new(AlertCondition.MacdCrossesAboveSignal, null, 9m, 11m, false, Closes: Short);
        yield return new(AlertCondition.MacdCrossesBelowSignal, null, 11m, 9m, true, Closes: Flat);
        yield return new(AlertCondition.MacdCrossesBelowSignal, null, 9m, 8m, false, Closes: Flat);
        yield return new(AlertCondition.MacdCrossesBelowSignal, null, null, 9m, false, Closes: Flat);

        // Today's volume against Level × the last 20 sessions' average (1000 shares each).
        yield return new(AlertCondition.VolumeAboveAverage, 2m, null, 10m, true, Volume: 2000, Closes: Flat);
        yield return new(AlertCondition.VolumeAboveAverage, 2m, null, 10m, true, Volume: 5000, Closes: Flat);
        yield return new(AlertCondition.VolumeAboveAverage, 1.5m, null, 10m, true, Volume: 1500, Closes: Flat);
        yield return new(AlertCondition.VolumeAboveAverage, 2m, null, 10m, false, Volume: 1999, Closes: Flat);
        yield return new(AlertCondition.VolumeAboveAverage, 2m, null, 10m, false, Volume: 5000);                 // no history
        yield return new(AlertCondition.VolumeAboveAverage, 2m, null, 10m, false, Volume: 5000, Closes: Flat, BarVolume: 0); // never traded
    }

    public static IEnumerable<TestCaseData> Cases() => All().Select(s => new TestCaseData(s).SetArgDisplayNames(s.ToString()));
}
