using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Providers;

namespace MarketWatch.Tests.Features.Market;

public sealed class TickNormalizerTests
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 25, 9, 45, 0, TimeSpan.Zero);

    private static TickNormalizer Normalizer() => new([
        new InstrumentState(1, "ATW", 750m, new DateOnly(2026, 11, 24), null),
        new InstrumentState(2, "IAM", 120m, new DateOnly(2026, 11, 24), null),
    ]);

    [Test]
    public void Fills_what_the_provider_left_out_and_computes_the_change()
    {
        var normalizer = Normalizer();
        var (ticks, problems) = normalizer.Normalize([new ProviderQuote("atw", 765m, Morning, Volume: 100)], "Test");
        Assert.That(problems, Is.Empty);
        var q = ticks.Single().Quote;
        Assert.That((q.InstrumentId, q.Last, q.Open, q.High, q.Low, q.PreviousClose), Is.EqualTo((1, 765m, 765m, 765m, 765m, 750m)));
        Assert.That((q.Change, q.ChangePercent, q.Source), Is.EqualTo((15m, 2m, "Test")));
        Assert.That(ticks.Single().VolumeDelta, Is.EqualTo(100));

        (ticks, _) = normalizer.Normalize([new ProviderQuote("ATW", 760m, Morning.AddMinutes(1), Volume: 160)], "Test");
        q = ticks.Single().Quote;
        Assert.That((q.Open, q.High, q.Low, q.Volume), Is.EqualTo((765m, 765m, 760m, 160L)));
        Assert.That(ticks.Single().VolumeDelta, Is.EqualTo(60), "volume traded since the previous tick");
    }

    [Test]
    public void Refuses_unknown_tickers_and_prices_that_cannot_be_right_and_ignores_older_ticks()
    {
        var normalizer = Normalizer();
        normalizer.Normalize([new ProviderQuote("ATW", 765m, Morning)], "Test");
        var (ticks, problems) = normalizer.Normalize(
        [
            new ProviderQuote("XXX", 10m, Morning.AddMinutes(1)),
            new ProviderQuote("IAM", 0m, Morning.AddMinutes(1)),
            new ProviderQuote("ATW", 700m, Morning.AddMinutes(-5)),
        ], "Test");
        Assert.That(ticks, Is.Empty);
        Assert.That(problems, Is.EquivalentTo(new[] { "XXX: not in the catalogue (or inactive)", "IAM: price 0 is not positive" }));
        Assert.That(normalizer.LatestQuotes.Single().Last, Is.EqualTo(765m));
    }

    [Test]
    public void An_instrument_listed_twice_in_one_answer_becomes_one_tick_the_latest()
    {
        var (ticks, _) = Normalizer().Normalize([new ProviderQuote("ATW", 760m, Morning), new ProviderQuote("ATW", 761m, Morning.AddSeconds(1))], "Test");
        Assert.That(ticks.Single().Quote.Last, Is.EqualTo(761m));
    }

    [Test]
    public void The_computed_index_is_capitalisation_weighted_against_the_reference_closes()
    {
        var instruments = new Dictionary<int, Instrument>
        {
            [1] = new() { Id = 1, Ticker = "A", Name = "A", ReferencePrice = 100m, SharesOutstanding = 3 },
            [2] = new() { Id = 2, Ticker = "B", Name = "B", ReferencePrice = 50m, EstimatedShares = 2 },
        };
        var quotes = new[]
        {
            new Quote { InstrumentId = 1, Last = 110m, PreviousClose = 100m },
            new Quote { InstrumentId = 2, Last = 50m, PreviousClose = 50m },
        };
        var level = ComputedIndex.Compute(7, instruments, quotes, Morning)!;
        // (110×3 + 50×2) / (100×3 + 50×2) × 10,000 = 430/400 × 10,000
        Assert.That((level.IndexId, level.Level, level.PreviousClose, level.ChangePercent, level.IsComputed), Is.EqualTo((7, 10750m, 10000m, 7.5m, true)));
    }
}

public sealed class FeedSanityRulesTests
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 25, 9, 45, 0, TimeSpan.Zero);
    private static readonly FeedSanityRules Rules = new(10m, 3, 2m);

    private static TickNormalizer Normalizer() => new([new InstrumentState(1, "ATW", 700m, new DateOnly(2026, 11, 24), null)], Rules);

    private static ProviderQuote At(decimal price, int second) => new("ATW", price, Morning.AddSeconds(second));

    [Test]
    public void Ticks_within_the_threshold_pass_and_one_beyond_it_is_held_back_without_moving_the_price()
    {
        var normalizer = Normalizer();
        Assert.That(normalizer.Normalize([At(770m, 0)], "T").Ticks.Single().Quote.Last, Is.EqualTo(770m), "+10% exactly is within the limit");
        var held = normalizer.Normalize([At(771m, 1)], "T");
        Assert.That(held.Ticks, Is.Empty);
        Assert.That(held.Quarantined.Single().ChangePercent, Is.EqualTo(10.1429m));
        Assert.That(normalizer.LatestQuotes.Single().Last, Is.EqualTo(770m));
    }

    [Test]
    public void A_glitch_the_feed_walks_back_is_superseded_and_a_new_level_restarts_the_count()
    {
        var normalizer = Normalizer();
        Assert.That(normalizer.Normalize([At(1050m, 0)], "T").Quarantined, Has.Count.EqualTo(1));
        var back = normalizer.Normalize([At(702m, 1)], "T");
        Assert.That((back.Ticks.Single().Quote.Last, back.Superseded.Single()), Is.EqualTo((702m, 1)));

        normalizer.Normalize([At(1050m, 2)], "T");
        var elsewhere = normalizer.Normalize([At(900m, 3)], "T");
        Assert.That((elsewhere.Ticks.Count, elsewhere.Quarantined.Count, elsewhere.Superseded.Single()), Is.EqualTo((0, 1, 1)), "900 is not near 1050");
        normalizer.Normalize([At(905m, 4)], "T");
        var confirmed = normalizer.Normalize([At(899m, 5)], "T");
        Assert.That((confirmed.Ticks.Single().Quote.Last, confirmed.Confirmed.Single()), Is.EqualTo((899m, 1)));
    }

    [Test]
    public void A_non_positive_price_is_held_back_with_its_reason_and_without_rules_it_is_refused_as_before()
    {
        var held = Normalizer().Normalize([At(0m, 0), new ProviderQuote("ATW", -5m, Morning.AddSeconds(1))], "T");
        Assert.That(held.Ticks, Is.Empty);
        Assert.That(held.Quarantined.Select(q => (q.Price, q.Reason)), Is.EqualTo(new[] { (0m, QuarantineReason.NotPositive), (-5m, QuarantineReason.NotPositive) }));

        var unchecked_ = new TickNormalizer([new InstrumentState(1, "ATW", 700m, new DateOnly(2026, 11, 24), null)]);
        var (ticks, problems) = unchecked_.Normalize([At(0m, 0), At(1400m, 1)], "T");
        Assert.That((ticks.Single().Quote.Last, problems.Single()), Is.EqualTo((1400m, "ATW: price 0 is not positive")));
    }
}

public sealed class AdminConfirmationTests
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 25, 9, 45, 0, TimeSpan.Zero);

    [Test]
    public void An_admin_confirmation_the_feed_has_overtaken_is_stale_and_changes_neither_price_nor_reference()
    {
        var normalizer = new TickNormalizer([new InstrumentState(1, "ATW", 700m, new DateOnly(2026, 11, 24), null)], new FeedSanityRules(10m, 3, 2m));
        normalizer.Normalize([new ProviderQuote("ATW", 1050m, Morning)], "T");
        normalizer.Normalize([new ProviderQuote("ATW", 702m, Morning.AddSeconds(2))], "T");
        var late = new QuarantinedTick { Id = 9, InstrumentId = 1, Price = 1050m, Time = Morning, SessionDate = new DateOnly(2026, 11, 25), Source = "T" };

        var batch = normalizer.Normalize([new ProviderQuote("ATW", 703m, Morning.AddSeconds(3))], "T", [late]);

        Assert.That((batch.Stale.Single(), batch.Applied.Count), Is.EqualTo((9L, 0)));
        Assert.That(batch.Ticks.Single().Quote.Last, Is.EqualTo(703m), "the reference is still the previous close");
    }
}
