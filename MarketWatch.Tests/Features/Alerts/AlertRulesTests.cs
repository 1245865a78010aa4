using MarketWatch.Web.Features.Alerts;

namespace MarketWatch.Tests.Features.Alerts;

public sealed class AlertRulesTests
{
    private static readonly DateTimeOffset Morning = new(2026, 6, 10, 10, 0, 0, TimeSpan.Zero);

    private static bool Holds(AlertScenario s, out decimal? value, List<int>? windowsAsked = null) => s.Holds(out value, windowsAsked);

    [TestCaseSource(typeof(AlertScenarios), nameof(AlertScenarios.Cases))]
    public void A_condition_fires_exactly_when_it_holds(AlertScenario scenario) =>
        Assert.That(Holds(scenario, out _), Is.EqualTo(scenario.Fires));

    [Test]
    public void Every_condition_has_cases_that_fire_and_cases_that_do_not()
    {
        var all = Enum.GetValues<AlertCondition>();
        Assert.That(all, Has.Length.EqualTo(24));
        Assert.That(AlertScenarios.All().Where(s => s.Fires).Select(s => s.Condition).Distinct(), Is.EquivalentTo(all));
        Assert.That(AlertScenarios.All().Where(s => !s.Fires).Select(s => s.Condition).Distinct(), Is.EquivalentTo(all));
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
    public void Only_the_two_tick_conditions_count_as_crossings_and_position_alerts_are_crossings_of_a_derived_price()
    {
        var crossing = Enum.GetValues<AlertCondition>().Where(AlertRules.IsCrossing);
        Assert.That(crossing, Is.EquivalentTo(new[]
        {
            AlertCondition.CrossesUp, AlertCondition.CrossesDown, AlertCondition.CrossesEither,
            AlertCondition.EntersChannel, AlertCondition.ExitsChannel, AlertCondition.PositionPnlCrosses,
            AlertCondition.SmaCrossUp, AlertCondition.SmaCrossDown, AlertCondition.EmaCrossUp, AlertCondition.EmaCrossDown,
            AlertCondition.RsiCrossesAbove, AlertCondition.RsiCrossesBelow, AlertCondition.MacdCrossesAboveSignal, AlertCondition.MacdCrossesBelowSignal,
        }));
        Assert.That(Enum.GetValues<AlertCondition>().Where(c => !AlertRules.UsesLevel(c)), Is.EquivalentTo(new[]
        {
            AlertCondition.New52WeekHigh, AlertCondition.New52WeekLow, AlertCondition.SmaCrossUp, AlertCondition.SmaCrossDown,
            AlertCondition.EmaCrossUp, AlertCondition.EmaCrossDown, AlertCondition.MacdCrossesAboveSignal, AlertCondition.MacdCrossesBelowSignal,
        }));
        Assert.That(Enum.GetValues<AlertCondition>().Where(AlertRules.UsesPeriod), Is.EquivalentTo(new[]
        {
            AlertCondition.SmaCrossUp, AlertCondition.SmaCrossDown, AlertCondition.EmaCrossUp, AlertCondition.EmaCrossDown,
            AlertCondition.RsiCrossesAbove, AlertCondition.RsiCrossesBelow,
        }));
        Assert.That(Enum.GetValues<AlertCondition>().Where(AlertRules.IsPercent), Is.EquivalentTo(new[]
        {
            AlertCondition.ChangeUp, AlertCondition.ChangeDown, AlertCondition.MoveUpWithin, AlertCondition.MoveDownWithin,
        }));
    }
}
