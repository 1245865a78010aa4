using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Market.Live;

/// <summary>
/// Server-sent events for the market pages: rendered HTML the htmx SSE extension swaps in place. On every
/// connection (and reconnection, with Last-Event-ID) the current state comes first; then updates as they are
/// published, conflated per ticker; a heartbeat keeps proxies from closing an idle stream.
/// </summary>
public static class QuoteStreams
{
    /// <summary>Hidden tabs ask for this: at most one flush per interval, the latest price per ticker.</summary>
    public static readonly TimeSpan HiddenTabInterval = TimeSpan.FromSeconds(5);

    public const string RowView = "/Features/Market/_QuoteRow.cshtml";
    public const string PriceView = "/Features/Market/_QuotePrice.cshtml";

    public static IEndpointRouteBuilder MapQuoteStreams(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stream/quotes", QuotesAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> QuotesAsync(
        string? tickers, string? view, bool? hidden, HttpContext http, DbContext db, QuoteHub hub, FragmentRenderer renderer,
        IStringLocalizer<SharedResource> L, CancellationToken cancellationToken)
    {
        var wanted = (tickers ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.ToUpperInvariant()).Distinct().ToList();
        if (wanted.Count is 0 or > 200)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["tickers"] = [L["Give between 1 and {0} tickers.", 200]] });
        }
        var known = await db.Instruments.AsNoTracking().Where(i => wanted.Contains(i.Ticker) && i.IsActive).Select(i => i.Ticker).ToListAsync(cancellationToken);
        if (known.Count != wanted.Count)
        {
            return Results.Problem(title: L["Unknown ticker"], detail: L["No instrument with the ticker {0}.", string.Join(", ", wanted.Except(known))], statusCode: 404);
        }
        var (path, prefix) = view == "price" ? (PriceView, "price-") : (RowView, "quote-");
        return TypedResults.ServerSentEvents(Events(http, hub, renderer, known, path, prefix, hidden == true, EventStream.Lifetime(http)));
    }

    private static async IAsyncEnumerable<SseItem<string>> Events(
        HttpContext http, QuoteHub hub, FragmentRenderer renderer, List<string> tickers,
        string view, string prefix, bool hidden, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Subscribed before reading the current state: a tick in between is sent again rather than lost.
        using var subscription = hub.Subscribe(tickers);
        var sequence = hub.Sequence;
        var initial = await http.RequestServices.GetRequiredService<MarketQueries>().QuotesAsync(tickers, cancellationToken);
        hub.Seed(initial.Select(r => (r.Ticker, r.Last)));
        var first = true;
        foreach (var row in initial)
        {
            // Rendered for this connection only: the shared cache holds published updates.
            yield return EventStream.Item(await renderer.RenderAsync(http, view, new QuoteView(row)), prefix + row.Ticker, sequence, ref first);
        }
        // The time zone shapes the fragment ("as of" times), so viewers in different zones share different renders.
        var zone = http.User.FindFirst(AccountClaims.TimeZone)?.Value;
        await foreach (var batch in Updates(subscription, hidden, initial, cancellationToken))
        {
            if (batch.Count == 0)
            {
                yield return EventStream.HeartbeatItem();
                continue;
            }
            foreach (var update in batch)
            {
                var html = await renderer.RenderSharedAsync(http, view, update.Row.Ticker + "|" + zone, update.Sequence, update.View);
                yield return EventStream.Item(html, prefix + update.Row.Ticker, update.Sequence, ref first);
            }
        }
    }

    /// <summary>
    /// Pending updates as they come (an empty batch means: time for a heartbeat). An update whose quote equals the
    /// one this stream already showed for that ticker (<paramref name="shown"/>, then what it yielded) is dropped:
    /// a resync re-publishes every quote, and the browser would only skip it after parsing.
    /// </summary>
    public static async IAsyncEnumerable<IReadOnlyCollection<QuoteUpdate>> Updates(
        Subscription subscription, bool hidden, IEnumerable<QuoteRow> shown, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sent = shown.ToDictionary(r => r.Ticker, StringComparer.OrdinalIgnoreCase);
        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyCollection<QuoteUpdate> batch;
            try
            {
                batch = await subscription.NextAsync(EventStream.Heartbeat, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
            if (batch.Count > 0)
            {
                var changed = batch.Where(u => !(sent.TryGetValue(u.Row.Ticker, out var before) && before == u.Row)).ToList();
                if (changed.Count == 0)
                {
                    continue;
                }
                changed.ForEach(u => sent[u.Row.Ticker] = u.Row);
                batch = changed;
            }
            yield return batch;
            if (hidden && batch.Count > 0)
            {
                try
                {
                    await Task.Delay(HiddenTabInterval, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
            }
        }
    }
}
