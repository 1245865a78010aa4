using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Host;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>The demo account's portfolios, seeded by the same code the run command uses, against the test market's daily bars.</summary>
public sealed class ImportDemoTests : AppTest
{
    [Test]
    public async Task The_demo_portfolios_have_years_of_history_at_the_days_closes_hold_shares_and_are_created_once()
    {
        var email = NewEmail("demo");
        await RegisterAsync(Client(), email);
        var userId = (await App.FindUserAsync(email))!.Id;
        for (var run = 0; run < 2; run++)
        {
            await using var scope = App.Services.CreateAsyncScope();
            await DemoContent.SeedPortfoliosAsync(scope.ServiceProvider, userId, CancellationToken.None);
        }

        var portfolios = await App.WithDbAsync(db => db.Portfolios.AsNoTracking().Where(p => p.UserId == userId)
            .Include(p => p.Transactions).ThenInclude(t => t.Instrument).ToListAsync());
        Assert.That(portfolios.Select(p => p.Name), Is.EquivalentTo(new[] { DemoContent.DemoPortfolioName, DemoContent.IncomePortfolioName }), "each created once");
        var demo = portfolios.Single(p => p.Name == DemoContent.DemoPortfolioName);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var transactions = demo.Transactions;
        var count = transactions.GroupBy(t => t.Type).ToDictionary(g => g.Key, g => g.Count());
        Assert.Multiple(() =>
        {
            Assert.That(demo.Kind, Is.EqualTo(PortfolioKind.Real));
            Assert.That(transactions.Min(t => t.Date), Is.LessThanOrEqualTo(today.AddYears(-3)), "at least three years of history");
            Assert.That(transactions.Max(t => t.Date), Is.LessThanOrEqualTo(today));
            Assert.That(count.GetValueOrDefault(TransactionType.Deposit), Is.GreaterThanOrEqualTo(3));
            Assert.That(count.GetValueOrDefault(TransactionType.Buy), Is.InRange(8, 12));
            Assert.That(count.GetValueOrDefault(TransactionType.Sell), Is.EqualTo(2));
            Assert.That(count.GetValueOrDefault(TransactionType.Dividend), Is.GreaterThanOrEqualTo(8));
            Assert.That(count.GetValueOrDefault(TransactionType.Bonus), Is.EqualTo(1));
            Assert.That(transactions.Where(t => t.Type == TransactionType.Buy).Select(t => t.Instrument!.Sector).Distinct().Count(), Is.GreaterThanOrEqualTo(5), "sectors");
            Assert.That(transactions.Where(t => t.Type is TransactionType.Buy or TransactionType.Sell).All(t => t.Fees > 0), "fees from the schedule");
            Assert.That(transactions.Where(t => t.Type == TransactionType.Dividend).All(t => t.Taxes > 0), "withholding from the schedule");
        });

        var ledger = Ledger.Replay(transactions);
        Assert.That(ledger.FirstShortfall, Is.Null, "consistent: no sale beyond the shares held");
        Assert.That(ledger.TracksCash, Is.True);
        Assert.That(ledger.Cash, Is.GreaterThan(0));
        Assert.That(ledger.Positions.Values.Count(p => p.Quantity > 0), Is.GreaterThanOrEqualTo(6), "holdings");
        var sold = transactions.Where(t => t.Type == TransactionType.Sell).Select(t => ledger.Positions[t.InstrumentId!.Value].Quantity).ToList();
        Assert.That((sold.Count(q => q > 0), sold.Count(q => q == 0)), Is.EqualTo((1, 1)), "one partial sale, one sale of everything");

        // Every trade is at that day's close: the market's own bars, never an invented price.
        var trades = transactions.Where(t => t.Type is TransactionType.Buy or TransactionType.Sell).ToList();
        var closes = await App.WithDbAsync(async db =>
        {
            var ids = trades.Select(t => t.InstrumentId!.Value).Distinct().ToList();
            var dates = trades.Select(t => t.Date).Distinct().ToList();
            return await db.DailyBars.AsNoTracking().Where(b => ids.Contains(b.InstrumentId) && dates.Contains(b.Date))
                .ToDictionaryAsync(b => (b.InstrumentId, b.Date), b => b.Close);
        });
        Assert.That(trades.Where(t => closes.GetValueOrDefault((t.InstrumentId!.Value, t.Date)) != t.Price).Select(t => $"{t.Instrument!.Ticker} {t.Date} {t.Price}"), Is.Empty);

        var income = portfolios.Single(p => p.Name == DemoContent.IncomePortfolioName);
        var incomeLedger = Ledger.Replay(income.Transactions);
        Assert.That(incomeLedger.TracksCash, Is.False, "holdings only: no deposits");
        Assert.That(incomeLedger.Positions.Values.Count(p => p.Quantity > 0), Is.GreaterThanOrEqualTo(3));
        Assert.That(income.Transactions.Min(t => t.Date), Is.LessThanOrEqualTo(today.AddYears(-3)));
    }
}
