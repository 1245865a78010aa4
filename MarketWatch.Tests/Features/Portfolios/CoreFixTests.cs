using System.Net;
using System.Net.Http.Json;
using MarketWatch.Tests.Features.Alerts;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>
/// Review fixes of the portfolio core: input whose product overflows a decimal is a field error (400), not a 500;
/// a position cannot be split past its bound; a defaulted sell tax follows its gain when an earlier change moves it,
/// a typed one does not; the edit form leaves defaulted fees and taxes empty.
/// </summary>
public sealed class CoreFixTests : CoreTestBase
{
    [Test]
    public async Task A_quantity_and_price_whose_product_overflows_are_field_errors_and_store_nothing()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var ticker = await TickerAsync();

        var outcome = await AddAsync(user, id, Buy(ticker, Day, 1e15m, 1e15m));
        Assert.That(outcome.Error?.Field, Is.EqualTo("quantity"));
        var many = await With<PortfolioTransactions, BatchOutcome>(s => s.AddManyAsync(user, id, [Buy(ticker, Day, 1e15m, 1e15m), Sell(ticker, Day, 1e20m, 1e20m)], CancellationToken.None));
        Assert.That(many.Errors.Select(e => (e.Row, e.Error.Field)), Is.EqualTo(new[] { (0, "quantity"), (0, "price"), (1, "quantity"), (1, "price") }));
        Assert.That(await StoredAsync(id), Is.Zero);

        var api = await AlertTesting.UserAsync(this, App, Client, "overflow");
        var apiId = await ApiTesting.CreateAsync(api.Api);
        var response = await api.Api.PostAsJsonAsync($"/api/portfolios/{apiId}/transactions",
            new { type = "Buy", date = Day, ticker, quantity = 1e15m, price = 1e15m });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("quantity"));
        Assert.That(await StoredAsync(apiId), Is.Zero);
    }

    [Test]
    public async Task A_split_that_would_take_a_position_past_its_bound_is_refused_on_the_ratio()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var ticker = await TickerAsync();
        await AddedAsync(user, id, Buy(ticker, Day, 1_000_000_000m, 1m, fees: 0));
        await AddedAsync(user, id, new TransactionInput(TransactionType.Split, Day.AddDays(1), null, ticker, null, null, null, null, null, 1000m, null));

        var refused = await AddAsync(user, id, new TransactionInput(TransactionType.Split, Day.AddDays(2), null, ticker, null, null, null, null, null, 1000m, null));
        Assert.That(refused.Error?.Field, Is.EqualTo("ratio"));
        Assert.That(refused.Error!.Message.ToString(), Does.Contain("at most"));
        Assert.That(await StoredAsync(id), Is.EqualTo(2));
        var snapshot = await With<PortfolioHoldings, PortfolioSnapshot?>(s => s.GetAsync(user, id, CancellationToken.None));
        Assert.That(snapshot!.Holdings.Single().Quantity, Is.EqualTo(Ledger.MaxPositionQuantity));
    }

    [Test]
    public async Task A_back_dated_buy_re_derives_a_later_sells_defaulted_tax_and_keeps_a_typed_one()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var ticker = await TickerAsync();
        var schedule = await With<FeeSchedules, FeeSchedule>(s => s.GetAsync(CancellationToken.None));
        var first = await AddedAsync(user, id, Buy(ticker, Day, 200, 100));
        var defaulted = await AddedAsync(user, id, Sell(ticker, Day.AddDays(10), 100, 120));
        var typed = await AddedAsync(user, id, Sell(ticker, Day.AddDays(11), 50, 120, taxes: 7m));
        Assert.That((first.FeesDefaulted, defaulted.FeesDefaulted, defaulted.TaxesDefaulted, typed.TaxesDefaulted), Is.EqualTo((true, true, true, false)));
        var before = defaulted.Taxes;
        Assert.That(before, Is.EqualTo(schedule.CapitalGainsTax(12_000m - defaulted.Fees - (20_000m + first.Fees) / 2)));

        // A back-dated buy at 50 lowers the average cost: the sell's gain and so its defaulted tax go up.
        var cheap = await AddedAsync(user, id, Buy(ticker, Day.AddDays(5), 100, 50));
        var stored = await App.WithDbAsync(db => db.PortfolioTransactions.AsNoTracking().Where(t => t.PortfolioId == id).ToDictionaryAsync(t => t.Id));
        var average = (20_000m + first.Fees + 5_000m + cheap.Fees) / 300;
        var expected = schedule.CapitalGainsTax(12_000m - defaulted.Fees - Math.Round(average * 100, 6));
        Assert.That(expected, Is.GreaterThan(before));
        Assert.That(stored[defaulted.Id].Taxes, Is.EqualTo(expected));
        Assert.That(stored[typed.Id].Taxes, Is.EqualTo(7m));

        // Deleting it brings the tax back.
        var deleted = await With<PortfolioTransactions, Web.Infrastructure.Outcome<bool>>(s => s.DeleteAsync(user, id, cheap.Id, CancellationToken.None));
        Assert.That(deleted.Error, Is.Null);
        Assert.That(await App.WithDbAsync(db => db.PortfolioTransactions.Where(t => t.Id == defaulted.Id).Select(t => t.Taxes).SingleAsync()), Is.EqualTo(before));
    }

    [Test]
    public async Task The_edit_form_leaves_defaulted_fees_and_taxes_empty_so_an_edit_recomputes_them()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var ticker = await TickerAsync();
        var buy = await AddedAsync(user, id, Buy(ticker, Day, 100, 100));
        var typed = await AddedAsync(user, id, Buy(ticker, Day, 10, 100, fees: 12.5m));
        Assert.That(TransactionForm.From(buy).Fees, Is.Null);
        Assert.That(TransactionForm.From(typed).Fees, Is.EqualTo("12.5"));

        var form = TransactionForm.From(buy);
        form.Quantity = "1000";
        var (input, error) = form.ToInput();
        Assert.That(error, Is.Null);
        var edited = await With<PortfolioTransactions, Web.Infrastructure.Outcome<PortfolioTransaction>>(s => s.UpdateAsync(user, id, buy.Id, input!, CancellationToken.None));
        var schedule = await With<FeeSchedules, FeeSchedule>(s => s.GetAsync(CancellationToken.None));
        Assert.That(edited.Value!.Fees, Is.EqualTo(schedule.TradeFees(100_000m, accountAtBank: false)));
        Assert.That(edited.Value.FeesDefaulted, Is.True);
    }
}
