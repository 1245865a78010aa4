using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MarketWatch.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Web;
using Npgsql;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>This instance's open pages per user: a wake-up per page that something new arrived for its user.</summary>
public sealed class UserNotificationHub
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<WakeUp, byte>> _pages = new();

    public int Pages => _pages.Values.Sum(p => p.Count);

    public WakeUp Open(string userId)
    {
        var page = new WakeUp();
        _pages.GetOrAdd(userId, _ => new ConcurrentDictionary<WakeUp, byte>())[page] = 0;
        return page;
    }

    public void Close(string userId, WakeUp page)
    {
        if (_pages.TryGetValue(userId, out var pages))
        {
            pages.TryRemove(page, out _);
        }
    }

    public void SignalAll() => Signal(_pages.Keys);

    public void Signal(IEnumerable<string> userIds)
    {
        foreach (var userId in userIds)
        {
            if (_pages.TryGetValue(userId, out var pages))
            {
                foreach (var page in pages.Keys)
                {
                    page.Signal();
                }
            }
        }
    }
}

/// <summary>LISTENs for new in-app notifications (written by whichever instance claimed the firing) and wakes the pages here.</summary>
public sealed class UserNotificationListener(NpgsqlDataSource dataSource, UserNotificationHub hub, DatabaseHealth health, ILogger<UserNotificationListener> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PostgresListener.RunAsync(dataSource, [NotificationOutbox.UserNotificationsChannel], (_, e) =>
        {
            try
            {
                if (e.Payload == PostgresListener.Everything)
                {
                    hub.SignalAll();
                }
                else
                {
                    hub.Signal(JsonSerializer.Deserialize<string[]>(e.Payload) ?? []);
                }
            }
            catch (JsonException ex)
            {
                logger.LogWarning(ex, "Ignored a malformed user notification");
            }
        }, listening =>
        {
            // Back after a lost connection: notifications may have been missed, so every page re-reads its own.
            if (listening)
            {
                hub.SignalAll();
            }
        }, health, health.Listener(NotificationOutbox.UserNotificationsChannel), logger, stoppingToken);
}

/// <summary>
/// <c>/stream/notifications</c>: every open page of a signed-in user. It sends the unread count ("bell") on connect
/// and whenever it changes, and each new notification as a toast (already worded in the user's language).
/// </summary>
public static class NotificationStreams
{
    /// <summary>What a toast shows; <c>_Toast.cshtml</c> renders it, and the stream sends the HTML.</summary>
    public sealed record Toast(string Title, string Body, string Url, long Id = 0);

    /// <summary>
    /// How far back a page that opens its stream looks for unread notifications to toast: one that arrived while the
    /// browser went from one page to the next (an alert that fires the moment it is created, before the list loads) is
    /// toasted on the new page. The page drops a toast it already showed in full (notifications.js).
    /// </summary>
    public static readonly TimeSpan RecentWindow = TimeSpan.FromSeconds(30);

    public const int MaxToasts = 5;
    private static readonly TimeSpan DatabaseRetry = TimeSpan.FromSeconds(2);

    private sealed record News(int Newer, List<NotificationItem> Fresh, int Unread);

    /// <summary>What arrived after <paramref name="lastId"/>, or null while the database is unreachable.</summary>
    private static async Task<News?> ReadNewsAsync(NotificationCentre centre, string userId, long lastId, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        try
        {
            var newer = await centre.CountNewerAsync(userId, lastId, cancellationToken);
            var fresh = await centre.ListAsync(userId, lastId, MaxToasts, unreadOnly: false, zone, cancellationToken);
            return new News(newer, fresh, await centre.UnreadAsync(userId, cancellationToken));
        }
        catch (Exception ex) when (DatabaseHealth.IsOutage(ex))
        {
            return null;
        }
    }
    private const string ToastView = "/Features/Notifications/_Toast.cshtml";

    private static Toast ToastOf(NotificationItem item) =>
        new(item.Notice.Title, item.Notice.Note is null ? item.Notice.Body : item.Notice.Body + " — " + item.Notice.Note, item.Notice.LinkPath, item.Id);

    public static IEndpointRouteBuilder MapNotificationStreams(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stream/notifications", (HttpContext http, UserManager<ApplicationUser> users, UserNotificationHub hub, NotificationCentre centre,
                FragmentRenderer fragments, IStringLocalizer<SharedResource> L, TimeProvider clock) =>
            TypedResults.ServerSentEvents(Events(http, users.GetUserId(http.User)!, hub, centre, fragments, L, clock, EventStream.Lifetime(http))))
            .RequireAuthorization()
            .ExcludeFromDescription();
        return app;
    }

    private static async IAsyncEnumerable<SseItem<string>> Events(HttpContext http, string userId, UserNotificationHub hub, NotificationCentre centre,
        FragmentRenderer fragments, IStringLocalizer L, TimeProvider clock, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var signal = hub.Open(userId);
        try
        {
            // Opened before reading the latest id: a notification in between is sent, not lost.
            var zone = QuietHours.Zone(http.User.FindFirst(AccountClaims.TimeZone)?.Value);
            var lastId = await centre.LatestIdAsync(userId, cancellationToken);
            var first = true;
            yield return EventStream.Item((await centre.UnreadAsync(userId, cancellationToken)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "bell", lastId, ref first);
            var since = clock.GetUtcNow() - RecentWindow;
            var recent = await centre.ListAsync(userId, 0, MaxToasts, unreadOnly: true, zone, cancellationToken);
            foreach (var item in recent.Where(i => i.CreatedAt >= since && i.Id <= lastId).OrderBy(i => i.Id))
            {
                yield return EventStream.Item(await fragments.RenderAsync(http, ToastView, ToastOf(item)), "toast", lastId, ref first);
            }
            var unreadable = false;
            while (!cancellationToken.IsCancellationRequested)
            {
                bool woke;
                try
                {
                    // While the database is unreachable, look again every few seconds instead of waiting for a wake-up.
                    woke = await signal.WaitAsync(unreadable ? DatabaseRetry : EventStream.Heartbeat, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                if (!woke && !unreadable)
                {
                    yield return EventStream.HeartbeatItem();
                    continue;
                }
                var news = await ReadNewsAsync(centre, userId, lastId, zone, cancellationToken);
                unreadable = news is null;
                if (news is not { } read)
                {
                    // The page keeps its stream (no error, no reconnection storm); nothing is lost, lastId did not move.
                    yield return EventStream.HeartbeatItem();
                    continue;
                }
                // A watchlist alert may fire on many stocks at once: toast the newest few and say how many more there are.
                foreach (var item in read.Fresh.OrderBy(i => i.Id))
                {
                    lastId = Math.Max(lastId, item.Id);
                    yield return EventStream.Item(await fragments.RenderAsync(http, ToastView, ToastOf(item)), "toast", item.Id, ref first);
                }
                // Last, so that it stays on screen when the page trims its older toasts.
                if (read.Newer > read.Fresh.Count)
                {
                    var more = new Toast(L["{0} more notifications", read.Newer - read.Fresh.Count], L["Open the notification centre to see them all."], "/notifications");
                    yield return EventStream.Item(await fragments.RenderAsync(http, ToastView, more), "toast", lastId, ref first);
                }
                yield return EventStream.Item(read.Unread.ToString(System.Globalization.CultureInfo.InvariantCulture), "bell", lastId, ref first);
            }
        }
        finally
        {
            hub.Close(userId, signal);
        }
    }
}
