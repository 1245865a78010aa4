using System.Net;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>The portfolio pages over HTTP: ownership on every handler and the stream, the create form's errors and limit, the chart's data, the income tables.</summary>
public sealed class PagesTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Portfolios:MaxPerUser"] = "2" };

    private async Task<(HttpClient Client, string UserId)> UserAsync(string prefix)
    {
        var client = Client();
        var email = NewEmail(prefix);
        await RegisterAsync(client, email);
        await SignInAsync(client, email);
        return (client, (await App.FindUserAsync(email))!.Id);
    }

    [Test]
    public async Task Another_users_portfolio_is_404_on_every_handler_and_the_stream_and_nothing_changes()
    {
        var (_, ownerId) = await UserAsync("owner");
        var id = await PagesSeed.AddAsync(App, ownerId);
        var (intruder, _) = await UserAsync("intruder");

        foreach (var path in new[] { $"/portfolios/{id}", $"/portfolios/{id}?handler=Performance&range=1Y", $"/stream/portfolios/{id}", "/portfolios/999999" })
        {
            Assert.That((await intruder.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), path);
        }
        Assert.That((await PostFormAsync(intruder, "/portfolios", new Dictionary<string, string> { ["name"] = "Mine now" }, $"/portfolios?handler=Update&id={id}")).StatusCode,
            Is.EqualTo(HttpStatusCode.NotFound), "rename");
        Assert.That((await PostFormAsync(intruder, "/portfolios", new Dictionary<string, string>(), $"/portfolios?handler=Delete&id={id}")).StatusCode,
            Is.EqualTo(HttpStatusCode.NotFound), "delete");

        var stored = await App.WithDbAsync(db => db.Portfolios.AsNoTracking().SingleAsync(p => p.Id == id));
        Assert.That(stored.Name, Is.EqualTo("Long term"));
        Assert.That((await Client().GetAsync($"/stream/portfolios/{id}")).StatusCode, Is.Not.EqualTo(HttpStatusCode.OK), "anonymous");
    }

    [Test]
    public async Task The_create_form_names_a_missing_name_then_creates_then_says_the_limit_is_reached()
    {
        var (client, userId) = await UserAsync("create");
        var list = await (await client.GetAsync("/portfolios")).Content.ReadAsStringAsync();
        Assert.That(list, Does.Contain("data-testid=\"no-portfolios\""), "the empty state explains what a portfolio is");

        var blank = await PostFormAsync(client, "/portfolios", new Dictionary<string, string> { ["Name"] = "  " });
        Assert.That(blank.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await blank.Content.ReadAsStringAsync(), Does.Contain("Enter a name for the portfolio."));

        var created = await PostFormAsync(client, "/portfolios", new Dictionary<string, string> { ["Name"] = "Bank account", ["Description"] = "At my bank", ["AccountAtBank"] = "true" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var portfolio = await App.WithDbAsync(db => db.Portfolios.AsNoTracking().SingleAsync(p => p.UserId == userId));
        Assert.That((portfolio.Name, portfolio.Description, portfolio.AccountAtBank), Is.EqualTo(("Bank account", "At my bank", true)));
        Assert.That(created.Headers.Location?.OriginalString, Is.EqualTo($"/portfolios/{portfolio.Id}"));
        var detail = await (await client.GetAsync($"/portfolios/{portfolio.Id}")).Content.ReadAsStringAsync();
        Assert.That(detail, Does.Contain("data-testid=\"portfolio-empty\""), "a new portfolio says how to start");

        Assert.That((await PostFormAsync(client, "/portfolios", new Dictionary<string, string> { ["Name"] = "Second" })).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var third = await PostFormAsync(client, "/portfolios", new Dictionary<string, string> { ["Name"] = "Third" }, "/portfolios");
        Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await third.Content.ReadAsStringAsync(), Does.Contain("limit of 2 portfolios"));
        Assert.That(await App.WithDbAsync(db => db.Portfolios.CountAsync(p => p.UserId == userId)), Is.EqualTo(2));
    }

    [Test]
    public async Task Rename_keeps_the_bank_choice_given_and_delete_removes_the_portfolio_and_its_transactions()
    {
        var (client, userId) = await UserAsync("rename");
        var id = await PagesSeed.AddAsync(App, userId);
        var renamed = await PostFormAsync(client, "/portfolios", new Dictionary<string, string> { ["name"] = "Renamed", ["description"] = "", ["accountAtBank"] = "true" },
            $"/portfolios?handler=Update&id={id}");
        Assert.That(renamed.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var stored = await App.WithDbAsync(db => db.Portfolios.AsNoTracking().SingleAsync(p => p.Id == id));
        Assert.That((stored.Name, stored.Description, stored.AccountAtBank), Is.EqualTo(("Renamed", (string?)null, true)));

        var tooLong = await PostFormAsync(client, "/portfolios", new Dictionary<string, string> { ["name"] = new string('x', 61), ["description"] = "Kept as typed" },
            $"/portfolios?handler=Update&id={id}");
        Assert.That(tooLong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var again = await tooLong.Content.ReadAsStringAsync();
        Assert.That(again, Does.Contain($"id=\"edit-error-{id}\""));
        Assert.That(again, Does.Contain($"value=\"{new string('x', 61)}\" maxlength=\"60\" required aria-invalid=\"true\" aria-describedby=\"edit-error-{id}\""),
            "the edit form keeps what was typed and points at its error");
        Assert.That(again, Does.Contain(">Kept as typed</textarea>"));
        Assert.That(System.Text.RegularExpressions.Regex.Matches(again, new string('x', 61)).Count, Is.EqualTo(1), "the create form stays empty");
        Assert.That(System.Text.RegularExpressions.Regex.Matches(again, "Kept as typed").Count, Is.EqualTo(1), "nor its description");

        Assert.That((await PostFormAsync(client, "/portfolios", new Dictionary<string, string>(), $"/portfolios?handler=Delete&id={id}")).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(await App.WithDbAsync(db => db.PortfolioTransactions.CountAsync(t => t.PortfolioId == id)), Is.Zero);
        Assert.That((await client.GetAsync($"/portfolios/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task The_performance_handler_answers_the_report_of_the_range_asked_and_refuses_an_unknown_range()
    {
        var (client, userId) = await UserAsync("perf");
        var id = await PagesSeed.AddAsync(App, userId);
        var year = await client.GetAsync($"/portfolios/{id}?handler=Performance&range=1Y");
        Assert.That(year.StatusCode, Is.EqualTo(HttpStatusCode.OK), await year.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await year.Content.ReadAsStringAsync());
        var series = json.RootElement.GetProperty("series");
        Assert.That(series.GetArrayLength(), Is.GreaterThan(100), "a year of daily points");
        Assert.That(series[0].GetProperty("portfolioIndex").GetDecimal(), Is.EqualTo(100m), "rebased to 100 at the range's start");
        Assert.That(json.RootElement.GetProperty("ranges").GetArrayLength(), Is.EqualTo(Enum.GetValues<PerformanceRange>().Length));

        var week = JsonDocument.Parse(await client.GetStringAsync($"/portfolios/{id}?handler=Performance&range=1w"));
        Assert.That(week.RootElement.GetProperty("series").GetArrayLength(), Is.LessThan(series.GetArrayLength()));
        Assert.That((await client.GetAsync($"/portfolios/{id}?handler=Performance&range=2Y")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task The_page_shows_realized_gains_and_dividends_per_year_as_worked_out_by_hand()
    {
        var (client, userId) = await UserAsync("income");
        var id = await PagesSeed.AddAsync(App, userId);
        var html = await (await client.GetAsync($"/portfolios/{id}")).Content.ReadAsStringAsync();
        var row = System.Text.RegularExpressions.Regex.Match(html, $"<tr data-year=\"{PagesSeed.SaleDate.Year}\">(.*?)</tr>", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.That(row.Success, Is.True, "a realized row for the sale's year");
        var cells = System.Text.RegularExpressions.Regex.Matches(row.Groups[1].Value, "<td[^>]*>([^<]*)</td>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value.Trim())).ToList();
        Assert.That(cells, Is.EqualTo(new[] { "1", "3,500.00", "2,755.00", "5.00", "+740.00", "111.00", "+629.00" }), "sales, proceeds, cost, fees, gain, tax, after tax");
        Assert.That(html, Does.Contain("Figures include fees; tax is counted as recorded."));
        Assert.That(html, Does.Contain("data-testid=\"dividend-years\""));
        var years = System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"dividend-years\"(.*?)</table>", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.That(years.Groups[1].Value, Does.Contain("270.00"), "the net dividend, in the dividends-per-year table");
        Assert.That(html, Does.Contain($"href=\"/portfolios/{id}/transactions\"").And.Contain($"href=\"/portfolios/{id}/import\"").And.Contain($"href=\"/portfolios/{id}/share\""));
    }

    [Test]
    public void A_donut_gives_each_part_its_share_of_the_circle_largest_first()
    {
        var slices = PortfolioCharts.Donut([("IAM", "IAM", 25m), ("ATW", "ATW", 75m), ("BCP", "BCP", 0m)]);
        Assert.That(slices.Select(s => s.Key), Is.EqualTo(new[] { "ATW", "IAM" }), "nothing for a part worth nothing");
        Assert.That(slices.Select(s => s.Fraction), Is.EqualTo(new[] { 0.75m, 0.25m }));
        Assert.That(slices[1].Start, Is.EqualTo(75).Within(1e-9), "the second starts where the first ends");
        Assert.That(slices[0].DashArray, Is.EqualTo("74.6 25.4"), "a hairline gap between slices");
        Assert.That(PortfolioCharts.Donut([("ATW", "ATW", 10m)]).Single().DashArray, Is.EqualTo("100 0"), "one holding is the whole circle");
    }

    [Test]
    public void Bars_scale_to_the_largest_value_and_sales_group_by_year()
    {
        var bars = PortfolioCharts.Bars([("a", "a", null, 50m), ("b", "b", null, 100m), ("c", "c", null, 0m)], 20, 120);
        Assert.That(bars.Select(b => b.Height), Is.EqualTo(new[] { 60d, 120d, 0d }));
        Assert.That(bars[1].Y, Is.EqualTo(0d));

        var years = PortfolioReports.RealizedByYear(
        [
            new RealizedSale(1, 1, new DateOnly(2024, 3, 1), 5, 1000, 800, 10, 28.5m),
            new RealizedSale(2, 2, new DateOnly(2024, 9, 1), 5, 500, 600, 5, 0),
            new RealizedSale(3, 1, new DateOnly(2025, 1, 2), 1, 100, 90, 1, 1.35m),
        ]);
        Assert.That(years.Select(y => (y.Year, y.Sales, y.Proceeds, y.Cost, y.Fees, y.Gain, y.Taxes)),
            Is.EqualTo(new[] { (2025, 1, 100m, 90m, 1m, 9m, 1.35m), (2024, 2, 1500m, 1400m, 15m, 85m, 28.5m) }));
    }
}
