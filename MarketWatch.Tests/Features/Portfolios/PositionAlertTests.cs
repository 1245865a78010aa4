using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>
/// "Position P/L crosses X % from average cost": an alert on a position, kept as a price (average cost × (1 + X/100))
/// in the engine's index and the sweep's SQL, re-derived when the portfolio changes.
/// </summary>
public sealed class PositionAlertTests : AppTest
{
    // No Hangfire server: the minute sweep runs only when a test runs it, so a firing's source is the one the test drives.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Jobs:Server"] = "false" };

    /// <summary>A portfolio of the user's holding <paramref name="ticker"/> bought at these prices (no fees: the average cost is plain).</summary>
    private Task<int> PortfolioAsync(string userId, string ticker, params (decimal Quantity, decimal Price)[] buys) =>
        App.WithDbAsync(async db =>
        {
            var instrumentId = await db.Instruments.Where(i => i.Ticker == ticker).Select(i => i.Id).SingleAsync();
            var portfolio = new Portfolio { UserId = userId, Name = "Long term " + ticker, CreatedAt = DateTimeOffset.UtcNow };
            var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-30);
            foreach (var (quantity, price) in buys)
            {
                portfolio.Transactions.Add(Buy(instrumentId, day, quantity, price));
            }
            db.Add(portfolio);
            await db.SaveChangesAsync();
            return portfolio.Id;
        });

    private static PortfolioTransaction Buy(int instrumentId, DateOnly day, decimal quantity, decimal price) => new()
    {
        Type = TransactionType.Buy, Date = day, InstrumentId = instrumentId, Quantity = quantity, Price = price, Amount = quantity * price,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>Records a transaction through Portfolios (which bumps the version and tells every change handler, the alerts' among them).</summary>
    private async Task ChangeAsync(string userId, int portfolioId, string ticker, TransactionType type, decimal quantity, decimal price, int daysAgo = 1)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var transactions = scope.ServiceProvider.GetRequiredService<PortfolioTransactions>();
        var outcome = await transactions.AddAsync(userId, portfolioId, new TransactionInput(type, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-daysAgo), null, ticker,
            quantity, price, null, 0m, 0m, null, null), CancellationToken.None);
        Assert.That(outcome.Error, Is.Null, outcome.Error?.ToString());
    }

    private static object Position(string ticker, int portfolioId, decimal percent) => new
    {
        ticker, portfolioId, condition = "PositionPnlCrosses", level = percent, sessionOnly = false, channels = new[] { "InApp" },
    };

    private Task<Alert> AlertAsync(long id) => App.WithDbAsync(db => db.Set<Alert>().AsNoTracking().SingleAsync(a => a.Id == id));

    [Test]
    public async Task A_stop_loss_fires_once_through_the_engine_when_the_price_crosses_the_derived_level_and_arrives_in_app()
    {
        var user = await UserAsync(this, App, Client, "position");
        await Ticks.WriteAsync(App, ("IAM", 100m));
        var portfolio = await PortfolioAsync(user.Id, "IAM", (10m, 100m));
        var id = await CreateAsync(user.Api, Position("IAM", portfolio, -10m));
        Assert.That((await AlertAsync(id)).Level2, Is.EqualTo(90m), "average cost 100 × (1 − 10 %)");
        var summary = await user.Api.GetFromJsonAsync<JsonElement>($"/api/alerts/{id}");
        Assert.That(summary.GetProperty("portfolioId").GetInt32(), Is.EqualTo(portfolio));
        await WaitArmedAsync(App, 1);

        var above = await Ticks.WriteAsync(App, ("IAM", 91m));
        await WaitEvaluatedAsync(App, above);
        Assert.That(await FiringsAsync(App, id), Is.Empty, "down 9 %: not yet");
        await Ticks.WriteAsync(App, ("IAM", 89.5m));
        var firing = (await Eventually.ValueAsync(() => FiringsAsync(App, id), f => f.Count > 0, "the firing")).Single();
        var last = await Ticks.WriteAsync(App, ("IAM", 88m));
        await WaitEvaluatedAsync(App, last);
        Assert.That(await FiringsAsync(App, id), Has.Count.EqualTo(1), "fires once");
        Assert.That((firing.Price, firing.Source, firing.Value), Is.EqualTo((89.5m, "engine", -10.5m)));

        var inbox = await Eventually.ValueAsync(() => user.Api.GetFromJsonAsync<JsonElement>("/api/notifications/history"),
            n => n.GetArrayLength() > 0, "the in-app notification");
        Assert.That(inbox[0].GetProperty("title").GetString(), Is.EqualTo("IAM: your position is down 10.50% from its average cost 100.00 MAD"));
    }

    [Test]
    public async Task A_new_buy_re_derives_the_level_so_the_old_one_no_longer_fires_and_the_new_one_does()
    {
        var user = await UserAsync(this, App, Client, "position");
        await Ticks.WriteAsync(App, ("BCP", 100m));
        var portfolio = await PortfolioAsync(user.Id, "BCP", (10m, 100m));
        var id = await CreateAsync(user.Api, Position("BCP", portfolio, -10m));
        Assert.That((await AlertAsync(id)).Level2, Is.EqualTo(90m));

        await ChangeAsync(user.Id, portfolio, "BCP", TransactionType.Buy, 10m, 80m);
        var alert = await AlertAsync(id);
        Assert.That(alert.Level2, Is.EqualTo(81m), "average cost 90 after the second buy: 90 × 0.9");

        var crossedOld = await Ticks.WriteAsync(App, ("BCP", 85m));
        await WaitEvaluatedAsync(App, crossedOld);
        Assert.That(await FiringsAsync(App, id), Is.Empty, "85 is under the old level (90), above the new one (81)");
        await Ticks.WriteAsync(App, ("BCP", 80m));
        var firing = (await Eventually.ValueAsync(() => FiringsAsync(App, id), f => f.Count > 0, "the firing at the new level")).Single();
        Assert.That(firing.Price, Is.EqualTo(80m));
        Assert.That(firing.Level2, Is.EqualTo(81m), "the history keeps the level it fired at");
    }

    [Test]
    public async Task Sold_out_the_alert_waits_and_says_so_and_a_new_buy_arms_it_again()
    {
        var user = await UserAsync(this, App, Client, "position");
        await Ticks.WriteAsync(App, ("CIH", 300m));
        var portfolio = await PortfolioAsync(user.Id, "CIH", (5m, 300m));
        var id = await CreateAsync(user.Api, Position("CIH", portfolio, 10m));
        Assert.That((await AlertAsync(id)).Level2, Is.EqualTo(330m), "a take-profit 10 % above 300");

        await ChangeAsync(user.Id, portfolio, "CIH", TransactionType.Sell, 5m, 310m);
        Assert.That((await AlertAsync(id)).Level2, Is.Null, "nothing held: no level");
        var summary = await user.Api.GetFromJsonAsync<JsonElement>($"/api/alerts/{id}");
        Assert.That(summary.GetProperty("status").GetString(), Is.EqualTo("Active"), "it waits, armed");
        var page = await (await SignedInAsync(user)).GetStringAsync("/alerts");
        Assert.That(page, Does.Contain("no shares held now: waiting"));
        var crossed = await Ticks.WriteAsync(App, ("CIH", 340m));
        await WaitEvaluatedAsync(App, crossed);
        Assert.That(await FiringsAsync(App, id), Is.Empty, "nothing held, nothing to fire");

        // Bought back the next day (a buy the same day as the sale would count before it).
        await ChangeAsync(user.Id, portfolio, "CIH", TransactionType.Buy, 2m, 340m, daysAgo: 0);
        Assert.That((await AlertAsync(id)).Level2, Is.EqualTo(374m));
    }

    [Test]
    public async Task A_waiting_alert_can_still_be_edited_but_not_moved_to_a_portfolio_without_the_stock()
    {
        var user = await UserAsync(this, App, Client, "position");
        await Ticks.WriteAsync(App, ("SID", 200m));
        var portfolio = await PortfolioAsync(user.Id, "SID", (5m, 200m));
        var other = await PortfolioAsync(user.Id, "ATW", (5m, 500m));
        var id = await CreateAsync(user.Api, Position("SID", portfolio, 10m));
        await ChangeAsync(user.Id, portfolio, "SID", TransactionType.Sell, 5m, 210m);
        Assert.That((await AlertAsync(id)).Level2, Is.Null, "sold out: waiting");

        var edited = await user.Api.PutAsJsonAsync($"/api/alerts/{id}", new
        {
            ticker = "SID", portfolioId = portfolio, condition = "PositionPnlCrosses", level = 15m, sessionOnly = false, channels = new[] { "InApp" },
            note = "take profit when back", neverExpires = true,
        });
        Assert.That(edited.IsSuccessStatusCode, Is.True, await edited.Content.ReadAsStringAsync());
        var alert = await AlertAsync(id);
        Assert.That((alert.Level, alert.Level2, alert.Note, alert.ExpiresAt), Is.EqualTo(((decimal?)15m, (decimal?)null, "take profit when back", (DateTimeOffset?)null)));

        // The same check the edit form runs while typing says nothing is wrong; the form still offers the portfolio.
        var client = await SignedInAsync(user);
        var form = await client.GetStringAsync($"/alerts/{id}/edit");
        Assert.That(form, Does.Match($"<option(?=[^>]*value=\"{portfolio}\")(?=[^>]*selected=\"selected\")[^>]*>Long term SID</option>"));
        var check = await PostFormAsync(client, $"/alerts/{id}/edit", new Dictionary<string, string>
        {
            ["Input.Ticker"] = "SID", ["Input.PortfolioId"] = portfolio.ToString(CultureInfo.InvariantCulture), ["Input.Condition"] = "PositionPnlCrosses",
            ["Input.Level"] = "12", ["Input.Channels"] = "InApp", ["Input.NeverExpires"] = "true",
        }, $"/alerts/{id}/edit?handler=Check");
        Assert.That(await check.Content.ReadAsStringAsync(), Does.Not.Contain("holds no"));

        var moved = await user.Api.PutAsJsonAsync($"/api/alerts/{id}", Position("SID", other, 15m));
        Assert.That((int)moved.StatusCode, Is.EqualTo(400), "a portfolio that never held it");
        Assert.That(await moved.Content.ReadAsStringAsync(), Does.Contain("portfolioId"));
    }

    [Test]
    public async Task A_level_moved_while_the_stock_has_no_quote_keeps_the_price_it_was_armed_at()
    {
        var user = await UserAsync(this, App, Client, "position");
        await Ticks.WriteAsync(App, ("CMT", 100m));
        var portfolio = await PortfolioAsync(user.Id, "CMT", (10m, 100m));
        var id = await CreateAsync(user.Api, Position("CMT", portfolio, -10m));
        await App.WithDbAsync(async db =>
        {
            var instrumentId = await db.Instruments.Where(i => i.Ticker == "CMT").Select(i => i.Id).SingleAsync();
            return await db.Quotes.Where(q => q.InstrumentId == instrumentId).ExecuteDeleteAsync();
        });

        await ChangeAsync(user.Id, portfolio, "CMT", TransactionType.Buy, 10m, 80m);
        Assert.That((await AlertAsync(id)).Level2, Is.EqualTo(81m), "re-derived");
        var target = await App.WithDbAsync(db => db.Set<AlertTarget>().AsNoTracking().SingleAsync(t => t.AlertId == id));
        Assert.That(target.ArmedPrice, Is.EqualTo(100m), "not re-armed without a quote: the sweep can still see a crossing");
    }

    [Test]
    public async Task An_edit_saved_while_a_re_derive_runs_keeps_its_own_level()
    {
        var user = await UserAsync(this, App, Client, "position");
        await Ticks.WriteAsync(App, ("CSR", 100m));
        var portfolio = await PortfolioAsync(user.Id, "CSR", (10m, 100m));
        var id = await CreateAsync(user.Api, Position("CSR", portfolio, -10m));
        Assert.That((await AlertAsync(id)).Level2, Is.EqualTo(90m));
        // A buy at 80 the handlers were not told of (average cost 90): the re-derive below reads -10 % and would write 81.
        await App.WithDbAsync(async db =>
        {
            var instrumentId = await db.Instruments.Where(i => i.Ticker == "CSR").Select(i => i.Id).SingleAsync();
            var t = Buy(instrumentId, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-2), 10m, 80m);
            t.PortfolioId = portfolio;
            db.Add(t);
            return await db.SaveChangesAsync();
        });

        // The user saves -20 % (level 72 at that average cost) just after the re-derive read the alert.
        var dataSource = App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        var edit = new EditAfterRead(dataSource, id);
        await using var scope = App.Services.CreateAsyncScope();
        var options = new DbContextOptionsBuilder<MarketWatch.Web.Host.AppDbContext>(
            scope.ServiceProvider.GetRequiredService<DbContextOptions<MarketWatch.Web.Host.AppDbContext>>()).AddInterceptors(edit).Options;
        await using (var db = new MarketWatch.Web.Host.AppDbContext(options))
        {
            await new PositionAlertLevels(db, dataSource, TimeProvider.System).RederiveAsync([portfolio], CancellationToken.None);
        }
        Assert.That(edit.Done, Is.True, "the edit ran in between");
        var alert = await AlertAsync(id);
        Assert.That((alert.Level, alert.Level2), Is.EqualTo(((decimal?)-20m, (decimal?)72m)), "the edit's own level, not one from the old percentage");
    }

    /// <summary>Saves an edit of the alert (new percentage and its level) right after the first read of the alerts table.</summary>
    private sealed class EditAfterRead(Npgsql.NpgsqlDataSource dataSource, long id) : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        public bool Done { get; private set; }

        public override async ValueTask<System.Data.Common.DbDataReader> ReaderExecutedAsync(System.Data.Common.DbCommand command,
            Microsoft.EntityFrameworkCore.Diagnostics.CommandExecutedEventData eventData, System.Data.Common.DbDataReader result, CancellationToken cancellationToken = default)
        {
            if (!Done && command.CommandText.Contains("FROM alerts", StringComparison.Ordinal))
            {
                Done = true;
                await using var update = dataSource.CreateCommand($"UPDATE alerts SET level = -20, level2 = 72 WHERE id = {id}");
                await update.ExecuteNonQueryAsync(cancellationToken);
            }
            return result;
        }
    }

    [Test]
    public async Task The_sweep_fires_a_crossing_no_engine_saw_and_re_derives_a_level_whose_handler_never_ran()
    {
        var user = await UserAsync(this, App, Client, "position");
        await Ticks.WriteAsync(App, ("LHM", 200m));
        var portfolio = await PortfolioAsync(user.Id, "LHM", (10m, 200m));
        var id = await CreateAsync(user.Api, Position("LHM", portfolio, -5m));
        Assert.That((await AlertAsync(id)).Level2, Is.EqualTo(190m));
        // A buy recorded without telling the handlers (as if the node died after the commit): the version moved on.
        await App.WithDbAsync(async db =>
        {
            var instrumentId = await db.Instruments.Where(i => i.Ticker == "LHM").Select(i => i.Id).SingleAsync();
            var t = Buy(instrumentId, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-2), 10m, 180m);
            t.PortfolioId = portfolio;
            db.Add(t);
            await db.SaveChangesAsync();
            return await db.Portfolios.Where(p => p.Id == portfolio).ExecuteUpdateAsync(s => s.SetProperty(p => p.Version, p => p.Version + 1));
        });
        await using var scope = App.Services.CreateAsyncScope();
        var sweep = scope.ServiceProvider.GetRequiredService<AlertSweep>();
        await sweep.RunAsync(CancellationToken.None);
        Assert.That((await AlertAsync(id)).Level2, Is.EqualTo(180.5m), "average cost 190 × 0.95");

        // The engine of this instance is off in AlertSweepTests; here both may claim: whoever wins, it fires once.
        await Ticks.WriteAsync(App, ("LHM", 180m));
        await sweep.RunAsync(CancellationToken.None);
        var firings = await Eventually.ValueAsync(() => FiringsAsync(App, id), f => f.Count > 0, "the firing");
        await sweep.RunAsync(CancellationToken.None);
        Assert.That(await FiringsAsync(App, id), Has.Count.EqualTo(1));
        Assert.That(firings[0].Price, Is.EqualTo(180m));
    }

    [Test]
    public async Task Bad_input_is_refused_naming_the_field_and_another_users_portfolio_is_a_400_on_portfolioId()
    {
        var user = await UserAsync(this, App, Client, "position");
        var other = await UserAsync(this, App, Client, "position");
        var mine = await PortfolioAsync(user.Id, "ATW", (10m, 500m));
        var theirs = await PortfolioAsync(other.Id, "ATW", (10m, 500m));
        var empty = await PortfolioAsync(user.Id, "ATW");

        async Task<string[]> ErrorsAsync(object body)
        {
            var response = await user.Api.PostAsJsonAsync("/api/alerts", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.EqualTo(400), text);
            return JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();
        }

        Assert.That(await ErrorsAsync(Position("ATW", theirs, -8m)), Is.EqualTo(new[] { "portfolioId" }), "another user's portfolio");
        Assert.That(await ErrorsAsync(Position("ATW", empty, -8m)), Is.EqualTo(new[] { "portfolioId" }), "a portfolio without the stock");
        Assert.That(await ErrorsAsync(Position("BCP", mine, -8m)), Is.EqualTo(new[] { "portfolioId" }), "a stock the portfolio does not hold");
        Assert.That(await ErrorsAsync(new { ticker = "ATW", condition = "PositionPnlCrosses", level = -8, channels = new[] { "InApp" } }),
            Is.EqualTo(new[] { "portfolioId" }), "no portfolio");
        Assert.That(await ErrorsAsync(Position("ATW", mine, 0m)), Is.EqualTo(new[] { "level" }), "0 % is neither a stop-loss nor a take-profit");
        Assert.That(await ErrorsAsync(Position("ATW", mine, -100m)), Is.EqualTo(new[] { "level" }));
        Assert.That(await ErrorsAsync(Position("ATW", mine, 1001m)), Is.EqualTo(new[] { "level" }));
        Assert.That(await App.WithDbAsync(db => db.Set<Alert>().CountAsync(a => a.UserId == user.Id)), Is.Zero, "nothing stored");

        // Someone else cannot learn of the portfolio through an alert: its id is simply refused.
        var ok = await CreateAsync(user.Api, Position("ATW", mine, -8m));
        Assert.That((await AlertAsync(ok)).Level2, Is.EqualTo(460m));
    }

    [Test]
    public async Task The_holdings_row_link_prefills_the_form_with_the_portfolio_and_the_condition()
    {
        var user = await UserAsync(this, App, Client, "position");
        var portfolio = await PortfolioAsync(user.Id, "ATW", (10m, 500m));
        await PortfolioAsync(user.Id, "BCP", (10m, 100m));
        var client = await SignedInAsync(user);
        var html = await client.GetStringAsync($"/alerts/new?ticker=ATW&portfolio={portfolio}&condition=PositionPnlCrosses");
        Assert.That(html, Does.Match("<option(?=[^>]*value=\"PositionPnlCrosses\")(?=[^>]*selected=\"selected\")"));
        Assert.That(html, Does.Match($"<option(?=[^>]*value=\"{portfolio}\")(?=[^>]*selected=\"selected\")[^>]*>Long term ATW</option>"));
        Assert.That(html, Does.Not.Contain("Long term BCP"), "only the portfolios that hold ATW are offered");
        Assert.That(html, Does.Contain("value=\"-10\""), "a 10 % stop-loss to start from");

        var none = await client.GetStringAsync("/alerts/new?ticker=CIH&condition=PositionPnlCrosses");
        Assert.That(none, Does.Contain("None of your portfolios holds CIH now"));
    }

    [Test]
    public void The_message_is_worded_in_english_french_and_arabic()
    {
        var localizer = App.Services.GetRequiredService<IStringLocalizer<SharedResource>>();
        var (ui, culture) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        try
        {
            string Say(string name)
            {
                CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = new CultureInfo(name);
                // Average cost 512.30 (461.07 / 0.9), down 8.2 % when it fired.
                return AlertText.Position("ATW", -10m, 461.07m, 470.29m, -8.2m, localizer)!;
            }
            Assert.That(Say("en"), Is.EqualTo("ATW: your position is down 8.20% from its average cost 512.30 MAD"));
            Assert.That(Say("fr"), Does.StartWith("ATW : votre position est en baisse de 8,20 % par rapport à son coût moyen de 512,30"));
            Assert.That(Say("ar"), Does.Contain("مركزك منخفض بنسبة").And.Contain("MAD"));
            CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = new CultureInfo("en");
            Assert.That(AlertText.Position("ATW", 10m, 550m, 560m, null, localizer), Does.StartWith("ATW: your position is up 12.00% from its average cost 500.00 MAD"),
                "a sample works the P/L out from the price");
            Assert.That(AlertText.Describe(AlertCondition.PositionPnlCrosses, -10m, null, null, localizer), Does.Contain("waiting"));
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (ui, culture);
        }
    }

    /// <summary>A cookie client signed in as the API user (the pages).</summary>
    private async Task<HttpClient> SignedInAsync(User user)
    {
        var client = Client(false);
        await SignInAsync(client, user.Email);
        return client;
    }
}
