using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Identity;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Live;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Watchlists;

/// <summary>What a watchlist row partial needs: the row, the list, whether the viewer may edit, and the tick's direction.</summary>
public sealed record WatchlistRowView(WatchlistRow Row, int WatchlistId, bool ReadOnly, int Direction = 0, string? Error = null, IReadOnlyList<string>? Columns = null)
{
    /// <summary>The columns after the instrument, in the owner's order; a shared view never shows targets.</summary>
    public IReadOnlyList<string> Shown => (Columns ?? WatchlistColumns.All).Where(c => !ReadOnly || c != "target").ToList();
}

/// <summary>The table of a watchlist: its rows, how they are sorted, and the stream that keeps them live.</summary>
public sealed record WatchlistTableView(int WatchlistId, IReadOnlyList<WatchlistRow> Rows, string SortColumn, bool SortDescending, bool ReadOnly, string StreamUrl,
    IReadOnlyList<string>? Columns = null, bool Compact = false)
{
    public IReadOnlyList<string> Shown => new WatchlistRowView(null!, WatchlistId, ReadOnly, Columns: Columns).Shown;
    public WatchlistDay Day => WatchlistDay.Of(Rows);
}

/// <summary>
/// Live watchlists: the owner's stream (authorised per list: another user's list is a 404) and the share link's
/// stream (read-only, no notes or targets). Each subscribes to its own tickers only.
/// </summary>
public static class WatchlistStreams
{
    public const string RowView = "/Features/Watchlists/_WatchlistRow.cshtml";
    public const string SummaryView = "/Features/Watchlists/_ListSummary.cshtml";

    public static IEndpointRouteBuilder MapWatchlistStreams(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stream/watchlists/{id:int}", async (int id, bool? hidden, HttpContext http, UserManager<Accounts.ApplicationUser> users,
                WatchlistService lists, WatchlistRows rows, QuoteHub hub, FragmentRenderer renderer, CancellationToken cancellationToken) =>
            {
                var userId = users.GetUserId(http.User);
                var list = userId is null ? null : await lists.FindAsync(userId, id, cancellationToken);
                if (list is null)
                {
                    return Results.NotFound();
                }
                var loaded = await rows.LoadAsync(list.Id, list.SortColumn, list.SortDescending, cancellationToken);
                return TypedResults.ServerSentEvents(Events(http, hub, renderer, list.Id, loaded, WatchlistColumns.Parse(list.Columns), readOnly: false, hidden == true, EventStream.Lifetime(http)));
            })
            .RequireAuthorization()
            .ExcludeFromDescription();
        app.MapGet("/stream/shared/{token}", async (string token, bool? hidden, HttpContext http, WatchlistService lists, WatchlistRows rows,
                QuoteHub hub, FragmentRenderer renderer, CancellationToken cancellationToken) =>
            {
                var list = await lists.FindSharedAsync(token, cancellationToken);
                if (list is null)
                {
                    return Results.NotFound();
                }
                var loaded = await rows.LoadAsync(list.Id, WatchlistSort.Position, false, cancellationToken);
                return TypedResults.ServerSentEvents(Events(http, hub, renderer, list.Id, loaded, WatchlistColumns.Parse(list.Columns), readOnly: true, hidden == true, EventStream.Lifetime(http)));
            })
            .ExcludeFromDescription();
        return app;
    }

    private static async IAsyncEnumerable<SseItem<string>> Events(
        HttpContext http, QuoteHub hub, FragmentRenderer renderer, int watchlistId, List<WatchlistRow> loaded, IReadOnlyList<string> columns, bool readOnly, bool hidden,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = loaded.ToDictionary(r => r.Ticker, StringComparer.OrdinalIgnoreCase);
        // Subscribed, then the quotes read again: a tick between the first read and the subscription is not lost.
        using var subscription = hub.Subscribe(rows.Keys);
        var sequence = hub.Sequence;
        var quotes = await http.RequestServices.GetRequiredService<MarketQueries>().QuotesAsync(rows.Keys, cancellationToken);
        foreach (var quote in quotes)
        {
            rows[quote.Ticker] = rows[quote.Ticker].With(quote);
        }
        hub.Seed(rows.Values.Select(r => (r.Ticker, r.Last)));
        var first = true;
        foreach (var row in loaded.Select(r => rows[r.Ticker]))
        {
            yield return EventStream.Item(await renderer.RenderAsync(http, RowView, new WatchlistRowView(row, watchlistId, readOnly, Columns: columns)), "row-" + row.Ticker, sequence, ref first);
        }
        yield return EventStream.Item(await renderer.RenderAsync(http, SummaryView, WatchlistDay.Of(rows.Values)), "list-summary", sequence, ref first);
        await foreach (var batch in QuoteStreams.Updates(subscription, hidden, quotes, cancellationToken))
        {
            if (batch.Count == 0)
            {
                yield return EventStream.HeartbeatItem();
                continue;
            }
            foreach (var update in batch)
            {
                var row = rows[update.Row.Ticker] = rows[update.Row.Ticker].With(update.Row);
                var html = await renderer.RenderAsync(http, RowView, new WatchlistRowView(row, watchlistId, readOnly, update.Direction, Columns: columns));
                yield return EventStream.Item(html, "row-" + row.Ticker, update.Sequence, ref first);
            }
            // The list as a whole after the batch: one summary per batch, however many rows moved.
            yield return EventStream.Item(await renderer.RenderAsync(http, SummaryView, WatchlistDay.Of(rows.Values)), "list-summary", batch.Max(u => u.Sequence), ref first);
        }
    }
}
