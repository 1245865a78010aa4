using MarketWatch.Tests.Features.Alerts;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Trading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>Paper accounts through the services: opening, limits, settings, reset (the run kept, the cash restored), delete.</summary>
public sealed class AccountsTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Trading:MaxAccountsPerUser"] = "3" };

    private async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> use)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider);
    }

    private Task<string> UserAsync() => AlertTesting.UserAsync(this, App, Client, "paper").ContinueWith(t => t.Result.Id);

    [Test]
    public async Task Saving_settings_keeps_the_choice_of_channels_the_form_could_not_offer_and_shows_the_leaderboard_change_at_once()
    {
        var user = await UserAsync();
        var accounts = (IServiceProvider s) => s.GetRequiredService<PaperAccounts>();
        var id = (await WithAsync(s => accounts(s).OpenAsync(user, new PaperAccountInput("Channels", 50_000m), default))).Value!.Id;
        await WithAsync(s => accounts(s).SettingsAsync(user, id, new PaperAccountSettings(false, null, [Channel.Push, Channel.Email]), default));
        // Read the ranking first, so the one-minute cache holds it without the account.
        var before = await WithAsync(s => s.GetRequiredService<Leaderboard>().RankAsync(LeaderboardPeriod.All, null, default));
        Assert.That(before.Entries.Any(e => e.AccountId == id), Is.False);

        // Push has no device yet, so its box was disabled and not posted: the account keeps it. Email was offered and unticked.
        var saved = await WithAsync(s => accounts(s).SettingsAsync(user, id, new PaperAccountSettings(true, "Channel Trader", [], [Channel.Push]), default));
        Assert.That(saved.Error, Is.Null);
        var channels = await App.WithDbAsync(db => db.Set<PaperAccount>().Where(a => a.Id == id).Select(a => a.Channels).SingleAsync());
        Assert.That(channels, Is.EquivalentTo(new[] { Channel.InApp, Channel.Push }));
        var after = await WithAsync(s => s.GetRequiredService<Leaderboard>().RankAsync(LeaderboardPeriod.All, null, default));
        Assert.That(after.Entries.Select(e => e.DisplayName), Does.Contain("Channel Trader"));
    }

    [Test]
    public async Task Opening_writes_a_paper_portfolio_its_account_and_the_starting_deposit()
    {
        var user = await UserAsync();
        var outcome = await WithAsync(s => s.GetRequiredService<PaperAccounts>().OpenAsync(user, new PaperAccountInput(" Learning ", 50_000m), default));
        Assert.That(outcome.Error, Is.Null);
        var id = outcome.Value!.Id;
        var (portfolio, account, transactions) = await App.WithDbAsync(async db => (
            await db.Set<Portfolio>().SingleAsync(p => p.Id == id),
            await db.Set<PaperAccount>().SingleAsync(a => a.Id == id),
            await db.Set<PortfolioTransaction>().Where(t => t.PortfolioId == id).ToListAsync()));
        Assert.Multiple(() =>
        {
            Assert.That(portfolio.Kind, Is.EqualTo(PortfolioKind.Paper));
            Assert.That(portfolio.Name, Is.EqualTo("Learning"));
            Assert.That(portfolio.AccountAtBank, Is.False);
            Assert.That(account.Cash, Is.EqualTo(50_000m));
            Assert.That(account.StartingCash, Is.EqualTo(50_000m));
            Assert.That(account.Run, Is.EqualTo(1));
            Assert.That(transactions.Select(t => (t.Type, t.Amount)), Is.EqualTo(new[] { (TransactionType.Deposit, 50_000m) }));
        });
        var view = await WithAsync(s => s.GetRequiredService<PaperAccounts>().GetAsync(user, id, default));
        Assert.That(view!.Equity, Is.EqualTo(50_000m));
        Assert.That(view.ProfitLoss, Is.EqualTo(0m));
        Assert.That(view.OpenOrders, Is.EqualTo(0));
    }

    [Test]
    public async Task Opening_takes_the_default_cash_and_refuses_cash_out_of_range_and_a_missing_name()
    {
        var user = await UserAsync();
        var defaulted = await WithAsync(s => s.GetRequiredService<PaperAccounts>().OpenAsync(user, new PaperAccountInput("Default", null), default));
        Assert.That(defaulted.Value!.StartingCash, Is.EqualTo(100_000m));
        var tooLittle = await WithAsync(s => s.GetRequiredService<PaperAccounts>().OpenAsync(user, new PaperAccountInput("Small", 999m), default));
        Assert.That(tooLittle.Error!.Field, Is.EqualTo("StartingCash"));
        Assert.That(tooLittle.Error.Message.ToString(), Does.Contain("1,000.00").And.Contain("100,000,000.00"));
        var tooMuch = await WithAsync(s => s.GetRequiredService<PaperAccounts>().OpenAsync(user, new PaperAccountInput("Big", 100_000_001m), default));
        Assert.That(tooMuch.Error!.Field, Is.EqualTo("StartingCash"));
        var noName = await WithAsync(s => s.GetRequiredService<PaperAccounts>().OpenAsync(user, new PaperAccountInput("  ", 10_000m), default));
        Assert.That(noName.Error!.Field, Is.EqualTo("Name"));
        var longName = await WithAsync(s => s.GetRequiredService<PaperAccounts>().OpenAsync(user, new PaperAccountInput(new string('x', Portfolio.NameMaxLength + 1), 10_000m), default));
        Assert.That(longName.Error!.Field, Is.EqualTo("Name"));
    }

    [Test]
    public async Task The_account_limit_is_per_user_and_reached_is_a_limit()
    {
        var user = await UserAsync();
        for (var i = 0; i < 3; i++)
        {
            var ok = await WithAsync(s => s.GetRequiredService<PaperAccounts>().OpenAsync(user, new PaperAccountInput($"A{i}", 10_000m), default));
            Assert.That(ok.Error, Is.Null);
        }
        var refused = await WithAsync(s => s.GetRequiredService<PaperAccounts>().OpenAsync(user, new PaperAccountInput("A4", 10_000m), default));
        Assert.That(refused.Error!.LimitReached, Is.True);
        Assert.That(refused.Error.Message.ToString(), Does.Contain("at most 3 paper accounts"));
        var other = await UserAsync();
        var theirs = await WithAsync(s => s.GetRequiredService<PaperAccounts>().OpenAsync(other, new PaperAccountInput("Mine", 10_000m), default));
        Assert.That(theirs.Error, Is.Null);
    }

    [Test]
    public async Task Reset_cancels_live_orders_keeps_the_run_and_restores_the_cash()
    {
        await Ticks.WriteAsync(App, ("ATW", 600m));
        var user = await UserAsync();
        var id = (await WithAsync(s => s.GetRequiredService<PaperAccounts>().OpenAsync(user, new PaperAccountInput("Reset me", 100_000m), default))).Value!.Id;
        var check = await WithAsync(s => s.GetRequiredService<OrderEntry>().CheckAsync(user, id,
            new OrderInput("ATW", OrderSide.Buy, OrderType.Market, 1, null, null, null, null), default));
        var placed = await WithAsync(s => s.GetRequiredService<OrderEntry>().PlaceAsync(user, id,
            new OrderInput("ATW", OrderSide.Buy, OrderType.Limit, 10, check.Value!.Band.Low, null, OrderValidity.GoodTillCancelled, null), default));
        Assert.That(placed.Error, Is.Null, placed.Error?.Message.ToString());
        var held = await App.WithDbAsync(db => db.Set<PaperAccount>().AsNoTracking().SingleAsync(a => a.Id == id));
        Assert.That(held.ReservedCash, Is.GreaterThan(10 * check.Value!.Band.Low));
        Assert.That(held.Cash + held.ReservedCash, Is.EqualTo(100_000m));

        var reset = await WithAsync(s => s.GetRequiredService<PaperAccounts>().ResetAsync(user, id, default));
        Assert.That(reset.Error, Is.Null);
        var (account, order, runs, transactions) = await App.WithDbAsync(async db => (
            await db.Set<PaperAccount>().AsNoTracking().SingleAsync(a => a.Id == id),
            await db.Set<PaperOrder>().AsNoTracking().SingleAsync(o => o.Id == placed.Value!.Id),
            await db.Set<PaperRun>().AsNoTracking().Where(r => r.AccountId == id).ToListAsync(),
            await db.Set<PortfolioTransaction>().AsNoTracking().Where(t => t.PortfolioId == id).ToListAsync()));
        Assert.Multiple(() =>
        {
            Assert.That(order.State, Is.EqualTo(OrderState.Cancelled));
            Assert.That(order.CancelReason, Is.EqualTo(CancelReason.Reset));
            Assert.That(order.ReservedCash, Is.EqualTo(0m));
            Assert.That(account.Cash, Is.EqualTo(100_000m));
            Assert.That(account.ReservedCash, Is.EqualTo(0m));
            Assert.That(account.Run, Is.EqualTo(2));
            Assert.That(runs.Select(r => (r.Run, r.StartingCash, r.EndingEquity, r.Fills)), Is.EqualTo(new[] { (1, 100_000m, 100_000m, 0) }));
            Assert.That(transactions.Select(t => (t.Type, t.Amount)), Is.EqualTo(new[] { (TransactionType.Deposit, 100_000m) }));
        });
        var listed = await WithAsync(s => s.GetRequiredService<PaperAccounts>().RunsAsync(user, id, default));
        Assert.That(listed!.Select(r => r.Run), Is.EqualTo(new[] { 1 }));
        var other = await UserAsync();
        Assert.That((await WithAsync(s => s.GetRequiredService<PaperAccounts>().ResetAsync(other, id, default))).Found, Is.False);
        Assert.That(await WithAsync(s => s.GetRequiredService<PaperAccounts>().RunsAsync(other, id, default)), Is.Null);
    }

    [Test]
    public async Task The_portfolio_pages_of_a_paper_account_offer_trading_instead_of_hand_made_transactions()
    {
        var user = await AlertTesting.UserAsync(this, App, Client, "paper-pages");
        var id = (await WithAsync(s => s.GetRequiredService<PaperAccounts>().OpenAsync(user.Id, new PaperAccountInput("Pages", 10_000m), default))).Value!.Id;
        var browser = Client();
        await SignInAsync(browser, user.Email);
        var detail = await browser.GetStringAsync($"/portfolios/{id}");
        Assert.That(detail, Does.Contain($"href=\"/paper/{id}\"").And.Contain("data-testid=\"link-trade\""));
        Assert.That(detail, Does.Not.Contain($"href=\"/portfolios/{id}/import\""));
        var transactions = await browser.GetStringAsync($"/portfolios/{id}/transactions");
        Assert.That(transactions, Does.Contain("data-testid=\"paper-note\"").And.Contain($"href=\"/paper/{id}\""));
        Assert.That(transactions, Does.Not.Contain("tx-add-title").And.Not.Contain("data-testid=\"tx-edit\"").And.Not.Contain("data-testid=\"tx-delete\""));
        Assert.That(transactions, Does.Contain("data-testid=\"tx-row\""), "the fills and the deposit are listed");
        var import = await browser.GetStringAsync($"/portfolios/{id}/import");
        Assert.That(import, Does.Contain("data-testid=\"paper-note\"").And.Not.Contain("data-testid=\"upload-form\""));
    }
}
