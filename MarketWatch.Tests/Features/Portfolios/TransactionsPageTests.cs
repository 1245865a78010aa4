using System.Net;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>
/// The transactions page and "add a transaction" over HTTP, without JavaScript: ownership on every handler, the
/// plain-form paths (errors on the page, preview on the page, redirect after save), filters in the query string.
/// </summary>
public sealed class TransactionsPageTests : AppTest
{
    private async Task<(HttpClient Client, string Email)> UserAsync(string prefix)
    {
        var client = Client();
        var email = NewEmail(prefix);
        await RegisterAsync(client, email);
        await SignInAsync(client, email);
        return (client, email);
    }

    /// <summary>A portfolio of <paramref name="email"/> holding 10 IAM bought on 2 March 2026 at 100 (10 fees).</summary>
    private Task<(int PortfolioId, long BuyId)> PortfolioWithABuyAsync(string email) => App.WithDbAsync(async db =>
    {
        var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
        var iam = await db.Set<Instrument>().Where(i => i.Ticker == "IAM").Select(i => i.Id).SingleAsync();
        var portfolio = new Portfolio { UserId = userId, Name = "Main", CreatedAt = DateTimeOffset.UtcNow };
        db.Add(portfolio);
        await db.SaveChangesAsync();
        var buy = new PortfolioTransaction
        {
            PortfolioId = portfolio.Id, Type = TransactionType.Buy, Date = new DateOnly(2026, 3, 2), InstrumentId = iam,
            Quantity = 10, Price = 100, Amount = 1000, Fees = 10, CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Add(buy);
        await db.SaveChangesAsync();
        return (portfolio.Id, buy.Id);
    });

    private Task<int> CountAsync(int portfolioId) =>
        App.WithDbAsync(db => db.Set<PortfolioTransaction>().CountAsync(t => t.PortfolioId == portfolioId));

    private static Dictionary<string, string> Form(string type, string? ticker = null, string? quantity = null, string? price = null,
        string date = "2026-03-05", string? fees = null) => new()
    {
        ["Input.Type"] = type, ["Input.Date"] = date, ["Input.Ticker"] = ticker ?? "", ["Input.Quantity"] = quantity ?? "",
        ["Input.Price"] = price ?? "", ["Input.Fees"] = fees ?? "", ["Input.Taxes"] = "", ["Input.Note"] = "",
    };

    [Test]
    public async Task Visitors_get_the_sign_in_page()
    {
        foreach (var path in new[] { "/portfolios/add?ticker=IAM", "/portfolios/1/transactions" })
        {
            var response = await Client().GetAsync(path);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), path);
            Assert.That(response.Headers.Location!.ToString(), Does.Contain("/account/login"), path);
        }
    }

    [Test]
    public async Task Another_users_portfolio_is_404_on_every_handler_and_nothing_changes()
    {
        var (_, ownerEmail) = await UserAsync("owner");
        var (id, buyId) = await PortfolioWithABuyAsync(ownerEmail);
        var (intruder, _) = await UserAsync("intruder");
        var page = $"/portfolios/{id}/transactions";

        foreach (var path in new[] { page, $"{page}?type=Buy", $"{page}/edit?txId={buyId}", $"{page}/row?txId={buyId}", $"{page}?edit={buyId}" })
        {
            Assert.That((await intruder.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), path);
        }
        foreach (var action in new[] { $"{page}/add", $"{page}/update?txId={buyId}", $"{page}/delete?txId={buyId}", $"{page}/preview", $"{page}/preview?txId={buyId}" })
        {
            var response = await PostFormAsync(intruder, "/portfolios/add", Form("Sell", "IAM", "10", "90"), action);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), action);
        }
        var fields = Form("Buy", "IAM", "5", "100");
        fields["PortfolioId"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.That((await PostFormAsync(intruder, "/portfolios/add", fields, "/portfolios/add/save")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "add page");
        Assert.That((await PostFormAsync(intruder, "/portfolios/add", fields, "/portfolios/add/preview")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "add page preview");

        var stored = await App.WithDbAsync(db => db.Set<PortfolioTransaction>().AsNoTracking().SingleAsync(t => t.PortfolioId == id));
        Assert.That((stored.Id, stored.Type, stored.Quantity), Is.EqualTo((buyId, TransactionType.Buy, 10m)), "nothing added, edited or deleted");
    }

    [Test]
    public async Task Without_a_portfolio_the_add_page_creates_one_then_saves_a_prefilled_buy_and_goes_to_its_transactions()
    {
        await Ticks.WriteAsync(App, ("IAM", 120m));
        var (client, email) = await UserAsync("adder");

        var first = await (await client.GetAsync("/portfolios/add?ticker=IAM")).Content.ReadAsStringAsync();
        Assert.That(first, Does.Contain("data-testid=\"create-portfolio\""));
        var created = await PostFormAsync(client, "/portfolios/add?ticker=IAM", new Dictionary<string, string> { ["name"] = "PEA" }, "/portfolios/add/create?ticker=IAM");
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var id = await App.WithDbAsync(db => db.Set<Portfolio>().Where(p => db.Users.Any(u => u.Id == p.UserId && u.Email == email)).Select(p => p.Id).SingleAsync());
        Assert.That(created.Headers.Location!.ToString(), Does.Contain("ticker=IAM").And.Contain($"PortfolioId={id}"));

        var form = await (await client.GetAsync(created.Headers.Location!.ToString())).Content.ReadAsStringAsync();
        Assert.That(form, Does.Contain("name=\"Input.Ticker\" value=\"IAM\""), "prefilled with the ticker");
        Assert.That(form, Does.Contain("name=\"Input.Price\" type=\"number\" inputmode=\"decimal\" step=\"any\" min=\"0\" value=\"120\""), "prefilled with the last price");
        Assert.That(form, Does.Contain("<option value=\"Buy\" selected=\"selected\">"), "a buy");
        Assert.That(form, Does.Contain("data-testid=\"fee-note\"").And.Contain("data-testid=\"fee-defaults\""), "says fees are defaults to check, and what they are");

        var fields = Form("Buy", "IAM", "10", "120", date: "2026-03-02");
        fields["PortfolioId"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var preview = await PostFormAsync(client, "/portfolios/add?ticker=IAM", fields, "/portfolios/add/preview?ticker=IAM");
        Assert.That(await preview.Content.ReadAsStringAsync(), Does.Contain("data-testid=\"preview-average-cost\""));
        Assert.That(await CountAsync(id), Is.Zero, "a preview stores nothing");

        var saved = await PostFormAsync(client, "/portfolios/add?ticker=IAM", fields, "/portfolios/add/save?ticker=IAM");
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(saved.Headers.Location!.ToString(), Is.EqualTo($"/portfolios/{id}/transactions"));
        var buy = await App.WithDbAsync(db => db.Set<PortfolioTransaction>().AsNoTracking().SingleAsync(t => t.PortfolioId == id));
        var schedule = FeeSchedule.Defaults;
        Assert.That((buy.Type, buy.Quantity, buy.Price, buy.Fees), Is.EqualTo((TransactionType.Buy, 10m, 120m, schedule.TradeFees(1200m, false))),
            "empty fees took the schedule's estimate");
        var list = await (await client.GetAsync(saved.Headers.Location!.ToString())).Content.ReadAsStringAsync();
        Assert.That(list, Does.Contain("data-testid=\"status\"").And.Contain($"id=\"tx-{buy.Id}\""));
    }

    [Test]
    public async Task A_long_history_shows_the_newest_rows_with_the_total_and_only_those_are_loaded()
    {
        var (client, email) = await UserAsync("many");
        var first = new DateOnly(2024, 1, 1);
        var (id, _) = await PortfolioWithABuyAsync(email);
        await App.WithDbAsync(async db =>
        {
            var iam = await db.Set<Instrument>().Where(i => i.Ticker == "IAM").Select(i => i.Id).SingleAsync();
            for (var i = 0; i < TransactionsModel.MaxRows + 2; i++)
            {
                db.Add(new PortfolioTransaction
                {
                    PortfolioId = id, Type = TransactionType.Buy, Date = first.AddDays(i), InstrumentId = iam,
                    Quantity = 1, Price = 100, Amount = 100, CreatedAt = DateTimeOffset.UtcNow,
                });
            }
            return await db.SaveChangesAsync();
        });
        var total = TransactionsModel.MaxRows + 3;

        var html = await (await client.GetAsync($"/portfolios/{id}/transactions")).Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain($"The {TransactionsModel.MaxRows} newest of {total:N0} transactions"));
        Assert.That(System.Text.RegularExpressions.Regex.Count(html, "data-testid=\"tx-row\""), Is.EqualTo(TransactionsModel.MaxRows));
        Assert.That(html, Does.Contain("2 Mar 2026"), "the newest row (the buy of 2 March 2026) is among them");

        // The service limits and counts in SQL: the newest rows, newest first, and the count of all that match.
        var userId = (await App.FindUserAsync(email))!.Id;
        await using var scope = App.Services.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<PortfolioTransactions>();
        var three = await service.ListAsync(userId, id, null, CancellationToken.None, take: 3);
        Assert.That(three!.Select(t => t.Date), Is.EqualTo(new[] { new DateOnly(2026, 3, 2), first.AddDays(TransactionsModel.MaxRows + 1), first.AddDays(TransactionsModel.MaxRows) }));
        Assert.That(await service.CountAsync(userId, id, null, CancellationToken.None), Is.EqualTo(total));
        Assert.That(await service.CountAsync(userId, id, new TransactionFilter(From: new DateOnly(2026, 1, 1)), CancellationToken.None), Is.EqualTo(1));
        Assert.That(await service.CountAsync("someone-else", id, null, CancellationToken.None), Is.Zero, "another user's portfolio counts nothing");
    }

    [Test]
    public async Task Plain_form_errors_are_shown_at_their_field_and_store_nothing()
    {
        var (client, email) = await UserAsync("errors");
        var (id, _) = await PortfolioWithABuyAsync(email);
        var page = $"/portfolios/{id}/transactions";

        var unreadable = await PostFormAsync(client, page, Form("Buy", "IAM", "ten", "100"), $"{page}/add");
        var html = await unreadable.Content.ReadAsStringAsync();
        Assert.That(unreadable.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(html, Does.Contain("id=\"tx-new-Quantity-error\"").And.Contain("aria-invalid=\"true\""));

        var tooMany = await PostFormAsync(client, page, Form("Sell", "IAM", "50", "100"), $"{page}/add");
        Assert.That(tooMany.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await tooMany.Content.ReadAsStringAsync(), Does.Contain("id=\"tx-new-Quantity-error\"").And.Not.Contain("id=\"tx-new-Date-error\""),
            "an oversell is refused at the quantity");

        var future = await PostFormAsync(client, page, Form("Buy", "IAM", "1", "100", date: "2999-01-01"), $"{page}/add");
        Assert.That(await future.Content.ReadAsStringAsync(), Does.Contain("id=\"tx-new-Date-error\"").And.Not.Contain("id=\"tx-new-Quantity-error\""),
            "a future date is refused at the date");
        Assert.That(await CountAsync(id), Is.EqualTo(1), "nothing stored");

        var preview = await PostFormAsync(client, page, Form("Sell", "IAM", "4", "130"), $"{page}/preview");
        var previewHtml = await preview.Content.ReadAsStringAsync();
        Assert.That(previewHtml, Does.Contain("data-testid=\"preview-realized\"").And.Contain("data-testid=\"preview-quantity\""));
        Assert.That(await CountAsync(id), Is.EqualTo(1), "a preview stores nothing");
    }

    [Test]
    public async Task Filters_live_in_the_query_string_and_htmx_gets_only_the_list()
    {
        var (client, email) = await UserAsync("filters");
        var (id, buyId) = await PortfolioWithABuyAsync(email);
        var page = $"/portfolios/{id}/transactions";
        Assert.That((await PostFormAsync(client, page, Form("Sell", "IAM", "4", "130", fees: "0"), $"{page}/add")).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));

        var sells = await (await client.GetAsync($"{page}?type=Sell")).Content.ReadAsStringAsync();
        Assert.That(sells, Does.Not.Contain($"id=\"tx-{buyId}\"").And.Contain("data-type=\"Sell\""));
        Assert.That(sells, Does.Contain("<option value=\"Sell\" selected=\"selected\">"), "the filter shows what it filters by");
        var none = await (await client.GetAsync($"{page}?ticker=ATW&from=2026-01-01&to=2026-12-31")).Content.ReadAsStringAsync();
        Assert.That(none, Does.Contain("data-testid=\"tx-empty\""));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{page}?type=Buy");
        request.Headers.Add("HX-Request", "true");
        var fragment = await (await client.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.That(fragment.TrimStart(), Does.StartWith("<div id=\"tx-list\"").And.Contain($"id=\"tx-{buyId}\"").And.Not.Contain("data-type=\"Sell\""));

        using var restore = new HttpRequestMessage(HttpMethod.Get, $"{page}?type=Buy");
        restore.Headers.Add("HX-Request", "true");
        restore.Headers.Add("HX-History-Restore-Request", "true");
        Assert.That(await (await client.SendAsync(restore)).Content.ReadAsStringAsync(), Does.Contain("<html"), "history restore gets the page");
    }
}
