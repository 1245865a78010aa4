using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>One result row as the table and the stream render it; <paramref name="Direction"/> is the last price's move (flash).</summary>
public sealed record ScreenerRowView(InstrumentMetrics Metrics, ScreenerQuery Query, int Direction = 0);

/// <summary>
/// <c>/stream/screener?{query}</c>: the rows of one result page, live. On every metrics change the page is screened
/// again; a row whose quote moved is sent as a whole row partial (live.js patches its <c>data-cell</c>s); when the
/// page's set of instruments changes (one enters or leaves the filter, or the order moves), a "results changed —
/// refresh" notice is sent once instead of reshuffling the table under the reader's eyes. The rows that moved in one
/// metrics change travel together as one <see cref="RowsEvent"/> (the page has one listener for them, not one per row:
/// 50 htmx-processed rows were most of the page's start-up script on a phone).
/// </summary>
public static class ScreenerStream
{
    public const string RowsEvent = "rows";

    public const string RowView = "/Features/Analytics/_ScreenerRow.cshtml";
    public const string NoticeView = "/Features/Analytics/_ScreenerChanged.cshtml";

    public static IEndpointRouteBuilder MapScreenerStream(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stream/screener", async (HttpContext http, MarketMetrics metrics, FragmentRenderer renderer, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var snapshot = await metrics.CurrentAsync(ct);
                var parsed = ScreenerQuery.Parse(http.Request.Query, ScreenerApi.Sectors(snapshot));
                return parsed.Query is not { } query
                    ? ScreenerApi.Problem(parsed.Errors, L)
                    : TypedResults.ServerSentEvents(Events(http, metrics, renderer, query, snapshot, EventStream.Lifetime(http)));
            })
            .ExcludeFromDescription();
        return app;
    }

    private static async IAsyncEnumerable<SseItem<string>> Events(HttpContext http, MarketMetrics metrics, FragmentRenderer renderer, ScreenerQuery query,
        MetricsSnapshot initial, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Only the latest snapshot matters: a slow reader skips the ones in between.
        var changes = Channel.CreateBounded<MetricsSnapshot>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        void OnChanged(MetricsSnapshot snapshot, IReadOnlyCollection<string> tickers) => changes.Writer.TryWrite(snapshot);
        metrics.Changed += OnChanged;
        try
        {
            var page = Screener.Run(initial, query).Rows;
            var shown = page.ToDictionary(m => m.Ticker, StringComparer.OrdinalIgnoreCase);
            var order = page.Select(m => m.Ticker).ToList();
            var first = true;
            var notified = false;
            // First every row of the page as it is now: the page was rendered a moment before this connection, and a
            // trade in between would otherwise never reach it (live.js skips a row whose quote time is the one shown).
            var connecting = true;
            changes.Writer.TryWrite(await metrics.CurrentAsync(cancellationToken));
            while (!cancellationToken.IsCancellationRequested)
            {
                MetricsSnapshot? snapshot = null;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    idle.CancelAfter(EventStream.Heartbeat);
                    try
                    {
                        snapshot = await changes.Reader.ReadAsync(idle.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                    }
                }
                if (snapshot is null)
                {
                    yield return EventStream.HeartbeatItem();
                    continue;
                }
                var now = Screener.Run(snapshot, query).Rows;
                if (!notified && !now.Select(m => m.Ticker).SequenceEqual(order, StringComparer.OrdinalIgnoreCase))
                {
                    notified = true;
                    yield return EventStream.Item(await renderer.RenderAsync(http, NoticeView, query), "screener-changed", snapshot.Version, ref first);
                }
                // Every row that moved in this snapshot, in one "rows" event (live.js sends each <tr id> to its row).
                var rows = new System.Text.StringBuilder();
                foreach (var row in now)
                {
                    if (shown.TryGetValue(row.Ticker, out var before)
                        && (connecting || before.Time != row.Time || before.Last != row.Last || before.Volume != row.Volume))
                    {
                        shown[row.Ticker] = row;
                        var direction = row.Last is { } a && before.Last is { } b ? a.CompareTo(b) : 0;
                        rows.Append(await renderer.RenderAsync(http, RowView, new ScreenerRowView(row, query, direction)));
                    }
                }
                connecting = false;
                if (rows.Length > 0)
                {
                    yield return EventStream.Item(rows.ToString(), RowsEvent, snapshot.Version, ref first);
                }
            }
        }
        finally
        {
            metrics.Changed -= OnChanged;
        }
    }
}
