using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>
/// A small portfolio written straight to the database, with the figures worked out by hand (weighted average cost):
///  buy 10 ATW at 500 (fees 10), buy 10 ATW at 600 (fees 10): 20 shares costing 11,020, average 551;
///  sell 5 ATW at 700 (fees 5, tax 111): cost of the shares sold 5 × 551 = 2,755, gain 3,500 − 5 − 2,755 = 740, after tax 629;
///  15 ATW left costing 8,265 (average 551); buy 100 IAM at 100 (no fees): cost 10,000;
///  dividend on 15 ATW at 20: gross 300, withheld 30, net 270.
/// At ATW 760 and IAM 101.20: ATW 11,400.00 (unrealized +3,135.00), IAM 10,120.00 (+120.00), value 21,520.00.
/// </summary>
public static class PagesSeed
{
    public static DateOnly Today => ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow);
    /// <summary>The sale's date: its year is the realized table's row.</summary>
    public static DateOnly SaleDate => Today.AddDays(-200);

    public static Task<int> AddAsync(MarketWatchFactory app, string userId, string name = "Long term") => app.WithDbAsync(async db =>
    {
        var ids = await db.Set<Instrument>().Where(i => i.Ticker == "ATW" || i.Ticker == "IAM").ToDictionaryAsync(i => i.Ticker, i => i.Id);
        PortfolioTransaction Trade(TransactionType type, int daysAgo, string ticker, decimal quantity, decimal price, decimal fees, decimal taxes = 0) => new()
        {
            Type = type, Date = Today.AddDays(-daysAgo), InstrumentId = ids[ticker], Quantity = quantity, Price = price,
            Amount = quantity * price, Fees = fees, Taxes = taxes, CreatedAt = DateTimeOffset.UtcNow,
        };
        var portfolio = new Portfolio
        {
            UserId = userId,
            Name = name,
            Description = "Seeded for the page tests",
            CreatedAt = DateTimeOffset.UtcNow,
            Transactions =
            [
                Trade(TransactionType.Buy, 400, "ATW", 10, 500, 10),
                Trade(TransactionType.Buy, 300, "ATW", 10, 600, 10),
                Trade(TransactionType.Sell, 200, "ATW", 5, 700, 5, 111),
                Trade(TransactionType.Buy, 150, "IAM", 100, 100, 0),
                Trade(TransactionType.Dividend, 100, "ATW", 15, 20, 0, 30),
            ],
        };
        db.Add(portfolio);
        await db.SaveChangesAsync();
        return portfolio.Id;
    });

    /// <summary>An empty portfolio (no transactions).</summary>
    public static Task<int> AddEmptyAsync(MarketWatchFactory app, string userId, string name) => app.WithDbAsync(async db =>
    {
        var portfolio = new Portfolio { UserId = userId, Name = name, CreatedAt = DateTimeOffset.UtcNow };
        db.Add(portfolio);
        await db.SaveChangesAsync();
        return portfolio.Id;
    });
}
