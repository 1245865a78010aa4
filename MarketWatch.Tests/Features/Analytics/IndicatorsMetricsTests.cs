using MarketWatch.Web.Features.Analytics;
using MarketWatch.Web.Features.Market;

namespace MarketWatch.Tests.Features.Analytics;

/// <summary>
/// <see cref="MetricsCalculator"/> on a tiny hand-made bar series, every expected figure worked out by hand below:
/// period bases, the 52-week range, relative volume, and the rule that only a quote of a session after the last
/// closed bar is "today" (the indicators take its price as today's close).
/// </summary>
public sealed class IndicatorsMetricsTests
{
    // The session is Wednesday 10 June 2026. Closed bars (high = close + 1, low = close − 1):
    //   2025-06-09  close  50  volume 1000   (just over a year before: the 1Y base, outside the 52-week range)
    //   2025-12-31  close  80  volume 2000   (the YTD base)
    //   2026-05-08  close  90  volume 3000   (the 1M base: 10 May is a Sunday, the Friday before counts)
    //   2026-06-03  close  95  volume 4000   (the 1W base)
    //   2026-06-09  close 100  volume 5000   (the last close: the D1 base)
    private static readonly DateOnly Session = new(2026, 6, 10);
    private static readonly InstrumentInfo Info = new(7, "TST", "Test SA", "Banks", 1_000);

    private static readonly InstrumentBars Bars = new(7,
        [new(2025, 6, 9), new(2025, 12, 31), new(2026, 5, 8), new(2026, 6, 3), new(2026, 6, 9)],
        [50, 80, 90, 95, 100], [51, 81, 91, 96, 101], [49, 79, 89, 94, 99], [50, 80, 90, 95, 100], [1000, 2000, 3000, 4000, 5000]);

    private static QuoteRow Quote(decimal last, DateTimeOffset time, decimal? changePercent = 10, long volume = 6000, decimal high = 112, decimal low = 99) =>
        new("TST", "Test SA", "Banks", last, null, changePercent, volume, 660_000, 100, high, low, 100, time, "Test", 1_000, false);

    [Test]
    public void The_bases_of_each_period_are_the_closes_on_or_before_its_start()
    {
        var history = MetricsCalculator.History(Info, Bars, Session, null);
        Assert.That(history.LastDate, Is.EqualTo(new DateOnly(2026, 6, 9)));
        Assert.That(history.LastClose, Is.EqualTo(100));
        Assert.That(history.Bases[(int)Period.D1], Is.EqualTo(100));
        Assert.That(history.Bases[(int)Period.W1], Is.EqualTo(95), "3 June is the start of the week");
        Assert.That(history.Bases[(int)Period.M1], Is.EqualTo(90), "10 May (a Sunday): the Friday before");
        Assert.That(history.Bases[(int)Period.M3], Is.EqualTo(80), "10 March: the last close on or before is 31 December");
        Assert.That(history.Bases[(int)Period.YTD], Is.EqualTo(80), "the last close of the year before");
        Assert.That(history.Bases[(int)Period.Y1], Is.EqualTo(50), "10 June 2025: the 9th is on or before");
        Assert.That(history.Bases[(int)Period.Y3], Is.Null, "no bar three years back");
        Assert.That(MetricsCalculator.Start(Period.YTD, Session), Is.EqualTo(new DateOnly(2025, 12, 31)));
    }

    [Test]
    public void The_52_week_range_leaves_out_the_bar_of_more_than_a_year_ago()
    {
        // Bars after 10 June 2025: highs 81, 91, 96, 101 and lows 79, 89, 94, 99 (the 9 June 2025 bar's 49 is out).
        var history = MetricsCalculator.History(Info, Bars, Session, null);
        Assert.That(history.High52, Is.EqualTo(101));
        Assert.That(history.Low52, Is.EqualTo(79));
        Assert.That(history.Volumes20, Is.EqualTo(new double[] { 1000, 2000, 3000, 4000, 5000 }));
    }

    [Test]
    public void A_quote_of_today_is_the_live_point()
    {
        // 10:00 UTC on 10 June is 11:00 in Casablanca: today's session, after the last closed bar.
        var live = MetricsCalculator.Live(MetricsCalculator.History(Info, Bars, Session, null), Quote(110, new DateTimeOffset(2026, 6, 10, 10, 0, 0, TimeSpan.Zero)));
        Assert.That(live.Last, Is.EqualTo(110m));
        Assert.That(live.Return(Period.D1), Is.EqualTo(0.10).Within(1e-12), "the provider's own change");
        Assert.That(live.Return(Period.W1), Is.EqualTo(110.0 / 95 - 1).Within(1e-12));
        Assert.That(live.Return(Period.M1), Is.EqualTo(110.0 / 90 - 1).Within(1e-12));
        Assert.That(live.Return(Period.YTD), Is.EqualTo(110.0 / 80 - 1).Within(1e-12));
        Assert.That(live.Return(Period.Y1), Is.EqualTo(1.2).Within(1e-12), "110 / 50 − 1");
        Assert.That(live.Return(Period.Y3), Is.Null);
        // Today's high (112) widens the range; today's low (99) does not beat 79: position (110 − 79)/(112 − 79).
        Assert.That(live.High52, Is.EqualTo(112));
        Assert.That(live.Low52, Is.EqualTo(79));
        Assert.That(live.Position52, Is.EqualTo(31.0 / 33).Within(1e-12));
        // 6000 against the average of the last closed sessions' volumes (3000): 2×.
        Assert.That(live.Volume, Is.EqualTo(6000));
        Assert.That(live.RelativeVolume, Is.EqualTo(2).Within(1e-12));
        Assert.That(live.MarketCap, Is.EqualTo(110_000m), "110 × 1000 shares");
        Assert.That(live.Rsi14, Is.Null, "four changes are not enough for RSI(14)");
        Assert.That(live.Sma50, Is.Null);
    }

    [Test]
    public void A_quote_of_a_session_already_closed_adds_nothing_to_the_history()
    {
        // 9 June's quote (the last bar's own session): the figures are the last close's, and there is no "today".
        var history = MetricsCalculator.History(Info, Bars, Session, null);
        foreach (var quote in new[] { Quote(123, new DateTimeOffset(2026, 6, 9, 14, 0, 0, TimeSpan.Zero)), null })
        {
            var closed = MetricsCalculator.Live(history, quote);
            Assert.That(closed.Last, Is.EqualTo(100m), "the last close");
            Assert.That(closed.ChangePercent, Is.Null);
            Assert.That(closed.Return(Period.D1), Is.Null, "no day move without today");
            Assert.That(closed.Return(Period.W1), Is.EqualTo(100.0 / 95 - 1).Within(1e-12));
            Assert.That(closed.Volume, Is.EqualTo(0));
            Assert.That(closed.RelativeVolume, Is.Null);
            Assert.That(closed.High52, Is.EqualTo(101), "the quote's high is not today's");
            Assert.That(closed.Position52, Is.EqualTo((100.0 - 79) / (101 - 79)).Within(1e-12));
        }
    }

    [Test]
    public void The_live_indicators_take_todays_price_as_todays_close()
    {
        // 60 closed sessions rising by 1 from 1: SMA(50) of the last 50 = (11 + … + 60)/50 = 35.5; with today at 70 the
        // window is 12 … 60 and 70: (35.5 × 50 − 11 + 70)/50 = 36.68. RSI(14) after only gains is 100; a fall today
        // of 10 against average gains of 1: (13 × 1 + 0)/14 vs 10/14 → RS 1.3 → RSI 56.52.
        var dates = Enumerable.Range(0, 60).Select(i => Session.AddDays(-90 + i)).ToArray();
        var closes = Enumerable.Range(1, 60).Select(i => (double)i).ToArray();
        var bars = new InstrumentBars(7, dates, closes, closes, closes, closes, closes.Select(_ => 100.0).ToArray());
        var history = MetricsCalculator.History(Info, bars, Session, null);
        var today = new DateTimeOffset(2026, 6, 10, 10, 0, 0, TimeSpan.Zero);
        var up = MetricsCalculator.Live(history, Quote(70, today, high: 70, low: 70));
        Assert.That(up.Sma50, Is.EqualTo(36.68).Within(1e-9));
        Assert.That(up.Rsi14, Is.EqualTo(100));
        var down = MetricsCalculator.Live(history, Quote(50, today, high: 50, low: 50));
        Assert.That(down.Rsi14, Is.EqualTo(100 - 100 / (1 + 13.0 / 10)).Within(1e-9));
        var closed = MetricsCalculator.Live(history, null);
        Assert.That(closed.Sma50, Is.EqualTo(35.5).Within(1e-9), "no live quote: the closed sessions' SMA");
        Assert.That(closed.Rsi14, Is.EqualTo(100));
    }
}
