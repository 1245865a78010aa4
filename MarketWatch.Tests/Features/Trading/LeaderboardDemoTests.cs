using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Trading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>The demo account's paper account: past fills as real transactions, one open limit order, on the leaderboard, in download-my-data.</summary>
public sealed class LeaderboardDemoTests : AppTest
{
    [Test]
    public async Task The_demo_paper_account_has_past_fills_an_open_limit_order_and_a_place_on_the_leaderboard_once()
    {
        var email = NewEmail("demo");
        await RegisterAsync(Client(), email);
        var userId = (await App.FindUserAsync(email))!.Id;
        for (var i = 0; i < 2; i++)
        {
            await using var scope = App.Services.CreateAsyncScope();
            await PaperDemo.SeedAsync(scope.ServiceProvider, userId, NullLogger.Instance, CancellationToken.None);
        }
        var account = await App.WithDbAsync(db => db.PaperAccounts.AsNoTracking().SingleAsync(a => a.UserId == userId));
        Assert.That((account.OnLeaderboard, account.DisplayName), Is.EqualTo((true, PaperDemo.DisplayName)));
        Assert.That(account.RunStartedAt, Is.LessThan(DateTimeOffset.UtcNow.AddDays(-30)), "its history is in the past");

        var orders = await App.WithDbAsync(db => db.PaperOrders.AsNoTracking().Where(o => o.AccountId == account.Id).OrderBy(o => o.Id).ToListAsync());
        var filled = orders.Where(o => o.State == OrderState.Filled).ToList();
        Assert.That(filled, Has.Count.EqualTo(5));
        var open = orders.Single(o => o.IsLive);
        Assert.That((open.Type, open.Side, open.Validity), Is.EqualTo((OrderType.Limit, OrderSide.Buy, OrderValidity.GoodTillCancelled)));
        Assert.That(open.ReservedCash, Is.GreaterThan(0), "the open buy holds its cash");

        // Every fill is a transaction of the paper portfolio with its fees, and the cash reconciles.
        var transactions = await App.WithDbAsync(db => db.PortfolioTransactions.AsNoTracking().Where(t => t.PortfolioId == account.Id).ToListAsync());
        var trades = transactions.Where(t => t.Type is TransactionType.Buy or TransactionType.Sell).ToList();
        Assert.That(trades, Has.Count.EqualTo(5));
        Assert.That(trades.All(t => t.Fees > 0 && t.Date < DateOnly.FromDateTime(DateTime.UtcNow)), Is.True);
        var spent = trades.Sum(t => t.Type == TransactionType.Buy ? t.Amount + t.Fees : -(t.Amount - t.Fees));
        Assert.That(account.Cash + account.ReservedCash + spent, Is.EqualTo(account.StartingCash));
        Assert.That(account.ReservedCash, Is.EqualTo(open.ReservedCash));
        var events = await App.WithDbAsync(db => db.PaperOrderEvents.AsNoTracking().Where(e => filled.Select(o => o.Id).Contains(e.OrderId) && e.Kind == OrderEventKind.Fill).ToListAsync());
        Assert.That(events.Select(e => e.TransactionId), Is.EquivalentTo(trades.Select(t => (long?)t.Id)));

        await using (var scope = App.Services.CreateAsyncScope())
        {
            var ranking = await scope.ServiceProvider.GetRequiredService<Leaderboard>().RankAsync(LeaderboardPeriod.All, null, CancellationToken.None);
            Assert.That(ranking.Entries.Single(e => e.AccountId == account.Id).Return, Is.Not.Null);

            // "Download my data" carries the account, its orders, their events.
            var data = await scope.ServiceProvider.GetServices<Web.Features.Accounts.IPersonalDataContributor>().OfType<TradingPersonalData>().Single()
                .ExportAsync(userId, CancellationToken.None);
            Assert.That(((System.Collections.ICollection)data["paperAccounts"]!).Count, Is.EqualTo(1));
            Assert.That(((System.Collections.ICollection)data["paperOrders"]!).Count, Is.EqualTo(orders.Count));
            Assert.That(((System.Collections.ICollection)data["paperOrderEvents"]!).Count, Is.GreaterThanOrEqualTo(2 * filled.Count + 1));
        }
    }
}
