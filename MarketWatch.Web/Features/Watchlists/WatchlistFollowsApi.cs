using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Watchlists;

/// <summary>A row of a shared list as anyone with its link sees it: prices only, never the owner's notes or targets.</summary>
public sealed record SharedItemResponse(
    string Ticker, string Name, int Position, decimal? Last, decimal? Change, decimal? ChangePercent, long? Volume,
    decimal? DayLow, decimal? DayHigh, decimal? YearLow, decimal? YearHigh)
{
    public static SharedItemResponse From(WatchlistRow r) =>
        new(r.Ticker, r.Name, r.Position, r.Last, r.Change, r.ChangePercent, r.Volume, r.Low, r.High, r.YearLow, r.YearHigh);
}

/// <summary>A shared list through its token: its name and rows, and whether the caller may follow it and does.</summary>
public sealed record SharedWatchlistResponse(string Token, string Name, bool CanFollow, bool Following, bool Notify, IReadOnlyList<SharedItemResponse> Items);

/// <summary>A list the caller follows (by its share token; its owner is never named).</summary>
public sealed record FollowResponse(string Token, string Name, bool Notify);

/// <summary>Following: <c>notify</c> false for no notice when the owner adds a stock; absent keeps what it was (on for a new follow).</summary>
public sealed record FollowRequest(bool? Notify);

/// <summary>
/// <c>/api/watchlists/following</c> and <c>/api/watchlists/shared/{token}</c>: what the shared page's follow button does,
/// for API clients. A revoked or unknown token is 404; the owner of a list cannot follow it (409).
/// </summary>
public static class WatchlistFollowsApi
{
    public static IEndpointRouteBuilder MapWatchlistFollowsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/watchlists").WithTags("Watchlists").RequireAuthorization();
        api.MapGet("/following", async (HttpContext http, WatchlistFollows follows, CancellationToken ct) =>
                Results.Ok((await follows.FollowingAsync(http.UserIdOf(), ct)).Select(f => new FollowResponse(f.Token, f.Name, f.Notify))))
            .WithSummary("The shared lists you follow.").Produces<List<FollowResponse>>();
        api.MapGet("/shared/{token}", async (string token, HttpContext http, WatchlistService lists, WatchlistRows rows, WatchlistFollows follows,
                IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                if (await lists.FindSharedAsync(token, ct) is not { } list)
                {
                    return NotShared(L);
                }
                var state = await follows.StateAsync(list, http.UserIdOf(), ct);
                // The owner's own order, as the shared page shows it: a sort by target price would hint at the hidden targets.
                var items = await rows.LoadAsync(list.Id, WatchlistSort.Position, false, ct);
                return Results.Ok(new SharedWatchlistResponse(list.ShareToken!, list.Name, state.CanFollow, state.Following, state.Notify,
                    items.Select(SharedItemResponse.From).ToList()));
            })
            .WithSummary("A shared list by its link's token: its rows with prices (no notes or targets).")
            .Produces<SharedWatchlistResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/shared/{token}/follow", async (string token, FollowRequest? request, HttpContext http, WatchlistService lists, WatchlistFollows follows,
                IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var userId = http.UserIdOf();
                if (await lists.FindSharedAsync(token, ct) is not { } list)
                {
                    return NotShared(L);
                }
                if (list.UserId == userId)
                {
                    return Results.Problem(title: L["Your own list"], detail: L["You cannot follow your own watchlist."], statusCode: StatusCodes.Status409Conflict);
                }
                if (!await follows.FollowAsync(list, userId, ct))
                {
                    return NotShared(L); // revoked between the look-up and the follow
                }
                if (request?.Notify is { } notify)
                {
                    await follows.SetNotifyAsync(list, userId, notify, ct);
                }
                var state = await follows.StateAsync(list, userId, ct);
                return Results.Ok(new FollowResponse(list.ShareToken!, list.Name, state.Notify));
            })
            .WithSummary("Follow a shared list (following twice is one follow); notify turns the notices of added stocks on or off.")
            .Produces<FollowResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapDelete("/shared/{token}/follow", async (string token, HttpContext http, WatchlistService lists, WatchlistFollows follows,
                IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                if (await lists.FindSharedAsync(token, ct) is not { } list)
                {
                    return NotShared(L);
                }
                await follows.UnfollowAsync(list, http.UserIdOf(), ct);
                return Results.NoContent();
            })
            .WithSummary("Stop following a shared list (also when you did not follow it).").Produces(204).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static IResult NotShared(IStringLocalizer L) =>
        Results.Problem(title: L["Not found"], detail: L["No watchlist is shared with this link (it may have been revoked)."], statusCode: StatusCodes.Status404NotFound);
}
