using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>The portfolio services on a real database: ownership, limits, all-or-nothing changes, defaults from the fee schedule.</summary>
public sealed class CoreServicesTests : AppTest
{
    private const int MaxPortfolios = 4;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Portfolios:MaxPerUser"] = MaxPortfolios.ToString(),
    };

    private async Task<string> UserAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var email = NewEmail("portfolio");
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
        var result = await users.CreateAsync(user, Password);
        Assert.That(result.Succeeded, string.Join(", ", result.Errors.Select(e => e.Description)));
        return user.Id;
    }

    private async Task<TResult> With<TService, TResult>(Func<TService, Task<TResult>> action) where TService : notnull
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    private Task<Outcome<PortfolioTransaction>> AddAsync(string userId, int portfolioId, TransactionInput input) =>
        With<PortfolioTransactions, Outcome<PortfolioTransaction>>(s => s.AddAsync(userId, portfolioId, input, CancellationToken.None));

    private async Task<int> PortfolioAsync(string userId, bool atBank = false)
    {
        var created = await With<PortfolioService, Outcome<Portfolio>>(s => s.CreateAsync(userId, new PortfolioInput("Main", null, AccountAtBank: atBank), CancellationToken.None));
        Assert.That(created.Error, Is.Null);
        return created.Value!.Id;
    }

    private Task<List<Instrument>> InstrumentsAsync(int count) =>
        App.WithDbAsync(db => db.Instruments.AsNoTracking().Where(i => i.IsActive).OrderBy(i => i.Ticker).Take(count).ToListAsync());

    private static TransactionInput Buy(string ticker, DateOnly date, decimal quantity, decimal price, decimal? fees = null) =>
        new(TransactionType.Buy, date, null, ticker, quantity, price, null, fees, null, null, null);

    private static TransactionInput Sell(string ticker, DateOnly date, decimal quantity, decimal price, decimal? fees = null, decimal? taxes = null) =>
        new(TransactionType.Sell, date, null, ticker, quantity, price, null, fees, taxes, null, null);

    private static readonly DateOnly Day = new(2025, 3, 3);

    private Task<int> StoredAsync(int portfolioId) => App.WithDbAsync(db => db.PortfolioTransactions.CountAsync(t => t.PortfolioId == portfolioId));

    [Test]
    public async Task A_buy_and_a_sell_give_holdings_at_weighted_average_cost_with_the_schedules_default_fees_and_tax()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var ticker = (await InstrumentsAsync(1))[0].Ticker;
        var buy = await AddAsync(user, id, Buy(ticker, Day, 100, 50));
        Assert.That(buy.Error, Is.Null, buy.Error?.Message.ToString());
        // 5,000 × (0.6 % + 0.1 %) = 35, plus 10 % VAT = 38.50.
        Assert.That(buy.Value!.Fees, Is.EqualTo(38.50m));
        Assert.That(buy.Value.Amount, Is.EqualTo(5000m));
        var sell = await AddAsync(user, id, Sell(ticker, Day.AddDays(7), 40, 60));
        Assert.That(sell.Error, Is.Null, sell.Error?.Message.ToString());
        // 2,400 × 0.77 % = 18.48; cost of 40 shares = 40 × 50.385 = 2,015.40; gain 2,400 − 18.48 − 2,015.40 = 366.12; 15 % = 54.918 → 54.92.
        Assert.That(sell.Value!.Fees, Is.EqualTo(18.48m));
        Assert.That(sell.Value.Taxes, Is.EqualTo(54.92m));

        var snapshot = await With<PortfolioHoldings, PortfolioSnapshot?>(h => h.GetAsync(user, id, CancellationToken.None));
        Assert.That(snapshot, Is.Not.Null);
        var row = snapshot!.Holdings.Single();
        Assert.That(row.Ticker, Is.EqualTo(ticker));
        Assert.That(row.Quantity, Is.EqualTo(60m));
        Assert.That(row.AverageCost, Is.EqualTo(50.385m));
        Assert.That(row.Realized, Is.EqualTo(366.12m));
        Assert.That(snapshot.Taxes, Is.EqualTo(54.92m));
        Assert.That(snapshot.Fees, Is.EqualTo(38.50m + 18.48m));
        Assert.That(snapshot.Weight(), Is.EqualTo(100m));
    }
}

internal static class SnapshotTesting
{
    public static decimal Weight(this PortfolioSnapshot snapshot) => snapshot.Holdings.Sum(h => h.Weight);
}
