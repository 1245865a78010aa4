using MarketWatch.Web.Features.Alerts;

namespace MarketWatch.Tests.Features.Alerts;

/// <summary>The in-memory index (<see cref="AlertBook"/>) and the engine's memory of ticks (<see cref="AlertEvaluator"/>).</summary>
public sealed class AlertEngineTests
{
    private const int Atw = 1;
    private const int Iam = 2;
    private static readonly DateTimeOffset Open = new(2026, 6, 10, 9, 30, 0, TimeSpan.Zero);

    private static long _nextId;

    private static ArmedRule Rule(AlertCondition condition, decimal? level, int instrument = Atw, decimal? level2 = null, int? window = null, long? id = null) =>
        new(id ?? Interlocked.Increment(ref _nextId), instrument, condition, level, level2, window, SessionOnly: true, ExpiresAt: null);

    private static MarketTick Tick(decimal last, int instrument = Atw, decimal change = 0, long volume = 0, DateTimeOffset? at = null) =>
        new(instrument, last, change, volume, at ?? Open);

    private static List<Candidate> Evaluate(AlertBook book, decimal? previous, decimal last, int instrument = Atw, decimal change = 0, long volume = 0)
    {
        var fired = new List<Candidate>();
        book.Evaluate(previous, Tick(last, instrument, change, volume), TickContext.None, fired);
        return fired;
    }

    private static List<Candidate> Evaluate(AlertEvaluator evaluator, MarketTick tick)
    {
        var fired = new List<Candidate>();
        evaluator.Evaluate(tick, fired);
        return fired;
    }

    private static AlertBook Book(params ArmedRule[] rules)
    {
        var book = new AlertBook();
        foreach (var rule in rules)
        {
            book.Add(rule);
        }
        return book;
    }

    private static IEnumerable<decimal?> Levels(IEnumerable<Candidate> fired) => fired.Select(c => c.Rule.Level).Order();

    // ---- AlertBook ----

    [Test]
    public void Price_above_and_below_fire_every_level_the_price_is_at_or_beyond()
    {
        var book = Book(
            Rule(AlertCondition.PriceAbove, 99m), Rule(AlertCondition.PriceAbove, 100m), Rule(AlertCondition.PriceAbove, 101m),
            Rule(AlertCondition.PriceBelow, 99m), Rule(AlertCondition.PriceBelow, 100m), Rule(AlertCondition.PriceBelow, 101m));
        var fired = Evaluate(book, 98m, 100m);
        Assert.That(fired.Where(c => c.Rule.Condition == AlertCondition.PriceAbove).Select(c => c.Rule.Level), Is.EquivalentTo(new decimal?[] { 99m, 100m }));
        Assert.That(fired.Where(c => c.Rule.Condition == AlertCondition.PriceBelow).Select(c => c.Rule.Level), Is.EquivalentTo(new decimal?[] { 100m, 101m }));
        Assert.That(fired.Select(c => c.Price), Is.All.EqualTo(100m));
    }

    [Test]
    public void Crossing_up_fires_once_on_the_way_up_and_not_again_while_the_price_stays_above()
    {
        var book = Book(Rule(AlertCondition.CrossesUp, 100m));
        Assert.That(Evaluate(book, 99.5m, 100m), Has.Count.EqualTo(1), "reaching the level from below");
        Assert.That(Evaluate(book, 100m, 101m), Is.Empty, "the rule is still in the book, but the price was already up there");
        Assert.That(Evaluate(book, 101m, 102m), Is.Empty);
        Assert.That(Evaluate(book, 102m, 99m), Is.Empty, "going down is not crossing up");
        Assert.That(Evaluate(book, 99m, 101m), Has.Count.EqualTo(1), "up again after going back below");
        Assert.That(Evaluate(book, 98m, 99.99m), Is.Empty, "just short of the level");
    }

    [Test]
    public void Crossing_down_is_the_mirror_image()
    {
        var book = Book(Rule(AlertCondition.CrossesDown, 100m));
        Assert.That(Evaluate(book, 100.5m, 100m), Has.Count.EqualTo(1));
        Assert.That(Evaluate(book, 100m, 99m), Is.Empty);
        Assert.That(Evaluate(book, 99m, 98m), Is.Empty);
        Assert.That(Evaluate(book, 98m, 101m), Is.Empty, "going up is not crossing down");
        Assert.That(Evaluate(book, 101m, 99m), Has.Count.EqualTo(1));
        Assert.That(Evaluate(book, 102m, 100.01m), Is.Empty);
    }

    [Test]
    public void Crossing_either_way_fires_both_ways_but_not_while_staying_on_one_side()
    {
        var book = Book(Rule(AlertCondition.CrossesEither, 100m));
        Assert.That(Evaluate(book, 99m, 101m), Has.Count.EqualTo(1));
        Assert.That(Evaluate(book, 101m, 102m), Is.Empty);
        Assert.That(Evaluate(book, 102m, 99m), Has.Count.EqualTo(1));
        Assert.That(Evaluate(book, 99m, 98m), Is.Empty);
        Assert.That(Evaluate(book, 98m, 98m), Is.Empty);
    }

    [Test]
    public void Without_a_previous_tick_no_crossing_or_channel_fires()
    {
        var book = Book(
            Rule(AlertCondition.CrossesUp, 100m), Rule(AlertCondition.CrossesDown, 100m), Rule(AlertCondition.CrossesEither, 100m),
            Rule(AlertCondition.EntersChannel, 95m, level2: 105m), Rule(AlertCondition.ExitsChannel, 95m, level2: 105m));
        Assert.That(Evaluate(book, null, 100m), Is.Empty);
        Assert.That(Evaluate(book, null, 200m), Is.Empty);
        Assert.That(Evaluate(book, null, 1m), Is.Empty);
    }

    [Test]
    public void A_position_alert_is_indexed_at_its_derived_price_and_waits_while_nothing_is_held()
    {
        var stopLoss = Rule(AlertCondition.PositionPnlCrosses, -10m, level2: 90m);
        var takeProfit = Rule(AlertCondition.PositionPnlCrosses, 20m, level2: 120m);
        var soldOut = Rule(AlertCondition.PositionPnlCrosses, -10m);
        var book = Book(stopLoss, takeProfit, soldOut);
        var down = Evaluate(book, 91m, 89m);
        Assert.That(down.Select(c => c.Rule), Is.EqualTo(new[] { stopLoss }));
        Assert.That(down[0].Value, Is.EqualTo(-11m), "the P/L from the average cost (100)");
        Assert.That(Evaluate(book, 89m, 91m), Is.Empty, "a stop-loss fires on the way down only");
        Assert.That(Evaluate(book, 110m, 121m).Select(c => c.Rule), Is.EqualTo(new[] { takeProfit }));
        Assert.That(Evaluate(book, 200m, 1m).Select(c => c.Rule), Is.EqualTo(new[] { stopLoss }), "the sold-out one never");
        book.Remove(stopLoss);
        book.Remove(soldOut);
        Assert.That(book.Count, Is.EqualTo(1));
    }

    [Test]
    public void A_jump_over_several_levels_fires_each_of_them_and_only_those()
    {
        var up = Enumerable.Range(98, 8).Select(l => Rule(AlertCondition.CrossesUp, l)).ToArray(); // 98..105
        var down = Enumerable.Range(98, 8).Select(l => Rule(AlertCondition.CrossesDown, l)).ToArray();
        var book = Book([.. up, .. down]);

        var fired = Evaluate(book, 99.5m, 103m);
        Assert.That(fired.Select(c => c.Rule.Condition), Is.All.EqualTo(AlertCondition.CrossesUp));
        Assert.That(Levels(fired), Is.EqualTo(new decimal?[] { 100m, 101m, 102m, 103m }));

        fired = Evaluate(book, 103m, 98.5m);
        Assert.That(fired.Select(c => c.Rule.Condition), Is.All.EqualTo(AlertCondition.CrossesDown));
        Assert.That(Levels(fired), Is.EqualTo(new decimal?[] { 99m, 100m, 101m, 102m }), "103 was the previous price: not above it");
    }

    [Test]
    public void Channels_are_entered_from_either_side_and_left_through_either_edge()
    {
        var enters = Rule(AlertCondition.EntersChannel, 100m, level2: 110m);
        var exits = Rule(AlertCondition.ExitsChannel, 100m, level2: 110m);
        var book = Book(enters, exits);

        Assert.That(Evaluate(book, 99m, 100m).Select(c => c.Rule), Is.EqualTo(new[] { enters }), "from below, onto the low edge");
        Assert.That(Evaluate(book, 100m, 105m), Is.Empty, "moving inside");
        Assert.That(Evaluate(book, 105m, 111m).Select(c => c.Rule), Is.EqualTo(new[] { exits }), "out over the top");
        Assert.That(Evaluate(book, 111m, 112m), Is.Empty, "moving outside");
        Assert.That(Evaluate(book, 112m, 109m).Select(c => c.Rule), Is.EqualTo(new[] { enters }), "from above");
        Assert.That(Evaluate(book, 109m, 99.99m).Select(c => c.Rule), Is.EqualTo(new[] { exits }), "out through the bottom");
    }

    [Test]
    public void A_jump_clean_over_a_channel_neither_enters_nor_leaves_it()
    {
        var book = Book(Rule(AlertCondition.EntersChannel, 100m, level2: 110m), Rule(AlertCondition.ExitsChannel, 100m, level2: 110m));
        Assert.That(Evaluate(book, 95m, 115m), Is.Empty);
        Assert.That(Evaluate(book, 115m, 95m), Is.Empty);
    }

    [Test]
    public void Percent_changes_fire_up_on_the_change_and_down_on_its_negative()
    {
        var book = Book(
            Rule(AlertCondition.ChangeUp, 1m), Rule(AlertCondition.ChangeUp, 2m), Rule(AlertCondition.ChangeUp, 3m),
            Rule(AlertCondition.ChangeDown, 1m), Rule(AlertCondition.ChangeDown, 2m), Rule(AlertCondition.ChangeDown, 3m));

        var fired = Evaluate(book, 100m, 102m, change: 2m);
        Assert.That(fired.Select(c => c.Rule.Condition), Is.All.EqualTo(AlertCondition.ChangeUp));
        Assert.That(Levels(fired), Is.EqualTo(new decimal?[] { 1m, 2m }));
        Assert.That(fired.Select(c => c.Value), Is.All.EqualTo(2m));

        fired = Evaluate(book, 100m, 98m, change: -2m);
        Assert.That(fired.Select(c => c.Rule.Condition), Is.All.EqualTo(AlertCondition.ChangeDown));
        Assert.That(Levels(fired), Is.EqualTo(new decimal?[] { 1m, 2m }));
        Assert.That(fired.Select(c => c.Value), Is.All.EqualTo(-2m));

        Assert.That(Evaluate(book, 100m, 100.5m, change: 0.5m), Is.Empty);
        Assert.That(Evaluate(book, 100m, 99.5m, change: -0.99m), Is.Empty);
    }

    [Test]
    public void Volume_fires_every_level_reached()
    {
        var book = Book(Rule(AlertCondition.VolumeAbove, 1000m), Rule(AlertCondition.VolumeAbove, 1500m), Rule(AlertCondition.VolumeAbove, 2000m));
        Assert.That(Evaluate(book, 100m, 100m, volume: 999), Is.Empty);
        var fired = Evaluate(book, 100m, 100m, volume: 1500);
        Assert.That(Levels(fired), Is.EqualTo(new decimal?[] { 1000m, 1500m }));
        Assert.That(fired.Select(c => c.Value), Is.All.EqualTo(1500m));
    }

    [Test]
    public void Rules_on_another_instrument_never_fire()
    {
        var book = Book(
            Rule(AlertCondition.PriceAbove, 1m, Iam), Rule(AlertCondition.CrossesUp, 100m, Iam), Rule(AlertCondition.VolumeAbove, 1m, Iam),
            Rule(AlertCondition.EntersChannel, 100m, Iam, level2: 110m));
        Assert.That(Evaluate(book, 99m, 105m, Atw, change: 5m, volume: 10_000), Is.Empty);
        Assert.That(Evaluate(book, 99m, 105m, Iam, change: 5m, volume: 10_000), Has.Count.EqualTo(4), "the same tick on their own instrument");
        Assert.That(Evaluate(book, 99m, 105m, instrument: 3), Is.Empty, "an instrument nobody watches");
    }

    [Test]
    public void A_removed_rule_stops_firing_and_the_others_keep_firing()
    {
        var crossing = Rule(AlertCondition.CrossesUp, 100m);
        var above = Rule(AlertCondition.PriceAbove, 100m);
        var channel = Rule(AlertCondition.EntersChannel, 100m, level2: 110m);
        var high = Rule(AlertCondition.New52WeekHigh, null);
        var move = Rule(AlertCondition.MoveUpWithin, 1m, window: 5);
        var book = Book(crossing, above, channel, high, move);
        Assert.That(book.Count, Is.EqualTo(5));

        var context = new TickContext(101m, 50m, _ => (90m, 105m));
        var fired = new List<Candidate>();
        book.Evaluate(99m, Tick(105m), context, fired);
        Assert.That(fired.Select(c => c.Rule), Is.EquivalentTo(new[] { crossing, above, channel, high, move }));

        book.Remove(crossing);
        book.Remove(channel);
        book.Remove(high);
        book.Remove(move);
        Assert.That(book.Count, Is.EqualTo(1));
        fired.Clear();
        book.Evaluate(99m, Tick(105m), context, fired);
        Assert.That(fired.Select(c => c.Rule), Is.EqualTo(new[] { above }));

        fired.Clear();
        book.Evaluate(111m, Tick(109m), context, fired);
        Assert.That(fired.Select(c => c.Rule), Is.EqualTo(new[] { above }), "the channel is gone by its high edge too");
        Assert.That(book.LongestWindow(Atw), Is.EqualTo(0));
    }

    [Test]
    public void Removing_a_watchlist_alert_removes_it_from_every_instrument()
    {
        var onAtw = Rule(AlertCondition.PriceAbove, 10m, Atw, id: 900);
        var onIam = Rule(AlertCondition.PriceAbove, 10m, Iam, id: 900);
        var other = Rule(AlertCondition.PriceAbove, 10m, Iam, id: 901);
        var book = Book(onAtw, onIam, other);
        Assert.That(book.Count, Is.EqualTo(3));
        Assert.That(Evaluate(book, null, 20m, Atw).Select(c => c.Rule), Is.EqualTo(new[] { onAtw }));

        book.RemoveAlert(900);
        Assert.That(book.Count, Is.EqualTo(1));
        Assert.That(Evaluate(book, null, 20m, Atw), Is.Empty);
        Assert.That(Evaluate(book, null, 20m, Iam).Select(c => c.Rule), Is.EqualTo(new[] { other }));

        book.RemoveAlert(900);
        book.Remove(onAtw);
        Assert.That(book.Count, Is.EqualTo(1), "removing what is gone changes nothing");
    }

    [Test]
    public void Removing_one_instrument_of_a_watchlist_alert_keeps_the_others()
    {
        var onAtw = Rule(AlertCondition.CrossesUp, 10m, Atw, id: 910);
        var onIam = Rule(AlertCondition.CrossesUp, 10m, Iam, id: 910);
        var book = Book(onAtw, onIam);
        book.Remove(onAtw);
        Assert.That(book.Count, Is.EqualTo(1));
        Assert.That(Evaluate(book, 9m, 11m, Atw), Is.Empty);
        Assert.That(Evaluate(book, 9m, 11m, Iam).Select(c => c.Rule), Is.EqualTo(new[] { onIam }));

        book.Add(onAtw);
        Assert.That(Evaluate(book, 9m, 11m, Atw).Select(c => c.Rule), Is.EqualTo(new[] { onAtw }), "armed again");
    }

    [Test]
    public void The_same_alert_and_instrument_is_armed_once()
    {
        var rule = Rule(AlertCondition.PriceAbove, 10m);
        var book = Book(rule, rule, rule with { Level = 5m });
        Assert.That(book.Count, Is.EqualTo(1));
        Assert.That(Evaluate(book, null, 20m), Has.Count.EqualTo(1));
        book.Clear();
        Assert.That(book.Count, Is.EqualTo(0));
        Assert.That(Evaluate(book, null, 20m), Is.Empty);
    }

    [Test]
    public void Alerts_at_the_same_level_all_fire()
    {
        var book = Book(Rule(AlertCondition.CrossesUp, 100m), Rule(AlertCondition.CrossesUp, 100m), Rule(AlertCondition.CrossesEither, 100m),
            Rule(AlertCondition.CrossesDown, 100m));
        Assert.That(Evaluate(book, 99m, 101m), Has.Count.EqualTo(3));
        Assert.That(Evaluate(book, 101m, 99m), Has.Count.EqualTo(2));
    }

    [Test]
    public void An_index_of_a_hundred_thousand_levels_returns_exactly_the_crossed_ones()
    {
        var book = new AlertBook();
        for (var level = 1; level <= 100_000; level++)
        {
            book.Add(Rule(AlertCondition.CrossesUp, level));
        }
        Assert.That(book.Count, Is.EqualTo(100_000));

        Assert.That(Levels(Evaluate(book, 500.5m, 505.5m)), Is.EqualTo(new decimal?[] { 501m, 502m, 503m, 504m, 505m }));
        Assert.That(Evaluate(book, 505.5m, 500.5m), Is.Empty, "down is not up");
        Assert.That(Levels(Evaluate(book, 99_999.5m, 250_000m)), Is.EqualTo(new decimal?[] { 100_000m }));
        Assert.That(Levels(Evaluate(book, 0.5m, 1m)), Is.EqualTo(new decimal?[] { 1m }));
        Assert.That(Evaluate(book, 0.1m, 0.9m), Is.Empty);
        // Speed is measured by ./scripts/bench alerts (docs/benchmarks.md), not asserted here.
    }

    // ---- AlertEvaluator ----

    [Test]
    public void The_evaluator_compares_each_tick_with_the_previous_one_of_the_same_instrument()
    {
        var evaluator = new AlertEvaluator();
        var rule = Rule(AlertCondition.CrossesUp, 100m);
        evaluator.Book.Add(rule);

        Assert.That(Evaluate(evaluator, Tick(101m)), Is.Empty, "the first tick seen has nothing to cross from");
        Assert.That(Evaluate(evaluator, Tick(102m, at: Open.AddSeconds(1))), Is.Empty);
        Assert.That(Evaluate(evaluator, Tick(99m, at: Open.AddSeconds(2))), Is.Empty);
        Assert.That(Evaluate(evaluator, Tick(50m, Iam, at: Open.AddSeconds(3))), Is.Empty);
        Assert.That(Evaluate(evaluator, Tick(100m, at: Open.AddSeconds(4))).Select(c => c.Rule), Is.EqualTo(new[] { rule }),
            "from 99 (not from the other instrument's 50)");
        Assert.That(Evaluate(evaluator, Tick(101m, at: Open.AddSeconds(5))), Is.Empty, "still in the book, but already above");
    }

    [Test]
    public void A_seeded_tick_is_the_starting_point_for_crossings()
    {
        var evaluator = new AlertEvaluator();
        evaluator.Book.Add(Rule(AlertCondition.CrossesDown, 100m));
        evaluator.Seed(Tick(101m));
        Assert.That(evaluator.TryGetLast(Atw, out var last) && last.Last == 101m, Is.True);
        Assert.That(Evaluate(evaluator, Tick(99m, at: Open.AddSeconds(1))), Has.Count.EqualTo(1));
    }

    [Test]
    public void A_tick_older_than_the_last_one_is_ignored()
    {
        var evaluator = new AlertEvaluator();
        evaluator.Book.Add(Rule(AlertCondition.CrossesUp, 100m));
        evaluator.Book.Add(Rule(AlertCondition.PriceAbove, 100m));
        Assert.That(Evaluate(evaluator, Tick(99m, at: Open.AddMinutes(1))), Is.Empty);

        Assert.That(Evaluate(evaluator, Tick(101m, at: Open)), Is.Empty, "a late tick from before the last one");
        Assert.That(evaluator.TryGetLast(Atw, out var last), Is.True);
        Assert.That((last.Last, last.Time), Is.EqualTo((99m, Open.AddMinutes(1))), "and it does not become the previous tick");

        Assert.That(Evaluate(evaluator, Tick(101m, at: Open.AddMinutes(2))), Has.Count.EqualTo(2), "crossed from 99");
    }

    [Test]
    public void New_rules_fire_at_once_when_their_level_already_holds_but_a_crossing_never_does()
    {
        var evaluator = new AlertEvaluator();
        var above = Rule(AlertCondition.PriceAbove, 100m);
        var below = Rule(AlertCondition.PriceBelow, 100m);
        var volume = Rule(AlertCondition.VolumeAbove, 500m);
        var change = Rule(AlertCondition.ChangeUp, 1m);
        var crossings = new[]
        {
            Rule(AlertCondition.CrossesUp, 100m), Rule(AlertCondition.CrossesDown, 110m), Rule(AlertCondition.CrossesEither, 105m),
            Rule(AlertCondition.EntersChannel, 100m, level2: 110m), Rule(AlertCondition.ExitsChannel, 90m, level2: 95m),
        };
        var onIam = Rule(AlertCondition.PriceAbove, 1m, Iam);

        var fired = new List<Candidate>();
        evaluator.EvaluateNew([above, .. crossings], fired);
        Assert.That(fired, Is.Empty, "no tick seen yet");

        Evaluate(evaluator, Tick(99m, change: 0.5m));
        Evaluate(evaluator, Tick(106m, change: 6m, volume: 1000, at: Open.AddSeconds(1)));
        evaluator.EvaluateNew([above, below, volume, change, .. crossings, onIam], fired);
        Assert.That(fired.Select(c => c.Rule), Is.EquivalentTo(new[] { above, volume, change }));
        Assert.That(fired.Select(c => c.Price), Is.All.EqualTo(106m));
        Assert.That(fired.Single(c => c.Rule == volume).Value, Is.EqualTo(1000m));
    }

    [Test]
    public void A_new_52_week_high_or_low_needs_the_range_and_must_go_beyond_it()
    {
        var evaluator = new AlertEvaluator();
        var high = Rule(AlertCondition.New52WeekHigh, null);
        var low = Rule(AlertCondition.New52WeekLow, null);
        evaluator.Book.Add(high);
        evaluator.Book.Add(low);

        Assert.That(Evaluate(evaluator, Tick(500m)), Is.Empty, "no range known yet");
        evaluator.SetYearRange(Atw, 120m, 80m);
        Assert.That(Evaluate(evaluator, Tick(120m, at: Open.AddSeconds(1))), Is.Empty, "equal to the high is not a new high");
        Assert.That(Evaluate(evaluator, Tick(120.01m, at: Open.AddSeconds(2))).Select(c => c.Rule), Is.EqualTo(new[] { high }));
        Assert.That(Evaluate(evaluator, Tick(80m, at: Open.AddSeconds(3))), Is.Empty, "equal to the low is not a new low");
        Assert.That(Evaluate(evaluator, Tick(79.99m, at: Open.AddSeconds(4))).Select(c => c.Rule), Is.EqualTo(new[] { low }));
        Assert.That(Evaluate(evaluator, Tick(1000m, Iam, at: Open.AddSeconds(5))), Is.Empty, "the range is per instrument");

        var fired = new List<Candidate>();
        evaluator.EvaluateNew([high, low], fired);
        Assert.That(fired.Select(c => c.Rule), Is.EqualTo(new[] { low }), "already below the 52-week low when armed");
    }

    [Test]
    public void A_rise_within_the_window_fires_a_move_up()
    {
        var evaluator = new AlertEvaluator();
        var rule = Rule(AlertCondition.MoveUpWithin, 5m, window: 5);
        evaluator.Book.Add(rule);
        Assert.That(evaluator.Book.LongestWindow(Atw), Is.EqualTo(5));

        Assert.That(Evaluate(evaluator, Tick(100m)), Is.Empty);
        Assert.That(Evaluate(evaluator, Tick(103m, at: Open.AddMinutes(2))), Is.Empty, "3% so far");
        Assert.That(Evaluate(evaluator, Tick(104.99m, at: Open.AddMinutes(3))), Is.Empty, "just short of 5%");
        var fired = Evaluate(evaluator, Tick(105m, at: Open.AddMinutes(4)));
        Assert.That(fired.Select(c => c.Rule), Is.EqualTo(new[] { rule }));
        Assert.That(fired.Single().Value, Is.EqualTo(5m));
    }

    [Test]
    public void The_same_rise_spread_over_longer_than_the_window_does_not_fire()
    {
        var evaluator = new AlertEvaluator();
        evaluator.Book.Add(Rule(AlertCondition.MoveUpWithin, 5m, window: 5));
        var prices = new[] { 100m, 101m, 102m, 103m, 104m, 105m, 106m };
        for (var i = 0; i < prices.Length; i++)
        {
            Assert.That(Evaluate(evaluator, Tick(prices[i], at: Open.AddMinutes(4 * i))), Is.Empty, $"{prices[i]} after {4 * i} minutes");
        }
    }

    [Test]
    public void A_fall_within_the_window_fires_a_move_down_and_a_slow_one_does_not()
    {
        var fast = new AlertEvaluator();
        var rule = Rule(AlertCondition.MoveDownWithin, 4m, window: 10);
        fast.Book.Add(rule);
        Evaluate(fast, Tick(100m));
        Evaluate(fast, Tick(101m, at: Open.AddMinutes(3)));
        Assert.That(Evaluate(fast, Tick(97.5m, at: Open.AddMinutes(6))), Is.Empty, "3.5% below the high of 101");
        var fired = Evaluate(fast, Tick(96.96m, at: Open.AddMinutes(9)));
        Assert.That(fired.Select(c => c.Rule), Is.EqualTo(new[] { rule }), "4% below 101");

        var slow = new AlertEvaluator();
        slow.Book.Add(Rule(AlertCondition.MoveDownWithin, 4m, window: 10));
        Evaluate(slow, Tick(101m));
        Evaluate(slow, Tick(99m, at: Open.AddMinutes(8)));
        Assert.That(Evaluate(slow, Tick(96.96m, at: Open.AddMinutes(16))), Is.Empty, "the 101 is 16 minutes old");
    }

    [Test]
    public void Seeded_minute_bars_let_a_move_fire_right_after_a_start()
    {
        var evaluator = new AlertEvaluator();
        var rule = Rule(AlertCondition.MoveUpWithin, 5m, window: 15);
        evaluator.Book.Add(rule);
        evaluator.SeedMinute(Atw, Open.AddMinutes(-20), 90m, 92m); // outside the window
        evaluator.SeedMinute(Atw, Open.AddMinutes(-10), 100m, 102m);
        evaluator.SeedMinute(Atw, Open.AddMinutes(-1), 103m, 104m);
        evaluator.Seed(Tick(104m, at: Open.AddSeconds(-30)));

        Assert.That(Evaluate(evaluator, Tick(104.99m)), Is.Empty, "4.99% above the window's low of 100");
        var fired = Evaluate(evaluator, Tick(105m, at: Open.AddSeconds(10)));
        Assert.That(fired.Select(c => c.Rule), Is.EqualTo(new[] { rule }));
        Assert.That(fired.Single().Value, Is.EqualTo(5m), "from 100, not from the 90 twenty minutes ago");
    }

    [Test]
    public void Move_windows_of_different_lengths_each_see_their_own_range()
    {
        var evaluator = new AlertEvaluator();
        var shortWindow = Rule(AlertCondition.MoveUpWithin, 5m, window: 5);
        var longWindow = Rule(AlertCondition.MoveUpWithin, 5m, window: 60);
        evaluator.Book.Add(shortWindow);
        evaluator.Book.Add(longWindow);
        Assert.That(evaluator.Book.LongestWindow(Atw), Is.EqualTo(60));
        Assert.That(evaluator.Book.LongestWindow(Iam), Is.EqualTo(0));

        Evaluate(evaluator, Tick(100m));
        Evaluate(evaluator, Tick(102m, at: Open.AddMinutes(30)));
        var fired = Evaluate(evaluator, Tick(105m, at: Open.AddMinutes(32)));
        Assert.That(fired.Select(c => c.Rule), Is.EqualTo(new[] { longWindow }), "5% over 32 minutes, 2.9% over the last 5");
    }
}
