using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>Helpers of the portfolio core's integration tests: users, portfolios and transactions through the services.</summary>
public abstract class CoreTestBase : AppTest
{
    protected static readonly DateOnly Day = new(2025, 3, 3);

    protected async Task<string> UserAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var email = NewEmail("portfolio");
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
        var result = await users.CreateAsync(user, Password);
        Assert.That(result.Succeeded, string.Join(", ", result.Errors.Select(e => e.Description)));
        return user.Id;
    }

    protected async Task<TResult> With<TService, TResult>(Func<TService, Task<TResult>> action) where TService : notnull
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    protected Task<Outcome<PortfolioTransaction>> AddAsync(string userId, int portfolioId, TransactionInput input) =>
        With<PortfolioTransactions, Outcome<PortfolioTransaction>>(s => s.AddAsync(userId, portfolioId, input, CancellationToken.None));

    /// <summary>Adds and asserts it was accepted.</summary>
    protected async Task<PortfolioTransaction> AddedAsync(string userId, int portfolioId, TransactionInput input)
    {
        var outcome = await AddAsync(userId, portfolioId, input);
        Assert.That(outcome.Error, Is.Null, outcome.Error?.Message.ToString());
        return outcome.Value!;
    }

    protected async Task<int> PortfolioAsync(string userId, bool atBank = false)
    {
        var created = await With<PortfolioService, Outcome<Portfolio>>(s => s.CreateAsync(userId, new PortfolioInput("Main", null, AccountAtBank: atBank), CancellationToken.None));
        Assert.That(created.Error, Is.Null, created.Error?.Message.ToString());
        return created.Value!.Id;
    }

    protected Task<List<Instrument>> InstrumentsAsync(int count) =>
        App.WithDbAsync(db => db.Instruments.AsNoTracking().Where(i => i.IsActive && i.Isin != null).OrderBy(i => i.Ticker).Take(count).ToListAsync());

    protected async Task<string> TickerAsync() => (await InstrumentsAsync(1))[0].Ticker;

    protected static TransactionInput Buy(string ticker, DateOnly date, decimal quantity, decimal price, decimal? fees = null) =>
        new(TransactionType.Buy, date, null, ticker, quantity, price, null, fees, null, null, null);

    protected static TransactionInput Sell(string ticker, DateOnly date, decimal quantity, decimal price, decimal? fees = null, decimal? taxes = null) =>
        new(TransactionType.Sell, date, null, ticker, quantity, price, null, fees, taxes, null, null);

    protected Task<int> StoredAsync(int portfolioId) => App.WithDbAsync(db => db.PortfolioTransactions.CountAsync(t => t.PortfolioId == portfolioId));

    protected Task<long> VersionAsync(int portfolioId) => App.WithDbAsync(db => db.Portfolios.Where(p => p.Id == portfolioId).Select(p => p.Version).SingleAsync());
}
