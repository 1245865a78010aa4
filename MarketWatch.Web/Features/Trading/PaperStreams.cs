using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace MarketWatch.Web.Features.Trading;

/// <summary>This instance's open account pages per paper account: a wake-up per page that its account changed.</summary>
public sealed class PaperAccountHub
{
    private readonly ConcurrentDictionary<int, ConcurrentDictionary<WakeUp, byte>> _pages = new();

    public int Pages => _pages.Values.Sum(p => p.Count);

    public WakeUp Open(int accountId)
    {
        var page = new WakeUp();
        _pages.GetOrAdd(accountId, _ => new ConcurrentDictionary<WakeUp, byte>())[page] = 0;
        return page;
    }

    public void Close(int accountId, WakeUp page)
    {
        if (_pages.TryGetValue(accountId, out var pages))
        {
            pages.TryRemove(page, out _);
        }
    }

    public void SignalAll() => Signal(_pages.Keys);

    public void Signal(IEnumerable<int> accountIds)
    {
        foreach (var id in accountIds)
        {
            if (_pages.TryGetValue(id, out var pages))
            {
                foreach (var page in pages.Keys)
                {
                    page.Signal();
                }
            }
        }
    }
}

/// <summary>
/// One LISTEN per instance on <see cref="TradingChannels.AccountsChanged"/> (whichever instance filled, cancelled or
/// reset), fanned out to the open pages of those accounts here.
/// </summary>
public sealed class PaperAccountListener(NpgsqlDataSource dataSource, PaperAccountHub hub, DatabaseHealth health, ILogger<PaperAccountListener> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PostgresListener.RunAsync(dataSource, [TradingChannels.AccountsChanged], (_, e) =>
        {
            try
            {
                if (e.Payload == PostgresListener.Everything)
                {
                    hub.SignalAll();
                }
                else
                {
                    hub.Signal(JsonSerializer.Deserialize<int[]>(e.Payload) ?? []);
                }
            }
            catch (JsonException ex)
            {
                logger.LogWarning(ex, "Ignored a malformed paper account notification");
            }
        }, listening =>
        {
            // Back after a lost connection: changes may have been missed, so every page reads its account again.
            if (listening)
            {
                hub.SignalAll();
            }
        }, health, health.Listener(TradingChannels.AccountsChanged), logger, stoppingToken);
}

/// <summary>
/// <c>/stream/paper/{id}</c>: the account page's live parts (summary, holdings, open orders, history) as rendered HTML,
/// sent on connect and again whenever the account changes (a fill, a cancellation, an expiry, a reset), on any instance.
/// </summary>
public static class PaperStreams
{
    private static readonly TimeSpan DatabaseRetry = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapPaperStreams(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stream/paper/{id:int}", async (int id, HttpContext http, UserManager<ApplicationUser> users, PaperAccounts accounts, PaperAccountHub hub,
                FragmentRenderer renderer, IAntiforgery antiforgery, CancellationToken cancellationToken) =>
            {
                var userId = users.GetUserId(http.User);
                var view = userId is null ? null : await accounts.GetAsync(userId, id, cancellationToken);
                return view is null
                    ? Results.NotFound()
                    // The token before the stream starts: generating it may set the cookie, which a started response cannot.
                    : TypedResults.ServerSentEvents(Events(http, userId!, id, hub, renderer, antiforgery.GetAndStoreTokens(http).RequestToken ?? "",
                        EventStream.Lifetime(http)));
            })
            .RequireAuthorization()
            .ExcludeFromDescription();
        return app;
    }

    private static async IAsyncEnumerable<SseItem<string>> Events(HttpContext http, string userId, int accountId, PaperAccountHub hub, FragmentRenderer renderer,
        string token, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Opened before the first read: a change in between wakes the loop, it is not lost.
        var signal = hub.Open(accountId);
        try
        {
            var first = true;
            var wake = true;
            var unreadable = false;
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!wake)
                {
                    try
                    {
                        wake = await signal.WaitAsync(unreadable ? DatabaseRetry : EventStream.Heartbeat, cancellationToken) || unreadable;
                    }
                    catch (OperationCanceledException)
                    {
                        yield break;
                    }
                    if (!wake)
                    {
                        yield return EventStream.HeartbeatItem();
                        continue;
                    }
                }
                wake = false;
                var live = await ReadAsync(http, userId, accountId, cancellationToken);
                unreadable = live is null;
                if (live is not { } state)
                {
                    yield return EventStream.HeartbeatItem();
                    continue;
                }
                if (state.Account is null)
                {
                    // Deleted meanwhile: nothing more to show.
                    yield break;
                }
                foreach (var (name, view, model) in PaperPages.Fragments(state, token))
                {
                    yield return EventStream.Item(await renderer.RenderAsync(http, view, model), name, state.Time, ref first);
                }
            }
        }
        finally
        {
            hub.Close(accountId, signal);
        }
    }

    /// <summary>The account as it is now (each read in its own scope: nothing cached from a previous read), or null while the database is unreachable.</summary>
    private static async Task<PaperLiveState?> ReadAsync(HttpContext http, string userId, int accountId, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = http.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
            return await PaperPages.LoadLiveAsync(scope.ServiceProvider, userId, accountId, cancellationToken);
        }
        catch (Exception ex) when (DatabaseHealth.IsOutage(ex))
        {
            return null;
        }
    }
}
