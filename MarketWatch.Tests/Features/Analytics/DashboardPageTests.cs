using System.Net;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Analytics;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Analytics;

/// <summary>/analytics against the seeded market: the page, its period switch (page and htmx fragment), a bad period, the live stream.</summary>
public sealed partial class DashboardPageTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Alerts:Engine"] = "false" };

    [GeneratedRegex("""id="hm-wide-([A-Z0-9]+)" """)]
    private static partial Regex WideCell();

    private static async Task<(HttpStatusCode Status, string Html)> GetAsync(HttpClient client, string url, bool htmx = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/html");
        if (htmx)
        {
            request.Headers.Add("HX-Request", "true");
        }
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task The_dashboard_renders_every_active_stock_in_the_heatmap_with_breadth_sectors_and_the_computed_indices()
    {
        var client = Client();
        var (status, html) = await GetAsync(client, "/analytics");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), html);
        var snapshot = await App.Services.GetRequiredService<MarketMetrics>().CurrentAsync(CancellationToken.None);
        var cells = WideCell().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.That(cells, Is.EquivalentTo(snapshot.All.Select(s => s.Ticker)), "one wide cell per active stock");
        Assert.That(html, Does.Contain("id=\"hm-narrow-ATW\"").And.Contain("href=\"/stocks/ATW\""));
        Assert.That(html, Does.Contain("Sized by market capitalisation"));
        Assert.That(html, Does.Contain("data-testid=\"breadth\"").And.Contain("data-testid=\"sector-performance\""));
        Assert.That(html, Does.Contain("MASI (computed)"), "the computed MASI's line, labelled computed");
        Assert.That(html, Does.Contain("class=\"masi-line\""));
        Assert.That(html, Does.Contain("aria-current=\"page\" data-testid=\"period-D1\""));
        Assert.That(html, Does.Contain("sse-connect=\"/stream/analytics\""));
        Assert.That(html, Does.Contain("data-testid=\"nav-analytics\"").And.Contain("data-testid=\"nav-screener\""), "linked from the navigation");
    }

    [Test]
    public async Task A_period_switch_answers_the_page_for_a_link_and_the_block_alone_for_htmx()
    {
        var client = Client();
        var (status, page) = await GetAsync(client, "/analytics?period=M1");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page, Does.Contain("<html").And.Contain("aria-current=\"page\" data-testid=\"period-M1\""));
        Assert.That(page, Does.Contain("coloured by the change over 1M"));

        var (fragmentStatus, fragment) = await GetAsync(client, "/analytics?period=1y", htmx: true);
        Assert.That(fragmentStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(fragment, Does.Not.Contain("<html"));
        Assert.That(fragment.TrimStart(), Does.StartWith("<div id=\"dashboard\""));
        Assert.That(fragment, Does.Contain("data-period=\"Y1\"").And.Contain("data-heatmap-url=\"/analytics/heatmap?period=Y1\"").And.Contain("data-cells-url=\"/analytics/cells?period=Y1\""));

        var (heatmapStatus, heatmap) = await GetAsync(client, "/analytics/heatmap?period=W1", htmx: true);
        Assert.That(heatmapStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(heatmap.TrimStart(), Does.StartWith("<div id=\"heatmap\""));
        Assert.That(heatmap, Does.Contain("id=\"hm-wide-ATW\""));
    }

    [Test]
    public async Task The_table_is_fetched_when_first_opened_and_without_scripts_its_link_shows_the_dashboard_with_it_open()
    {
        var client = Client();
        var (_, page) = await GetAsync(client, "/analytics?period=M1");
        var details = Regex.Match(page, "<details class=\"as-table\"[^>]*>", RegexOptions.Singleline).Value;
        Assert.That(details, Does.Contain("hx-get=\"/analytics/table?period=M1\"").And.Contain("hx-trigger=\"toggle once\"").And.Not.Contain(" open"));
        Assert.That(page, Does.Not.Contain("<caption class=\"visually-hidden\">Every stock by sector"), "the table is not in the page until asked for");
        Assert.That(page, Does.Contain("<a href=\"/analytics/table?period=M1\">Show as table</a>"));

        var (fragmentStatus, fragment) = await GetAsync(client, "/analytics/table?period=M1", htmx: true);
        Assert.That(fragmentStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(fragment.TrimStart(), Does.StartWith("<table class=\"compact-table\">"));
        Assert.That(fragment, Does.Contain("Every stock by sector: change over 1M and size").And.Contain("href=\"/stocks/ATW\"").And.Not.Contain("<html"));

        var (status, open) = await GetAsync(client, "/analytics/table?period=M1");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Regex.Match(open, "<details class=\"as-table\"[^>]*>", RegexOptions.Singleline).Value, Does.Contain("open").And.Not.Contain("hx-get"));
        Assert.That(open, Does.Contain("<html").And.Contain("Every stock by sector: change over 1M and size").And.Contain("data-testid=\"heatmap-wide\""));
    }

    [Test]
    public async Task A_bad_period_is_a_400_page_that_says_which_periods_exist()
    {
        var client = Client();
        foreach (var url in new[] { "/analytics?period=forever", "/analytics/heatmap?period=Y3" })
        {
            var (status, html) = await GetAsync(client, url);
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), url);
            Assert.That(html, Does.Contain("data-testid=\"bad-period\""), url);
            Assert.That(html, Does.Contain("choose 1D, 1W, 1M, 3M, YTD or 1Y"), url);
            Assert.That(html, Does.Contain("href=\"/analytics?period=D1\""), "the buttons stay, to pick a good one");
        }
    }

    [Test]
    public async Task The_stream_says_changed_after_a_tick_and_the_heatmap_then_shows_the_new_change()
    {
        using var streaming = App.CreateClient();
        streaming.Timeout = Timeout.InfiniteTimeSpan;
        using var stream = await SseClient.ConnectAsync(streaming, "/stream/analytics");
        var metrics = App.Services.GetRequiredService<MarketMetrics>();
        var before = (await metrics.CurrentAsync(CancellationToken.None)).Version;
        var atw = (await metrics.CurrentAsync(CancellationToken.None)).Find("ATW")!;
        await Eventually.TrueAsync(async () =>
        {
            // The stream subscribes once it has loaded the snapshot: ticks until one is announced.
            await Ticks.WriteAsync(App, ("ATW", Math.Round(atw.Last!.Value * 1.01m, 2)));
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                while (await stream.NextAsync(wait.Token) is { } item)
                {
                    if (item.Event == "changed")
                    {
                        return long.Parse(item.Data) > before;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            return false;
        }, "a changed event after a tick");
        var (_, heatmap) = await GetAsync(Client(), "/analytics/heatmap?period=D1", htmx: true);
        var cell = Regex.Match(heatmap, """<a id="hm-wide-ATW"[^>]*>\s*(?:@\*.*?\*@)?\s*<title>([^<]*)</title>""", RegexOptions.Singleline);
        Assert.That(cell.Success, Is.True);
        Assert.That(WebUtility.HtmlDecode(cell.Groups[1].Value), Does.Contain("ATW, ").And.Contain("+1.0").And.Contain("(1D)"), "today's change in the cell's name");

        // What the page's script reads to patch the drawn cells: the same figures, for the same drawn set.
        var (_, page) = await GetAsync(Client(), "/analytics");
        var drawn = WebUtility.HtmlDecode(Regex.Match(page, "data-drawn=\"([^\"]*)\"").Groups[1].Value);
        Assert.That(page, Does.Contain("data-cells-url=\"/analytics/cells?period=D1\""));
        using var response = await Client().GetAsync("/analytics/cells?period=D1");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        using var figures = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(figures.RootElement.GetProperty("drawn").GetString(), Is.EqualTo(drawn).And.StartsWith("cap:").And.Contain("ATW"));
        var atwCell = figures.RootElement.GetProperty("cells").EnumerateArray().Single(c => c.GetProperty("ticker").GetString() == "ATW");
        Assert.That(atwCell.GetProperty("title").GetString(), Is.EqualTo(WebUtility.HtmlDecode(cell.Groups[1].Value)));
        Assert.That(atwCell.GetProperty("change").GetString(), Does.Contain("+1.0"));
        Assert.That(atwCell.GetProperty("class").GetString(), Is.EqualTo(DashboardModel.StepClass(atwCell.GetProperty("step").GetInt32())));
        Assert.That(figures.RootElement.GetProperty("sectors").EnumerateObject().Select(p => p.Name), Does.Contain("Financials"));
    }

    [Test]
    public async Task The_heatmap_figures_refuse_a_bad_period_with_a_problem_naming_it()
    {
        using var response = await Client().GetAsync("/analytics/cells?period=5Y");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        using var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(problem.RootElement.GetProperty("errors").GetProperty("period")[0].GetString(), Does.Contain("“5Y” is not a period of the dashboard"));
    }

    [Test]
    public async Task A_very_long_bad_period_comes_back_clipped_in_the_banner_and_the_problem()
    {
        var typed = new string('x', 10_000);
        var (status, html) = await GetAsync(Client(), "/analytics?period=" + typed);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        var banner = System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"bad-period\">([^<]*)<").Groups[1].Value;
        Assert.That(System.Net.WebUtility.HtmlDecode(banner), Does.StartWith("“" + new string('x', 40) + "…” is not a period of the dashboard"));

        using var response = await Client().GetAsync("/analytics/cells?period=" + typed);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        using var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var message = problem.RootElement.GetProperty("errors").GetProperty("period")[0].GetString();
        Assert.That(message, Does.StartWith("“" + new string('x', 40) + "…” is not a period of the dashboard"));
    }
}
