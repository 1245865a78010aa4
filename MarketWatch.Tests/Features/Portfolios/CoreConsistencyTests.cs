using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>
/// "A sell that exceeds the quantity held at its date is refused, and so is an insert, edit or delete that would make a
/// later sell impossible; the error names that sell" — through the service, on a real database: nothing is saved.
/// </summary>
public sealed class CoreConsistencyTests : CoreTestBase
{
    private sealed record Book(string User, int Id, string Ticker, PortfolioTransaction Buy, PortfolioTransaction Sell);

    /// <summary>A portfolio holding 50 shares bought on <see cref="CoreTestBase.Day"/>, all sold ten days later.</summary>
    private async Task<Book> BookAsync()
    {
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var ticker = await TickerAsync();
        var buy = await AddedAsync(user, id, Buy(ticker, Day, 50, 100));
        var sell = await AddedAsync(user, id, Sell(ticker, Day.AddDays(10), 50, 110));
        return new Book(user, id, ticker, buy, sell);
    }

    private async Task AssertUnchangedAsync(Book book)
    {
        Assert.That(await StoredAsync(book.Id), Is.EqualTo(2));
        Assert.That(await VersionAsync(book.Id), Is.EqualTo(2));
        var buy = await With<PortfolioTransactions, PortfolioTransaction?>(s => s.FindAsync(book.User, book.Id, book.Buy.Id, CancellationToken.None));
        Assert.That((buy!.Date, buy.Quantity), Is.EqualTo((Day, 50m)));
    }

    private static void AssertNamesTheSell(FieldError? error, string field, string message)
    {
        Assert.That(error, Is.Not.Null, "the change was accepted");
        Assert.That(error!.Field, Is.EqualTo(field));
        Assert.That(error.Message.ToString(), Is.EqualTo(message));
    }

    [Test]
    public async Task A_sell_beyond_the_shares_held_at_its_date_is_refused_naming_it()
    {
        var book = await BookAsync();
        var outcome = await AddAsync(book.User, book.Id, Sell(book.Ticker, Day.AddDays(12), 1, 110));
        AssertNamesTheSell(outcome.Error, "quantity", $"The sell of 1 {book.Ticker} on 15 Mar 2025 would need 1 shares; 0 are held then.");
        await AssertUnchangedAsync(book);
    }

    [Test]
    public async Task A_back_dated_sell_that_leaves_a_later_sell_short_is_refused_naming_the_later_sell()
    {
        var book = await BookAsync();
        var outcome = await AddAsync(book.User, book.Id, Sell(book.Ticker, Day.AddDays(5), 20, 105));
        AssertNamesTheSell(outcome.Error, "quantity", $"The sell of 50 {book.Ticker} on 13 Mar 2025 would need 50 shares; 30 are held then.");
        await AssertUnchangedAsync(book);

        // A back-dated buy is fine, and so is a back-dated sell covered by it.
        await AddedAsync(book.User, book.Id, Buy(book.Ticker, Day.AddDays(1), 20, 90));
        await AddedAsync(book.User, book.Id, Sell(book.Ticker, Day.AddDays(5), 20, 105));
    }

    [Test]
    public async Task An_edit_that_lowers_a_buy_below_a_later_sell_is_refused_on_the_quantity()
    {
        var book = await BookAsync();
        var outcome = await With<PortfolioTransactions, Outcome<PortfolioTransaction>>(s =>
            s.UpdateAsync(book.User, book.Id, book.Buy.Id, Buy(book.Ticker, Day, 30, 100), CancellationToken.None));
        AssertNamesTheSell(outcome.Error, "quantity", $"The sell of 50 {book.Ticker} on 13 Mar 2025 would need 50 shares; 30 are held then.");
        await AssertUnchangedAsync(book);
    }

    [Test]
    public async Task An_edit_that_moves_a_buy_after_the_sell_it_covers_is_refused_on_the_date()
    {
        var book = await BookAsync();
        var outcome = await With<PortfolioTransactions, Outcome<PortfolioTransaction>>(s =>
            s.UpdateAsync(book.User, book.Id, book.Buy.Id, Buy(book.Ticker, Day.AddDays(11), 50, 100), CancellationToken.None));
        AssertNamesTheSell(outcome.Error, "date", $"The sell of 50 {book.Ticker} on 13 Mar 2025 would need 50 shares; 0 are held then.");
        await AssertUnchangedAsync(book);

        // Moving the sell earlier than its buy is refused too (the sell itself is short).
        var moved = await With<PortfolioTransactions, Outcome<PortfolioTransaction>>(s =>
            s.UpdateAsync(book.User, book.Id, book.Sell.Id, Sell(book.Ticker, Day.AddDays(-1), 50, 110), CancellationToken.None));
        AssertNamesTheSell(moved.Error, "date", $"The sell of 50 {book.Ticker} on 2 Mar 2025 would need 50 shares; 0 are held then.");
        await AssertUnchangedAsync(book);

        // The same day is fine: a sell counts the shares bought that day.
        var sameDay = await With<PortfolioTransactions, Outcome<PortfolioTransaction>>(s =>
            s.UpdateAsync(book.User, book.Id, book.Buy.Id, Buy(book.Ticker, Day.AddDays(10), 50, 100), CancellationToken.None));
        Assert.That(sameDay.Error, Is.Null);
        Assert.That(sameDay.Value!.Id, Is.EqualTo(book.Buy.Id));
        Assert.That(await VersionAsync(book.Id), Is.EqualTo(3));
    }

    [Test]
    public async Task Deleting_the_buy_a_later_sell_needs_is_refused_and_deleting_the_sell_first_is_fine()
    {
        var book = await BookAsync();
        var outcome = await With<PortfolioTransactions, Outcome<bool>>(s => s.DeleteAsync(book.User, book.Id, book.Buy.Id, CancellationToken.None));
        AssertNamesTheSell(outcome.Error, "quantity", $"The sell of 50 {book.Ticker} on 13 Mar 2025 would need 50 shares; 0 are held then.");
        await AssertUnchangedAsync(book);

        Assert.That((await With<PortfolioTransactions, Outcome<bool>>(s => s.DeleteAsync(book.User, book.Id, book.Sell.Id, CancellationToken.None))).Value, Is.True);
        Assert.That((await With<PortfolioTransactions, Outcome<bool>>(s => s.DeleteAsync(book.User, book.Id, book.Buy.Id, CancellationToken.None))).Value, Is.True);
        Assert.That(await StoredAsync(book.Id), Is.Zero);
        Assert.That((await With<PortfolioTransactions, Outcome<bool>>(s => s.DeleteAsync(book.User, book.Id, book.Buy.Id, CancellationToken.None))).Found, Is.False);
    }

    [Test]
    public async Task A_split_before_the_sell_counts_and_a_reverse_split_can_leave_it_short()
    {
        var book = await BookAsync();
        // 50 shares become 5 on Day+2: the sell of 50 on Day+10 is short.
        var reverse = await AddAsync(book.User, book.Id, new TransactionInput(TransactionType.Split, Day.AddDays(2), null, book.Ticker, null, null, null, null, null, 0.1m, null));
        AssertNamesTheSell(reverse.Error, "quantity", $"The sell of 50 {book.Ticker} on 13 Mar 2025 would need 50 shares; 5 are held then.");
        await AssertUnchangedAsync(book);
        // A two-for-one split leaves 50 after the sell.
        await AddedAsync(book.User, book.Id, new TransactionInput(TransactionType.Split, Day.AddDays(2), null, book.Ticker, null, null, null, null, null, 2m, null));
        var snapshot = await With<PortfolioHoldings, PortfolioSnapshot?>(h => h.GetAsync(book.User, book.Id, CancellationToken.None));
        Assert.That(snapshot!.Holdings.Single().Quantity, Is.EqualTo(50m));
        Assert.That(snapshot.Holdings.Single().AverageCost, Is.EqualTo(50.385m));
    }

    [TestCase("fr", "La vente de 50 {0} du 13 mars 2025 nécessiterait 50 actions ; 30 sont détenues à cette date.")]
    [TestCase("ar", "بيع 50 {0} بتاريخ 13 مارس 2025 يتطلب 50 سهمًا؛ والمملوك حينها 30.")]
    public async Task The_refusal_is_worded_in_the_readers_language_with_the_date_as_they_write_it(string language, string expected)
    {
        var book = await BookAsync();
        var outcome = await AddAsync(book.User, book.Id, Sell(book.Ticker, Day.AddDays(5), 20, 105));
        var localizer = App.Services.GetRequiredService<IStringLocalizer<MarketWatch.Web.SharedResource>>();
        using (Languages.Use(language))
        {
            var date = Format.Date(Day.AddDays(10));
            Assert.That(outcome.Error!.Message.In(localizer), Is.EqualTo(string.Format(expected.Replace("13 mars 2025", date).Replace("13 مارس 2025", date), book.Ticker)));
            Assert.That(date, Is.Not.EqualTo("13 Mar 2025"));
        }
    }
}
