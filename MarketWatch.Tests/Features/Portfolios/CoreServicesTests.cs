using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>The portfolio services on a real database: ownership, limits, all-or-nothing changes, defaults from the fee schedule.</summary>
public sealed class CoreServicesTests : CoreTestBase
{
    private const int MaxPortfolios = 4;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Portfolios:MaxPerUser"] = MaxPortfolios.ToString(),
        ["Portfolios:MaxTransactions"] = MaxTransactions.ToString(),
    };

    private const int MaxTransactions = 6;

    private readonly ChangeRecorder _changes = new();

    protected override Action<IWebHostBuilder>? ConfigureApp => builder =>
        builder.ConfigureTestServices(services => services.AddSingleton<IPortfolioChangeHandler>(_changes));

    /// <summary>Records what the change handlers are told.</summary>
    private sealed class ChangeRecorder : IPortfolioChangeHandler
    {
        public ConcurrentQueue<(int PortfolioId, DateOnly From)> Told { get; } = new();

        public Task OnChangedAsync(int portfolioId, DateOnly from, CancellationToken cancellationToken)
        {
            Told.Enqueue((portfolioId, from));
            return Task.CompletedTask;
        }
    }

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

    [Test]
    public async Task Parallel_creates_past_the_limit_make_exactly_the_limit_and_refuse_the_rest_as_a_reached_limit()
    {
        var user = await UserAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            With<PortfolioService, Outcome<Portfolio>>(s => s.CreateAsync(user, new PortfolioInput("P" + i, null), CancellationToken.None))));
        Assert.That(outcomes.Count(o => o.Error is null), Is.EqualTo(MaxPortfolios));
        foreach (var refused in outcomes.Where(o => o.Error is not null))
        {
            Assert.That(refused.Error!.LimitReached, Is.True);
            Assert.That(refused.Error.Field, Is.EqualTo("name"));
            Assert.That(refused.Error.Message.ToString(), Is.EqualTo($"You have reached the limit of {MaxPortfolios} portfolios. Delete one to create another."));
        }
        var list = await With<PortfolioService, List<PortfolioSummary>>(s => s.ListAsync(user, CancellationToken.None));
        Assert.That(list, Has.Count.EqualTo(MaxPortfolios));
    }

    [Test]
    public async Task Another_users_portfolio_and_transactions_are_missing_to_every_method_and_nothing_changes()
    {
        var owner = await UserAsync();
        var other = await UserAsync();
        var id = await PortfolioAsync(owner);
        var otherId = await PortfolioAsync(other);
        var ticker = await TickerAsync();
        var tx = await AddedAsync(owner, id, Buy(ticker, Day, 10, 50));
        var input = Buy(ticker, Day, 5, 50);
        var none = CancellationToken.None;

        Assert.Multiple(async () =>
        {
            Assert.That(await With<PortfolioService, Portfolio?>(s => s.FindAsync(other, id, none)), Is.Null);
            Assert.That((await With<PortfolioService, Outcome<Portfolio>>(s => s.UpdateAsync(other, id, new PortfolioInput("Mine", null), none))).Found, Is.False);
            Assert.That(await With<PortfolioService, bool>(s => s.DeleteAsync(other, id, none)), Is.False);
            Assert.That(await With<PortfolioTransactions, List<PortfolioTransaction>?>(s => s.ListAsync(other, id, null, none)), Is.Null);
            Assert.That(await With<PortfolioTransactions, PortfolioTransaction?>(s => s.FindAsync(other, id, tx.Id, none)), Is.Null);
            // Their own portfolio's id with this transaction's id: not theirs either.
            Assert.That(await With<PortfolioTransactions, PortfolioTransaction?>(s => s.FindAsync(other, otherId, tx.Id, none)), Is.Null);
            Assert.That((await AddAsync(other, id, input)).Found, Is.False);
            Assert.That((await With<PortfolioTransactions, Outcome<PortfolioTransaction>>(s => s.UpdateAsync(other, id, tx.Id, input, none))).Found, Is.False);
            Assert.That((await With<PortfolioTransactions, Outcome<PortfolioTransaction>>(s => s.UpdateAsync(other, otherId, tx.Id, input, none))).Found, Is.False);
            Assert.That((await With<PortfolioTransactions, Outcome<bool>>(s => s.DeleteAsync(other, id, tx.Id, none))).Found, Is.False);
            Assert.That((await With<PortfolioTransactions, Outcome<bool>>(s => s.DeleteAsync(other, otherId, tx.Id, none))).Found, Is.False);
            Assert.That((await With<PortfolioTransactions, Outcome<TransactionPreview>>(s => s.PreviewAsync(other, id, null, input, none))).Found, Is.False);
            Assert.That((await With<PortfolioTransactions, Outcome<TransactionPreview>>(s => s.PreviewAsync(other, otherId, tx.Id, input, none))).Found, Is.False);
            Assert.That((await With<PortfolioTransactions, BatchOutcome>(s => s.AddManyAsync(other, id, [input], none))).Found, Is.False);
            Assert.That(await With<PortfolioHoldings, PortfolioSnapshot?>(h => h.GetAsync(other, id, none)), Is.Null);
        });
        Assert.That(await StoredAsync(id), Is.EqualTo(1));
        Assert.That(await StoredAsync(otherId), Is.Zero);
        var stored = await With<PortfolioTransactions, PortfolioTransaction?>(s => s.FindAsync(owner, id, tx.Id, none));
        Assert.That(stored!.Quantity, Is.EqualTo(10m));
        Assert.That(await With<PortfolioService, Portfolio?>(s => s.FindAsync(owner, id, none)), Is.Not.Null);
    }

    [Test]
    public async Task A_batch_with_a_bad_row_stores_nothing_and_names_each_bad_row()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var ticker = await TickerAsync();
        var batch = await With<PortfolioTransactions, BatchOutcome>(s => s.AddManyAsync(user, id, [
            Buy(ticker, Day, 10, 50),
            Buy("NOSUCHTICKER", Day, 10, 50),
            Sell(ticker, Day.AddDays(1), -3, 50),
        ], CancellationToken.None));
        Assert.That(batch.Found, Is.True);
        Assert.That(batch.Added, Is.Zero);
        Assert.That(batch.Errors.Select(e => (e.Row, e.Error.Field)), Is.EquivalentTo(new[] { (1, "ticker"), (2, "quantity") }));
        Assert.That(batch.Errors.Single(e => e.Row == 1).Error.Message.ToString(), Does.StartWith("Unknown ticker"));
        Assert.That(await StoredAsync(id), Is.Zero);

        // A batch whose own sell needs more than its buys: refused on that row, nothing stored.
        var short_ = await With<PortfolioTransactions, BatchOutcome>(s => s.AddManyAsync(user, id, [
            Buy(ticker, Day, 10, 50), Sell(ticker, Day.AddDays(1), 12, 50),
        ], CancellationToken.None));
        Assert.That(short_.Errors.Single().Row, Is.EqualTo(1));
        Assert.That(short_.Errors.Single().Error.Field, Is.EqualTo("quantity"));
        Assert.That(await StoredAsync(id), Is.Zero);
        Assert.That(await VersionAsync(id), Is.Zero);

        var good = await With<PortfolioTransactions, BatchOutcome>(s => s.AddManyAsync(user, id, [
            Buy(ticker, Day, 10, 50), Sell(ticker, Day.AddDays(1), 10, 55), Buy(ticker, Day.AddDays(2), 5, 40),
        ], CancellationToken.None));
        Assert.That(good.Errors, Is.Empty);
        Assert.That(good.Added, Is.EqualTo(3));
        Assert.That(await StoredAsync(id), Is.EqualTo(3));
        Assert.That(await VersionAsync(id), Is.EqualTo(1));
    }

    [Test]
    public async Task More_transactions_than_the_portfolio_may_hold_are_refused_as_a_reached_limit()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var ticker = await TickerAsync();
        var rows = Enumerable.Range(0, MaxTransactions + 1).Select(i => Buy(ticker, Day.AddDays(i), 1, 50)).ToList();
        var batch = await With<PortfolioTransactions, BatchOutcome>(s => s.AddManyAsync(user, id, rows, CancellationToken.None));
        Assert.That(batch.Errors.Single().Error.LimitReached, Is.True);
        Assert.That(batch.Errors.Single().Row, Is.EqualTo(MaxTransactions));
        Assert.That(await StoredAsync(id), Is.Zero);
        var fits = await With<PortfolioTransactions, BatchOutcome>(s => s.AddManyAsync(user, id, rows.Skip(1).ToList(), CancellationToken.None));
        Assert.That(fits.Added, Is.EqualTo(MaxTransactions));
        var one = await AddAsync(user, id, rows[0]);
        Assert.That(one.Error!.LimitReached, Is.True);
    }

    [Test]
    public async Task A_preview_shows_the_effect_and_stores_nothing()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var ticker = await TickerAsync();
        await AddedAsync(user, id, new TransactionInput(TransactionType.Deposit, Day, null, null, null, null, 10_000m, null, null, null, null));
        await AddedAsync(user, id, Buy(ticker, Day, 100, 50));
        var version = await VersionAsync(id);
        var preview = await With<PortfolioTransactions, Outcome<TransactionPreview>>(s =>
            s.PreviewAsync(user, id, null, Sell(ticker.ToLowerInvariant(), Day.AddDays(7), 40, 60), CancellationToken.None));
        Assert.That(preview.Error, Is.Null, preview.Error?.Message.ToString());
        var p = preview.Value!;
        Assert.Multiple(() =>
        {
            Assert.That(p.Ticker, Is.EqualTo(ticker));
            Assert.That(p.Before, Is.EqualTo(new PositionSnapshot(100, 50.385m, 5038.50m, 0)));
            Assert.That(p.After, Is.EqualTo(new PositionSnapshot(60, 50.385m, 3023.10m, 366.12m)));
            Assert.That(p.Fees, Is.EqualTo(18.48m));
            Assert.That(p.Taxes, Is.EqualTo(54.92m));
            Assert.That(p.RealizedGain, Is.EqualTo(366.12m));
            Assert.That(p.CashBefore, Is.EqualTo(10_000m - 5038.50m));
            Assert.That(p.CashAfter, Is.EqualTo(10_000m - 5038.50m + 2400m - 18.48m - 54.92m));
        });
        Assert.That(await StoredAsync(id), Is.EqualTo(2));
        Assert.That(await VersionAsync(id), Is.EqualTo(version));

        var refused = await With<PortfolioTransactions, Outcome<TransactionPreview>>(s =>
            s.PreviewAsync(user, id, null, Sell(ticker, Day.AddDays(7), 400, 60), CancellationToken.None));
        Assert.That(refused.Error!.Field, Is.EqualTo("quantity"));
    }

    [Test]
    public async Task Each_bad_field_is_refused_on_its_own_name()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var ticker = await TickerAsync();
        var today = MarketWatch.Web.Features.Market.Calendar.ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow);
        var cases = new (TransactionInput Input, string Field, string Message)[]
        {
            (Buy(ticker, Day, 10, 50) with { Type = null }, "type", "Choose the type of transaction."),
            (Buy(ticker, Day, 10, 50) with { Date = null }, "date", "Enter the date."),
            (Buy(ticker, today.AddDays(2), 10, 50), "date", "The date cannot be in the future."),
            (Buy(ticker, new DateOnly(1989, 12, 31), 10, 50), "date", "The date cannot be before 1 Jan 1990."),
            (Buy("", Day, 10, 50), "ticker", "Enter a ticker or an ISIN."),
            (Buy("ZZZZ9", Day, 10, 50), "ticker", "Unknown ticker or ISIN: ZZZZ9."),
            (Buy(new string('A', 5000), Day, 10, 50), "ticker", "Unknown ticker or ISIN: " + new string('A', 20) + "…."),
            (Buy(ticker, Day, 0, 50), "quantity", "The quantity must be more than 0 and at most 1,000,000,000."),
            (Buy(ticker, Day, 2_000_000_000m, 50), "quantity", "The quantity must be more than 0 and at most 1,000,000,000."),
            (Buy(ticker, Day, 10, 0), "price", "The price must be more than 0 and at most 10,000,000."),
            (Buy(ticker, Day, 10, 10_000_001m), "price", "The price must be more than 0 and at most 10,000,000."),
            (Buy(ticker, Day, 10, 50, fees: -1), "fees", "The fees must be 0 or more (at most 1,000,000,000,000)."),
            (Sell(ticker, Day, 10, 50, taxes: -1), "taxes", "The taxes must be 0 or more (at most 1,000,000,000,000)."),
            (Buy(ticker, Day, 10, 50) with { Note = new string('n', 10_000) }, "note", "The note can be at most 500 characters long."),
            (new TransactionInput(TransactionType.Deposit, Day, null, null, null, null, 0, null, null, null, null), "amount", "The amount must be more than 0 and at most 1,000,000,000,000."),
            (new TransactionInput(TransactionType.Fee, Day, null, null, null, null, null, null, null, null, null), "amount", "The amount must be more than 0 and at most 1,000,000,000,000."),
            (new TransactionInput(TransactionType.Split, Day, null, ticker, null, null, null, null, null, null, null), "ratio", "The ratio must be more than 0 and at most 1,000."),
            (new TransactionInput(TransactionType.Bonus, Day, null, ticker, null, null, null, null, null, 1001, null), "ratio", "The ratio must be more than 0 and at most 1,000."),
            (new TransactionInput(TransactionType.Dividend, Day, null, null, 10, 2, null, null, null, null, null), "ticker", "Enter a ticker or an ISIN."),
        };
        foreach (var (input, field, message) in cases)
        {
            var outcome = await AddAsync(user, id, input);
            Assert.That(outcome.Error, Is.Not.Null, $"{input} was accepted");
            Assert.That(outcome.Error!.Field, Is.EqualTo(field), message);
            Assert.That(outcome.Error.Message.ToString(), Is.EqualTo(message));
        }
        Assert.That(await StoredAsync(id), Is.Zero);
        Assert.That(_changes.Told.Where(c => c.PortfolioId == id), Is.Empty);
    }

    [Test]
    public async Task An_isin_in_any_case_names_the_instrument_and_defaults_follow_the_type()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user, atBank: true);
        var instrument = (await InstrumentsAsync(1))[0];
        var buy = await AddedAsync(user, id, Buy(instrument.Isin!.ToLowerInvariant(), Day, 100, 50));
        Assert.That(buy.InstrumentId, Is.EqualTo(instrument.Id));
        Assert.That(buy.Fees, Is.EqualTo(49.50m)); // at a bank: 0.9 % + VAT
        var dividend = await AddedAsync(user, id, new TransactionInput(TransactionType.Dividend, Day.AddDays(30), null, instrument.Ticker, 100, 12.5m, null, null, null, null, null));
        Assert.That(dividend.Amount, Is.EqualTo(1250m));
        Assert.That(dividend.Taxes, Is.EqualTo(125m));
        Assert.That(dividend.Fees, Is.Zero);
        var free = await AddedAsync(user, id, Sell(instrument.Ticker, Day.AddDays(31), 10, 40, fees: 0, taxes: 0));
        Assert.That((free.Fees, free.Taxes), Is.EqualTo((0m, 0m)));
        // A loss carries no tax.
        var loss = await AddedAsync(user, id, Sell(instrument.Ticker, Day.AddDays(32), 10, 40));
        Assert.That(loss.Taxes, Is.Zero);
        var fee = await AddedAsync(user, id, new TransactionInput(TransactionType.Fee, Day.AddDays(33), null, instrument.Ticker, null, null, 30m, null, null, null, "custody"));
        Assert.That((fee.Amount, fee.InstrumentId, fee.Note), Is.EqualTo((30m, (int?)instrument.Id, "custody")));
        var listed = await With<PortfolioTransactions, List<PortfolioTransaction>?>(s =>
            s.ListAsync(user, id, new TransactionFilter(Ticker: instrument.Isin!.ToLowerInvariant(), From: Day.AddDays(30)), CancellationToken.None));
        Assert.That(listed!.Select(t => t.Type), Is.EqualTo(new[] { TransactionType.Fee, TransactionType.Sell, TransactionType.Sell, TransactionType.Dividend }));
        Assert.That(listed![0].Instrument?.Ticker, Is.EqualTo(instrument.Ticker));
        var sells = await With<PortfolioTransactions, List<PortfolioTransaction>?>(s =>
            s.ListAsync(user, id, new TransactionFilter(Type: TransactionType.Sell, To: Day.AddDays(31)), CancellationToken.None));
        Assert.That(sells!.Single().Id, Is.EqualTo(free.Id));
    }

    [Test]
    public async Task Holdings_are_replayed_once_per_version_and_handlers_hear_of_each_change_from_its_earliest_date()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var ticker = await TickerAsync();
        await AddedAsync(user, id, Buy(ticker, Day, 10, 50));
        var first = await With<PortfolioHoldings, PortfolioSnapshot?>(h => h.GetAsync(user, id, CancellationToken.None));
        Assert.That(first!.Holdings.Single().Quantity, Is.EqualTo(10m));

        // A row written behind the services' back, version unchanged: the cached replay does not see it...
        var instrumentId = first.Holdings.Single().InstrumentId;
        await App.WithDbAsync(async db =>
        {
            db.Add(new PortfolioTransaction { PortfolioId = id, Type = TransactionType.Buy, Date = Day, InstrumentId = instrumentId, Quantity = 5, Price = 50, Amount = 250 });
            return await db.SaveChangesAsync();
        });
        var cached = await With<PortfolioHoldings, PortfolioSnapshot?>(h => h.GetAsync(user, id, CancellationToken.None));
        Assert.That(cached!.Holdings.Single().Quantity, Is.EqualTo(10m));

        // ...a change through the service bumps the version, and the next read replays everything.
        var backDated = await AddedAsync(user, id, Buy(ticker, Day.AddDays(-20), 1, 50));
        var fresh = await With<PortfolioHoldings, PortfolioSnapshot?>(h => h.GetAsync(user, id, CancellationToken.None));
        Assert.That(fresh!.Holdings.Single().Quantity, Is.EqualTo(16m));
        Assert.That(fresh.Portfolio.Version, Is.EqualTo(2));

        var edited = await With<PortfolioTransactions, Outcome<PortfolioTransaction>>(s =>
            s.UpdateAsync(user, id, backDated.Id, Buy(ticker, Day.AddDays(-5), 2, 50), CancellationToken.None));
        Assert.That(edited.Error, Is.Null);
        var deleted = await With<PortfolioTransactions, Outcome<bool>>(s => s.DeleteAsync(user, id, backDated.Id, CancellationToken.None));
        Assert.That(deleted.Value, Is.True);
        Assert.That(_changes.Told.Where(c => c.PortfolioId == id).Select(c => c.From),
            Is.EqualTo(new[] { Day, Day.AddDays(-20), Day.AddDays(-20), Day.AddDays(-5) }));
        Assert.That(await VersionAsync(id), Is.EqualTo(4));
    }

    [Test]
    public async Task Revalue_reprices_the_quoted_holdings_and_recomputes_weights_and_totals()
    {
        var portfolio = new Portfolio { Id = 1, UserId = "u", Name = "P" };
        HoldingRow Row(int id, decimal quantity, decimal cost, decimal value) =>
            new(id, "T" + id, "N", "S", quantity, cost / quantity, cost, value / quantity, value / quantity, null, value, value - cost, 0, 0, 0, 0, 0, 0);
        var snapshot = new PortfolioSnapshot(portfolio, [Row(1, 10, 1000, 1000), Row(2, 20, 1000, 3000)], [], 4500, 4000, 500, true, 4000, 0, 0, 500, 12.5m, 0, 0, 0, 0) { MoneyIn = 4000 };
        var quote = new Quote { InstrumentId = 1, Last = 150, PreviousClose = 100, Time = DateTimeOffset.UtcNow };
        var moved = PortfolioHoldings.Revalue(snapshot, new Dictionary<int, Quote> { [1] = quote });
        Assert.Multiple(() =>
        {
            Assert.That(moved.Holdings.Select(h => h.InstrumentId), Is.EqualTo(new[] { 2, 1 }));
            var one = moved.Holdings.Single(h => h.InstrumentId == 1);
            Assert.That(one.MarketValue, Is.EqualTo(1500m));
            Assert.That(one.UnrealizedPnl, Is.EqualTo(500m));
            Assert.That(one.UnrealizedPercent, Is.EqualTo(50m));
            Assert.That(one.DayChange, Is.EqualTo(500m));
            Assert.That(one.DayChangePercent, Is.EqualTo(50m));
            Assert.That(one.Weight, Is.EqualTo(33.33m));
            Assert.That(moved.Holdings.Single(h => h.InstrumentId == 2).Weight, Is.EqualTo(66.67m));
            Assert.That(moved.HoldingsValue, Is.EqualTo(4500m));
            Assert.That(moved.Value, Is.EqualTo(5000m));
            Assert.That(moved.DayChange, Is.EqualTo(500m));
            Assert.That(moved.DayChangePercent, Is.EqualTo(12.5m)); // 500 on 4,000 at the previous close
            Assert.That(moved.TotalReturn, Is.EqualTo(1000m));
            Assert.That(moved.TotalReturnPercent, Is.EqualTo(25m));
        });
    }

    [Test]
    public async Task Download_my_data_holds_the_portfolios_and_deleting_the_account_removes_them()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var ticker = await TickerAsync();
        await AddedAsync(user, id, Buy(ticker, Day, 10, 50) with { Note = "first lot" });
        await App.WithDbAsync(async db =>
        {
            await db.Portfolios.Where(p => p.Id == id).ExecuteUpdateAsync(p => p.SetProperty(x => x.ShareToken, "secret-share-token"));
            return 0;
        });
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var account = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByIdAsync(user);
            var export = await scope.ServiceProvider.GetRequiredService<PersonalData>().ExportAsync(account!, CancellationToken.None);
            var json = System.Text.Json.JsonSerializer.Serialize(export);
            Assert.That(json, Does.Contain("\"portfolios\"").And.Contain("first lot").And.Contain(ticker).And.Contain("\"Shared\":true"));
            Assert.That(json, Does.Not.Contain("secret-share-token"));
            var deleted = await scope.ServiceProvider.GetRequiredService<PersonalData>().DeleteAsync(account!, CancellationToken.None);
            Assert.That(deleted.Succeeded);
        }
        Assert.That(await App.WithDbAsync(db => db.Portfolios.CountAsync(p => p.Id == id)), Is.Zero);
        Assert.That(await StoredAsync(id), Is.Zero);
    }
}

internal static class SnapshotTesting
{
    public static decimal Weight(this PortfolioSnapshot snapshot) => snapshot.Holdings.Sum(h => h.Weight);
}
