using System.Net;
using MarketWatch.Tests.Infrastructure;

namespace MarketWatch.Tests.Features.Analytics;

/// <summary>/stream/screener: a tick on an instrument of the result page arrives as its row partial in the "rows" event (live.js routes it by id).</summary>
public sealed class ScreenerStreamTests : AppTest
{
    protected override bool UseKestrel => true;

    [Test]
    public async Task A_tick_on_a_row_of_the_page_sends_that_row_and_a_bad_filter_is_a_400()
    {
        using var http = new HttpClient { BaseAddress = App.ServerAddress, Timeout = Timeout.InfiniteTimeSpan };
        var bad = await http.GetAsync("/stream/screener?rsiMin=x");
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await bad.Content.ReadAsStringAsync(), Does.Contain("rsiMin must be a number between 0 and 100."));

        using var stream = await SseClient.ConnectAsync(http, "/stream/screener?sector=Financials&cols=last,volume");
        var price = 40m + Random.Shared.Next(1, 99) / 100m;
        await Ticks.WriteAsync(App, ("ADH", price, 12_345L));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        SseEvent? row = null;
        while (await stream.NextAsync(cancel.Token) is { } e)
        {
            if (e.Event == "rows" && e.Data.Contains("<tr id=\"row-ADH\"", StringComparison.Ordinal) && e.Data.Contains("12,345", StringComparison.Ordinal))
            {
                row = e;
                break;
            }
        }
        Assert.That(row, Is.Not.Null, "the ADH row after its tick");
        // One event carries every row that moved; each is a whole row partial with its id (live.js routes them by id).
        var adh = row!.Data[row.Data.IndexOf("<tr id=\"row-ADH\"", StringComparison.Ordinal)..];
        adh = adh[..(adh.IndexOf("</tr>", StringComparison.Ordinal) + 5)];
        Assert.That(row.Data.TrimStart(), Does.StartWith("<tr id=\"row-"));
        Assert.That(adh, Does.Contain("data-time=").And.Contain("data-cell=\"last\"").And.Contain("data-cell=\"volume\"").And.Contain("/stocks/ADH"));
    }
}
