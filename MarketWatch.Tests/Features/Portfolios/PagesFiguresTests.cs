using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>The portfolio's day change and total return %, worked out by hand (no fees, no taxes).</summary>
public sealed class PagesFiguresTests : CoreTestBase
{
    private static DateOnly Today => ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow);

    private Task QuoteAsync(int instrumentId, decimal last, decimal previousClose) => App.WithDbAsync(async db =>
    {
        var quote = await db.Set<Quote>().SingleOrDefaultAsync(q => q.InstrumentId == instrumentId);
        if (quote is null)
        {
            quote = new Quote { InstrumentId = instrumentId, Source = "test" };
            db.Add(quote);
        }
        (quote.Last, quote.PreviousClose, quote.Time) = (last, previousClose, DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
        return 0;
    });

    [Test]
    public async Task Shares_bought_today_count_from_their_price_and_a_sale_today_from_the_previous_close_to_its_price()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var (a, b, c) = (await InstrumentsAsync(3)) switch { var l => (l[0], l[1], l[2]) };
        // A: 100 bought today at 110; closed yesterday at 100, last 110 → day change 0 (not 100 × 10 = 1,000).
        await AddedAsync(user, id, Buy(a.Ticker, Today, 100, 110, 0));
        // B: 20 held since long ago, 10 more bought today at 46; close 45, last 47 → 20 × 2 + 10 × 1 = 50.
        await AddedAsync(user, id, Buy(b.Ticker, Day, 20, 40, 0));
        await AddedAsync(user, id, Buy(b.Ticker, Today, 10, 46, 0));
        // C: 10 held, all sold today at 55; close 52 → 10 × 3 = 30 in the portfolio's day change.
        await AddedAsync(user, id, Buy(c.Ticker, Day, 10, 50, 0));
        await AddedAsync(user, id, Sell(c.Ticker, Today, 10, 55, 0, 0));
        await QuoteAsync(a.Id, 110, 100);
        await QuoteAsync(b.Id, 47, 45);
        await QuoteAsync(c.Id, 60, 52);

        var snapshot = (await With<PortfolioHoldings, PortfolioSnapshot?>(h => h.GetAsync(user, id, CancellationToken.None)))!;
        Assert.Multiple(() =>
        {
            Assert.That(snapshot.Holdings.Single(h => h.InstrumentId == a.Id).DayChange, Is.EqualTo(0m));
            Assert.That(snapshot.Holdings.Single(h => h.InstrumentId == b.Id).DayChange, Is.EqualTo(50m));
            Assert.That(snapshot.Closed.Single(h => h.InstrumentId == c.Id).DayChange, Is.EqualTo(30m));
            Assert.That(snapshot.DayChange, Is.EqualTo(80m));
            // Measured against yesterday's worth plus today's buys: 20 × 45 + 10 × 52 + 11,000 + 460 = 12,880.
            Assert.That(snapshot.DayChangePercent, Is.EqualTo(Math.Round(80m / 12880m * 100, 2)));
        });

        // A tick keeps today's buys counted from their price: A at 112 → 100 × 2 = 200.
        var moved = PortfolioHoldings.Revalue(snapshot, new Dictionary<int, Quote> { [a.Id] = new() { InstrumentId = a.Id, Last = 112, PreviousClose = 100, Time = DateTimeOffset.UtcNow } });
        Assert.That(moved.DayChange, Is.EqualTo(280m));
    }

    [Test]
    public async Task Total_return_percent_is_over_all_money_put_in_not_the_net()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var instrument = (await InstrumentsAsync(1))[0];
        // Buy 100 at 100 (10,000 in), sell 90 at 120 (10,800 out): net invested −800. 10 left at 130 = 1,300.
        await AddedAsync(user, id, Buy(instrument.Ticker, Day, 100, 100, 0));
        await AddedAsync(user, id, Sell(instrument.Ticker, Day.AddDays(1), 90, 120, 0, 0));
        await QuoteAsync(instrument.Id, 130, 130);

        var snapshot = (await With<PortfolioHoldings, PortfolioSnapshot?>(h => h.GetAsync(user, id, CancellationToken.None)))!;
        Assert.Multiple(() =>
        {
            Assert.That(snapshot.Invested, Is.EqualTo(-800m));
            Assert.That(snapshot.TotalReturn, Is.EqualTo(2100m));
            Assert.That(snapshot.MoneyIn, Is.EqualTo(10000m));
            Assert.That(snapshot.TotalReturnPercent, Is.EqualTo(21m));
        });
    }
}
