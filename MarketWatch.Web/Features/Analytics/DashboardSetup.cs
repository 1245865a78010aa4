using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MarketWatch.Web.Infrastructure.Web;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>
/// The market dashboard (<c>/analytics</c>) and its live stream. The stream carries no HTML: it says "changed" (at most
/// once per <see cref="Interval"/>) when a quote batch moved the metrics, and the page re-fetches its heatmap fragment
/// (htmx <c>hx-trigger="sse:changed"</c>). A heatmap is one SVG whose cells only make sense together (SVG elements
/// cannot be parsed as stand-alone HTML fragments), so one throttled re-fetch replaces per-cell fragments.
/// </summary>
public static class DashboardSetup
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddSingleton<DashboardIndices>();
        return services;
    }

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stream/analytics", (bool? hidden, HttpContext http, MarketMetrics metrics) =>
            TypedResults.ServerSentEvents(Events(metrics, http.Request.Headers["Last-Event-ID"].FirstOrDefault(), hidden == true ? Market.Live.QuoteStreams.HiddenTabInterval : Interval, EventStream.Lifetime(http)))).ExcludeFromDescription();
        return app;
    }

    private static async IAsyncEnumerable<SseItem<string>> Events(MarketMetrics metrics, string? lastEventId, TimeSpan interval, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var changes = Channel.CreateBounded<long>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        void OnChanged(MetricsSnapshot snapshot, IReadOnlyCollection<string> tickers) => changes.Writer.TryWrite(snapshot.Version);
        metrics.Changed += OnChanged;
        try
        {
            // Loaded now, so that quote batches update the snapshot (and raise Changed) from here on.
            var current = await metrics.CurrentAsync(cancellationToken);
            var first = true;
            // Something at once, so the browser sees the stream open. A reconnection that missed changes (its last
            // event id is an older version) is told "changed" so it catches up; a first connection just "ready".
            var missed = long.TryParse(lastEventId, System.Globalization.CultureInfo.InvariantCulture, out var seen) && seen < current.Version;
            yield return EventStream.Item(current.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), missed ? "changed" : "ready",
                current.Version, ref first);
            while (!cancellationToken.IsCancellationRequested)
            {
                long version;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    wait.CancelAfter(EventStream.Heartbeat);
                    try
                    {
                        version = await changes.Reader.ReadAsync(wait.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        version = -1;
                    }
                    catch (OperationCanceledException)
                    {
                        yield break;
                    }
                }
                if (version < 0)
                {
                    yield return EventStream.HeartbeatItem();
                    continue;
                }
                // An event with no data is never dispatched by the browser: the data is the snapshot's version.
                yield return EventStream.Item(version.ToString(System.Globalization.CultureInfo.InvariantCulture), "changed", version, ref first);
                try
                {
                    await Task.Delay(interval, cancellationToken); // the batches of the next interval make one event
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
            }
        }
        finally
        {
            metrics.Changed -= OnChanged;
        }
    }
}
