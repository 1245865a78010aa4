using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Live;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// What the live parts of a portfolio page show: the snapshot and the time of its newest quote. Every fragment of one
/// update carries that time (data-time), so a row whose weight moved because another holding ticked is applied too,
/// and the current state sent again on reconnect is skipped by the browser.
/// </summary>
public sealed record PortfolioLiveView(PortfolioSnapshot Snapshot)
{
    public long? Time => Snapshot.Holdings.Max(h => h.QuoteTime)?.ToUnixTimeMilliseconds();
}

/// <summary>One holding row (first render and every live update); <paramref name="Direction"/> is the tick's, for the price flash.</summary>
public sealed record HoldingRowView(HoldingRow Row, long? Time, int Direction = 0, int PortfolioId = 0);

/// <summary>
/// The pages' services and the portfolio page's stream: <c>/stream/portfolios/{id}</c> sends the holdings rows and the
/// summary as rendered HTML, revalued on every tick of a held instrument (<see cref="PortfolioHoldings.Revalue"/>: time
/// in proportion to the holdings, the transactions are not read again).
/// </summary>
public static class PortfolioPages
{
    public const string RowView = "/Features/Portfolios/_HoldingRow.cshtml";
    public const string SummaryView = "/Features/Portfolios/_PortfolioSummary.cshtml";

    public static IServiceCollection AddPortfolioPages(this IServiceCollection services) => services.AddScoped<PortfolioReports>();

    public static IEndpointRouteBuilder MapPortfolioPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stream/portfolios/{id:int}", async (int id, bool? hidden, HttpContext http, UserManager<Accounts.ApplicationUser> users,
                PortfolioHoldings holdings, QuoteHub hub, FragmentRenderer renderer, CancellationToken cancellationToken) =>
            {
                var userId = users.GetUserId(http.User);
                var snapshot = userId is null ? null : await holdings.GetAsync(userId, id, cancellationToken);
                return snapshot is null
                    ? Results.NotFound()
                    : TypedResults.ServerSentEvents(Events(http, hub, holdings, renderer, snapshot, hidden == true, EventStream.Lifetime(http)));
            })
            .RequireAuthorization()
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>A quote as the revaluation reads it, from the row the hub publishes.</summary>
    private static Quote QuoteOf(int instrumentId, QuoteRow row) => new()
    {
        InstrumentId = instrumentId,
        Last = row.Last ?? 0,
        PreviousClose = row.PreviousClose ?? 0,
        Change = row.Change ?? 0,
        ChangePercent = row.ChangePercent ?? 0,
        Open = row.Open ?? 0,
        High = row.High ?? 0,
        Low = row.Low ?? 0,
        Volume = row.Volume ?? 0,
        ValueTraded = row.ValueTraded ?? 0,
        Time = row.Time ?? DateTimeOffset.MinValue,
        Source = row.Source ?? "",
    };

    private static async IAsyncEnumerable<SseItem<string>> Events(HttpContext http, QuoteHub hub, PortfolioHoldings holdings, FragmentRenderer renderer,
        PortfolioSnapshot snapshot, bool hidden, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var instruments = snapshot.Holdings.ToDictionary(h => h.Ticker, h => h.InstrumentId, StringComparer.OrdinalIgnoreCase);
        // Subscribed, then the quotes read again: a tick between the page's read and the subscription is not lost.
        using var subscription = hub.Subscribe(instruments.Keys);
        var sequence = hub.Sequence;
        var rows = instruments.Count == 0 ? [] : await http.RequestServices.GetRequiredService<MarketQueries>().QuotesAsync(instruments.Keys, cancellationToken);
        var quotes = rows.Where(r => r.Last is not null).ToDictionary(r => instruments[r.Ticker], r => QuoteOf(instruments[r.Ticker], r));
        hub.Seed(rows.Select(r => (r.Ticker, r.Last)));
        snapshot = PortfolioHoldings.Revalue(snapshot, quotes);
        // The figures this connection last sent per row: a row whose figures did not move is not rendered again.
        var shown = new Dictionary<string, HoldingRow>(StringComparer.OrdinalIgnoreCase);
        var first = true;
        await foreach (var (name, html) in RenderAsync(http, renderer, snapshot, shown, null))
        {
            yield return EventStream.Item(html, name, sequence, ref first);
        }
        await foreach (var batch in QuoteStreams.Updates(subscription, hidden, rows, cancellationToken))
        {
            if (batch.Count == 0)
            {
                yield return EventStream.HeartbeatItem();
                continue;
            }
            var directions = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var update in batch)
            {
                if (instruments.TryGetValue(update.Row.Ticker, out var instrumentId) && update.Row.Last is not null)
                {
                    quotes[instrumentId] = QuoteOf(instrumentId, update.Row);
                    directions[update.Row.Ticker] = update.Direction;
                }
            }
            snapshot = PortfolioHoldings.Revalue(snapshot, quotes);
            var latest = batch.Max(u => u.Sequence);
            await foreach (var (name, html) in RenderAsync(http, renderer, snapshot, shown, directions))
            {
                yield return EventStream.Item(html, name, latest, ref first);
            }
        }
    }

    /// <summary>The rows whose figures moved since <paramref name="shown"/>, then the summary: O(holdings) per update.</summary>
    private static async IAsyncEnumerable<(string Name, string Html)> RenderAsync(HttpContext http, FragmentRenderer renderer, PortfolioSnapshot snapshot,
        Dictionary<string, HoldingRow> shown, IReadOnlyDictionary<string, int>? directions)
    {
        var view = new PortfolioLiveView(snapshot);
        var time = view.Time;
        foreach (var row in snapshot.Holdings)
        {
            if (shown.TryGetValue(row.Ticker, out var before) && before == row)
            {
                continue;
            }
            shown[row.Ticker] = row;
            var direction = directions is not null && directions.TryGetValue(row.Ticker, out var d) ? d : 0;
            yield return ("holding-" + row.Ticker, await renderer.RenderAsync(http, RowView, new HoldingRowView(row, time, direction, snapshot.Portfolio.Id)));
        }
        yield return ("portfolio-summary", await renderer.RenderAsync(http, SummaryView, view));
    }
}
