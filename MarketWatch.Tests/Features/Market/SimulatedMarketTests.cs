using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Features.Market.Providers.Simulated;

namespace MarketWatch.Tests.Features.Market;

public sealed class SimulatedMarketTests
{
    private static readonly ExchangeCalendar Calendar = new(CalendarSeed.IslamicHolidays, CalendarSeed.Ramadan);

    private static SimulatedInstrument[] Instruments() =>
    [
        new("ATW", 755.0m, 215_140_839),
        new("IAM", 120.0m, 879_095_340),
        new("SNA", 102.0m, 3_000_000),
    ];

    private static DateTimeOffset Local(DateOnly date, int hour, int minute, int second = 0) =>
        ExchangeCalendar.At(date, new TimeOnly(hour, minute, second));

    /// <summary>A whole trading day, a tick every <paramref name="seconds"/> seconds, from 08:00 to 16:00 exchange time.</summary>
    private static List<ProviderQuote> RunDay(SimulatedMarket market, DateOnly date, int seconds = 20)
    {
        var quotes = new List<ProviderQuote>();
        for (var t = Local(date, 8, 0); t <= Local(date, 16, 0); t = t.AddSeconds(seconds))
        {
            quotes.AddRange(market.Step(t));
        }
        return quotes;
    }

    [Test]
    public void The_same_seed_gives_the_same_prices_and_another_seed_does_not()
    {
        var day = new DateOnly(2026, 11, 25);
        var a = RunDay(new SimulatedMarket(42, Calendar, false, Instruments()), day);
        var b = RunDay(new SimulatedMarket(42, Calendar, false, Instruments()), day);
        var c = RunDay(new SimulatedMarket(43, Calendar, false, Instruments()), day);
        Assert.That(b, Is.EqualTo(a));
        Assert.That(c.Select(q => q.Last), Is.Not.EqualTo(a.Select(q => q.Last)));
    }

    [Test]
    public void Prices_never_leave_ten_percent_of_the_reference_even_over_many_volatile_days()
    {
        var market = new SimulatedMarket(7, Calendar, demoMode: true, Instruments());
        var start = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
        var previousClose = Instruments().ToDictionary(i => i.Ticker, i => i.PreviousClose);
        var session = ExchangeCalendar.ExchangeDate(start);
        // A minute per step for 20 days: ~29,000 steps per instrument.
        for (var t = start; t < start.AddDays(20); t = t.AddMinutes(1))
        {
            foreach (var quote in market.Step(t))
            {
                Assert.That(quote.PreviousClose, Is.Not.Null);
                var reference = quote.PreviousClose!.Value;
                Assert.That(quote.Last, Is.InRange(reference * 0.9m, reference * 1.1m), $"{quote.Ticker} at {t}");
                Assert.That(quote.High, Is.LessThanOrEqualTo(reference * 1.1m));
                Assert.That(quote.Low, Is.GreaterThanOrEqualTo(reference * 0.9m));
            }
        }
    }

    [Test]
    public void Nothing_trades_outside_sessions()
    {
        var market = new SimulatedMarket(1, Calendar, false, Instruments());
        var saturday = new DateOnly(2026, 11, 28);
        market.Step(Local(saturday, 8, 0));
        for (var t = Local(saturday, 8, 0, 1); t < Local(saturday, 18, 0); t = t.AddSeconds(30))
        {
            Assert.That(market.Step(t), Is.Empty, $"a quote changed on Saturday at {t}");
        }
        var wednesday = new DateOnly(2026, 11, 25);
        for (var t = Local(wednesday, 7, 0); t < Local(wednesday, 9, 30); t = t.AddSeconds(30))
        {
            Assert.That(market.Step(t).Where(q => q.Volume > 0), Is.Empty, $"a trade before continuous trading, at {t}");
        }
    }

    [Test]
    public void Trading_follows_a_u_shaped_day_and_the_closing_auction_sets_the_close()
    {
        var market = new SimulatedMarket(5, Calendar, false, Instruments());
        var day = new DateOnly(2026, 11, 25);
        var quotes = RunDay(market, day, seconds: 5);
        var atw = quotes.Where(q => q.Ticker == "ATW").ToList();
        int TradesBetween(int fromHour, int fromMinute, int toHour, int toMinute) =>
            atw.Count(q => q.Time >= Local(day, fromHour, fromMinute) && q.Time < Local(day, toHour, toMinute));
        var firstHour = TradesBetween(9, 30, 10, 30);
        var middleHour = TradesBetween(11, 55, 12, 55);
        Assert.That(firstHour, Is.GreaterThan(middleHour), "more trades after the open than at midday");

        var lastContinuous = atw.Last(q => q.Time < Local(day, 15, 20)).Last;
        var close = atw.Last().Last;
        Assert.That(atw.Last().Time, Is.GreaterThanOrEqualTo(Local(day, 15, 30)), "the close is published after the closing auction");
        Assert.That(Math.Abs(close - lastContinuous) / lastContinuous, Is.LessThan(0.02m));

        // The official close is the next session's reference.
        var next = market.Step(Local(new DateOnly(2026, 11, 26), 9, 31)).Single(q => q.Ticker == "ATW");
        Assert.That(next.PreviousClose, Is.EqualTo(close));
    }

    [Test]
    public void History_ends_at_the_reference_price_and_every_day_stays_within_the_limit()
    {
        var instrument = new Instrument { Id = 1, Ticker = "ATW", Name = "Attijariwafa Bank", ReferencePrice = 755m, SharesOutstanding = 215_140_839 };
        var days = SimulatedHistory.Days(Calendar, new DateOnly(2026, 11, 26), years: 5);
        var bars = SimulatedHistory.Generate(9, instrument, days).ToList();
        Assert.That(bars, Has.Count.EqualTo(days.Count).And.Count.GreaterThan(1200));
        Assert.That(bars[^1].Close, Is.EqualTo(755m));
        Assert.That(bars.Select(b => b.Date), Is.Ordered);
        for (var i = 1; i < bars.Count; i++)
        {
            var reference = bars[i - 1].Close;
            Assert.That(bars[i].Close, Is.InRange(reference * 0.9m, reference * 1.1m));
            Assert.That(bars[i].High, Is.GreaterThanOrEqualTo(Math.Max(bars[i].Open, bars[i].Close)));
            Assert.That(bars[i].Low, Is.LessThanOrEqualTo(Math.Min(bars[i].Open, bars[i].Close)));
        }
        Assert.That(SimulatedHistory.Generate(9, instrument, days).Select(b => b.Close), Is.EqualTo(bars.Select(b => b.Close)));
    }
}
