using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Watchlists;

public sealed record WatchlistRequest(string? Name);

/// <summary>Each property changes one thing when present; <c>shared</c> turns the read-only link on (a new token) or off (its follows end).</summary>
public sealed record WatchlistUpdateRequest(string? Name, bool? IsDefault, string? SortColumn, bool? SortDescending, bool? Shared = null);

public sealed record ItemRequest(string? Ticker, string? Note, decimal? TargetPrice);

public sealed record ItemUpdateRequest(string? Note, decimal? TargetPrice);

public sealed record ItemResponse(
    string Ticker, string Name, int Position, string? Note, decimal? TargetPrice, decimal? DistanceToTargetPercent,
    decimal? Last, decimal? Change, decimal? ChangePercent, long? Volume, decimal? DayLow, decimal? DayHigh, decimal? YearLow, decimal? YearHigh)
{
    public static ItemResponse From(WatchlistRow r) => new(r.Ticker, r.Name, r.Position, r.Note, r.TargetPrice, r.DistanceToTarget,
        r.Last, r.Change, r.ChangePercent, r.Volume, r.Low, r.High, r.YearLow, r.YearHigh);
}

/// <summary>A list of the user's; <c>shareToken</c> is its link's (<c>/w/{token}</c>) while shared, <c>followers</c> how many follow it.</summary>
public sealed record WatchlistResponse(int Id, string Name, bool IsDefault, string SortColumn, bool SortDescending, bool Shared, IReadOnlyList<ItemResponse> Items,
    string? ShareToken = null, int Followers = 0);

/// <summary><c>/api/watchlists</c>: the same operations as the pages, for the signed-in user's lists only (others are 404).</summary>
public static class WatchlistsApi
{
    public static IEndpointRouteBuilder MapWatchlistsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/watchlists").WithTags("Watchlists").RequireAuthorization();
        api.MapGet("/", async (HttpContext http, WatchlistService lists, CancellationToken ct) => Results.Ok(await lists.ListAsync(http.UserIdOf(), ct)))
            .WithSummary("Your watchlists.").Produces<List<WatchlistSummary>>();
        api.MapPost("/", async (WatchlistRequest request, HttpContext http, WatchlistService lists, WatchlistRows rows, WatchlistFollows follows, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var outcome = await lists.CreateAsync(http.UserIdOf(), request.Name, ct);
                return outcome.Error is { } error
                    ? new[] { error }.ToProblem(L)
                    : Results.Created($"/api/watchlists/{outcome.Value!.Id}", await DetailAsync(outcome.Value, rows, follows, ct));
            })
            .WithSummary("Create a list (1–60 characters; 20 lists at most by default).").Produces<WatchlistResponse>(201).ProducesValidationProblem();
        api.MapGet("/{id:int}", async (int id, HttpContext http, WatchlistService lists, WatchlistRows rows, WatchlistFollows follows, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await lists.FindAsync(http.UserIdOf(), id, ct) is { } list ? Results.Ok(await DetailAsync(list, rows, follows, ct)) : NotFound(L))
            .WithSummary("One list with its items and their quotes.").Produces<WatchlistResponse>().ProducesProblem(404);
        api.MapPut("/{id:int}", UpdateAsync)
            .WithSummary("Rename, make default, set the sort order, or share / stop sharing the read-only link.").Produces<WatchlistResponse>().ProducesValidationProblem().ProducesProblem(404);
        api.MapDelete("/{id:int}", async (int id, HttpContext http, WatchlistService lists, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await lists.DeleteAsync(http.UserIdOf(), id, ct) ? Results.NoContent() : NotFound(L))
            .WithSummary("Delete a list and its items.").Produces(204).ProducesProblem(404);
        api.MapGet("/{id:int}/items", async (int id, HttpContext http, WatchlistService lists, WatchlistRows rows, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await lists.FindAsync(http.UserIdOf(), id, ct) is { } list
                    ? Results.Ok((await rows.LoadAsync(list.Id, list.SortColumn, list.SortDescending, ct)).Select(ItemResponse.From))
                    : NotFound(L))
            .WithSummary("The items of a list, in its order.").Produces<List<ItemResponse>>().ProducesProblem(404);
        api.MapPost("/{id:int}/items", async (int id, ItemRequest request, HttpContext http, WatchlistService lists, WatchlistRows rows, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var outcome = await lists.AddItemAsync(http.UserIdOf(), id, request.Ticker, request.Note, request.TargetPrice, ct);
                if (!outcome.Found)
                {
                    return NotFound(L);
                }
                return outcome.Error is { } error ? new[] { error }.ToProblem(L) : Results.Created($"/api/watchlists/{id}/items/{request.Ticker!.Trim().ToUpperInvariant()}", await ItemAsync(id, request.Ticker!, rows, ct));
            })
            .WithSummary("Add an instrument (active ticker, once per list; note up to 500 characters; target price > 0).")
            .Produces<ItemResponse>(201).ProducesValidationProblem().ProducesProblem(404);
        api.MapPut("/{id:int}/items/{ticker}", async (int id, string ticker, ItemUpdateRequest request, HttpContext http, WatchlistService lists, WatchlistRows rows, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var outcome = await lists.UpdateItemAsync(http.UserIdOf(), id, ticker, request.Note, request.TargetPrice, ct);
                if (!outcome.Found)
                {
                    return NotFound(L);
                }
                return outcome.Error is { } error ? new[] { error }.ToProblem(L) : Results.Ok(await ItemAsync(id, ticker, rows, ct));
            })
            .WithSummary("Change an item's note and target price.").Produces<ItemResponse>().ProducesValidationProblem().ProducesProblem(404);
        api.MapDelete("/{id:int}/items/{ticker}", async (int id, string ticker, HttpContext http, WatchlistService lists, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await lists.RemoveItemAsync(http.UserIdOf(), id, ticker, ct) ? Results.NoContent() : NotFound(L))
            .WithSummary("Remove an instrument from a list.").Produces(204).ProducesProblem(404);
        return app;
    }

    private static async Task<IResult> UpdateAsync(int id, WatchlistUpdateRequest request, HttpContext http, WatchlistService lists, WatchlistRows rows,
        WatchlistFollows follows, IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        var userId = http.UserIdOf();
        if (await lists.FindAsync(userId, id, ct) is null)
        {
            return NotFound(L);
        }
        if (request.SortColumn is { } column && !WatchlistSort.Columns.Contains(column))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["sortColumn"] = [L["Sort by one of: {0}.", string.Join(", ", WatchlistSort.Columns)]] });
        }
        if (request.Name is not null)
        {
            var renamed = await lists.RenameAsync(userId, id, request.Name, ct);
            if (renamed.Error is { } error)
            {
                return new[] { error }.ToProblem(L);
            }
        }
        if (request.IsDefault == true)
        {
            await lists.SetDefaultAsync(userId, id, ct);
        }
        if (request.SortColumn is not null || request.SortDescending is not null)
        {
            var current = (await lists.FindAsync(userId, id, ct))!;
            await lists.SortAsync(userId, id, request.SortColumn ?? current.SortColumn, request.SortDescending ?? current.SortDescending, ct);
        }
        if (request.Shared is { } shared)
        {
            await lists.ShareAsync(userId, id, shared, ct);
        }
        var list = await lists.FindAsync(userId, id, ct);
        return Results.Ok(await DetailAsync(list!, rows, follows, ct));
    }


    private static async Task<WatchlistResponse> DetailAsync(Watchlist list, WatchlistRows rows, WatchlistFollows follows, CancellationToken ct) =>
        new(list.Id, list.Name, list.IsDefault, list.SortColumn, list.SortDescending, list.ShareToken is not null,
            (await rows.LoadAsync(list.Id, list.SortColumn, list.SortDescending, ct)).Select(ItemResponse.From).ToList(),
            list.ShareToken, list.ShareToken is null ? 0 : await follows.CountAsync(list.Id, ct));

    private static async Task<ItemResponse> ItemAsync(int id, string ticker, WatchlistRows rows, CancellationToken ct) =>
        ItemResponse.From((await rows.LoadAsync(id, WatchlistSort.Position, false, ct)).Single(r => r.Ticker.Equals(ticker.Trim(), StringComparison.OrdinalIgnoreCase)));

    private static IResult NotFound(IStringLocalizer L) =>
        Results.Problem(title: L["Not found"], detail: L["No such watchlist or item."], statusCode: StatusCodes.Status404NotFound);
}
