using MarketWatch.Web.Features.Alerts;

namespace MarketWatch.Tests.Features.Alerts;

public sealed class AlertRulesTests
{
    private static readonly DateTimeOffset Morning = new(2026, 6, 10, 10, 0, 0, TimeSpan.Zero);

    /// <summary>One condition asked about one tick: what the user set, what the market did, whether it should fire.</summary>
    public sealed record Scenario(
        AlertCondition Condition, decimal? Level, decimal? Previous, decimal Last, bool Fires,
        decimal? Level2 = null, decimal Change = 0, long Volume = 0, int? Window = null,
        (decimal Low, decimal High)? Range = null, decimal? YearHigh = null, decimal? YearLow = null)
    {
        public override string ToString() =>
            $"{Condition} level {Level?.ToString() ?? "-"}{(Level2 is null ? "" : $"..{Level2}")}: {Previous?.ToString() ?? "none"} -> {Last}" +
            (Change != 0 ? $" ({Change}%)" : "") + (Volume != 0 ? $" vol {Volume}" : "") +
            (Range is { } r ? $" window {Window}min [{r.Low}, {r.High}]" : "") +
            (YearHigh is null && YearLow is null ? "" : $" year [{YearLow}, {YearHigh}]") +
            (Fires ? " fires" : " does not fire");
    }

    private static IEnumerable<Scenario> Scenarios()
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
    }

    private static IEnumerable<TestCaseData> Cases() => Scenarios().Select(s => new TestCaseData(s).SetArgDisplayNames(s.ToString()));

    private static bool Holds(Scenario s, out decimal? value, List<int>? windowsAsked = null)
    {
        var tick = new MarketTick(1, s.Last, s.Change, s.Volume, Morning);
        var context = new TickContext(s.YearHigh, s.YearLow, minutes =>
        {
            windowsAsked?.Add(minutes);
            return s.Range;
        });
        return AlertRules.Holds(s.Condition, s.Level, s.Level2, s.Window, s.Previous, tick, context, out value);
    }

    [TestCaseSource(nameof(Cases))]
    public void A_condition_fires_exactly_when_it_holds(Scenario scenario) =>
        Assert.That(Holds(scenario, out _), Is.EqualTo(scenario.Fires));

    [Test]
    public void Every_condition_has_cases_that_fire_and_cases_that_do_not()
    {
        var all = Enum.GetValues<AlertCondition>();
        Assert.That(all, Has.Length.EqualTo(14));
        Assert.That(Scenarios().Where(s => s.Fires).Select(s => s.Condition).Distinct(), Is.EquivalentTo(all));
        Assert.That(Scenarios().Where(s => !s.Fires).Select(s => s.Condition).Distinct(), Is.EquivalentTo(all));
    }

    [Test]
    public void The_measured_value_is_the_change_the_volume_or_the_move()
    {
        Assert.That(Holds(new(AlertCondition.ChangeUp, 2m, 100m, 102.5m, true, Change: 2.5m), out var change), Is.True);
        Assert.That(change, Is.EqualTo(2.5m));
        Assert.That(Holds(new(AlertCondition.ChangeDown, 2m, 100m, 97m, true, Change: -3m), out change), Is.True);
        Assert.That(change, Is.EqualTo(-3m));
        Assert.That(Holds(new(AlertCondition.VolumeAbove, 1000m, null, 50m, true, Volume: 1234), out var volume), Is.True);
        Assert.That(volume, Is.EqualTo(1234m));
        Assert.That(Holds(new(AlertCondition.MoveUpWithin, 5m, 100m, 108m, true, Window: 15, Range: (100m, 108m)), out var up), Is.True);
        Assert.That(up, Is.EqualTo(8m));
        Assert.That(Holds(new(AlertCondition.MoveDownWithin, 5m, 100m, 180m, true, Window: 15, Range: (180m, 200m)), out var down), Is.True);
        Assert.That(down, Is.EqualTo(10m));
        Assert.That(Holds(new(AlertCondition.PriceAbove, 100m, null, 101m, true), out var price), Is.True);
        Assert.That(price, Is.Null, "the price itself is not repeated as a value");
    }

    [Test]
    public void A_move_condition_asks_for_its_own_window_and_does_not_fire_without_one()
    {
        var asked = new List<int>();
        Holds(new(AlertCondition.MoveUpWithin, 5m, 100m, 105m, true, Window: 30, Range: (100m, 105m)), out _, asked);
        Assert.That(asked, Is.EqualTo(new[] { 30 }));

        Assert.That(Holds(new(AlertCondition.MoveUpWithin, 5m, 100m, 200m, false, Window: null, Range: (100m, 200m)), out _), Is.False,
            "no window set");
        Assert.That(Holds(new(AlertCondition.MoveUpWithin, 5m, 100m, 200m, false, Window: 30, Range: null), out _), Is.False,
            "no history for the window");
        var noHistory = AlertRules.Holds(AlertCondition.MoveDownWithin, 5m, null, 30, 100m, new MarketTick(1, 1m, 0, 0, Morning),
            TickContext.None, out _);
        Assert.That(noHistory, Is.False, "no window function at all");
    }

    [Test]
    public void A_move_is_never_negative_and_a_zero_reference_measures_nothing()
    {
        Assert.That(AlertRules.Move(AlertCondition.MoveUpWithin, (100m, 120m), 90m), Is.EqualTo(0m));
        Assert.That(AlertRules.Move(AlertCondition.MoveDownWithin, (80m, 100m), 110m), Is.EqualTo(0m));
        Assert.That(AlertRules.Move(AlertCondition.MoveUpWithin, (0m, 10m), 10m), Is.EqualTo(0m));
        Assert.That(AlertRules.Move(AlertCondition.MoveUpWithin, (80m, 100m), 100m), Is.EqualTo(25m));
        Assert.That(AlertRules.Move(AlertCondition.MoveDownWithin, (80m, 100m), 80m), Is.EqualTo(20m));
    }

    [Test]
    public void Only_the_two_tick_conditions_count_as_crossings()
    {
        var crossing = Enum.GetValues<AlertCondition>().Where(AlertRules.IsCrossing);
        Assert.That(crossing, Is.EquivalentTo(new[]
        {
            AlertCondition.CrossesUp, AlertCondition.CrossesDown, AlertCondition.CrossesEither,
            AlertCondition.EntersChannel, AlertCondition.ExitsChannel,
        }));
        Assert.That(Enum.GetValues<AlertCondition>().Where(c => !AlertRules.UsesLevel(c)),
            Is.EquivalentTo(new[] { AlertCondition.New52WeekHigh, AlertCondition.New52WeekLow }));
        Assert.That(Enum.GetValues<AlertCondition>().Where(AlertRules.IsPercent), Is.EquivalentTo(new[]
        {
            AlertCondition.ChangeUp, AlertCondition.ChangeDown, AlertCondition.MoveUpWithin, AlertCondition.MoveDownWithin,
        }));
    }
}
