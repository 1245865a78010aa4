using System.Globalization;
using System.Net.ServerSentEvents;

namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>What every server-sent event stream of the app shares: event ids, the retry hint, heartbeats and when a stream ends.</summary>
public static class EventStream
{
    /// <summary>An idle stream sends an empty "heartbeat" event this often, so proxies do not close them.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    public static SseItem<string> HeartbeatItem() => new("", "heartbeat");

    /// <summary>
    /// A stream ends when its client goes or when this instance shuts down: then the browser reconnects (to this
    /// instance once restarted, or to another) instead of the shutdown waiting for every open stream.
    /// </summary>
    public static CancellationToken Lifetime(HttpContext http)
    {
        var stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        http.Response.RegisterForDispose(linked);
        return linked.Token;
    }

    public static SseItem<string> Item(string data, string eventType, long sequence, ref bool first)
    {
        var item = new SseItem<string>(data, eventType) { EventId = sequence.ToString(CultureInfo.InvariantCulture) };
        if (first)
        {
            // The browser reconnects after a second (not the default three) when the server goes away.
            item = item with { ReconnectionInterval = Retry };
            first = false;
        }
        return item;
    }
}
