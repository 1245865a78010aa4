using System.Runtime.CompilerServices;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>One screener result row. Percentages are in percent (as the filter is written); null: not enough history or no quote.</summary>
public sealed record ScreenerRowResponse(
    string Ticker, string Name, string Sector, decimal? Last, double? ChangePercent, double? PerformancePercent, long Volume, double? RelativeVolume,
    decimal? MarketCap, double? Position52Percent, double? Rsi14, double? VsSma50Percent, double? VsSma200Percent, double? Volatility1YPercent, double? Beta1Y)
{
    public static ScreenerRowResponse From(InstrumentMetrics m, Period period) => new(
        m.Ticker, m.Name, m.Sector, m.Last, Percent(Screener.Value(m, "change", period)), Percent(m.Return(period)), m.Volume, Round(m.RelativeVolume),
        m.MarketCap, Percent(m.Position52), Round(m.Rsi14), Percent(m.VsSma50), Percent(m.VsSma200), Percent(m.Volatility1Y), Round(m.Beta1Y));

    private static double? Percent(double? fraction) => fraction is { } f ? Math.Round(f * 100, 4) : null;
    private static double? Round(double? value) => value is { } v ? Math.Round(v, 4) : null;
}

/// <param name="Query">The canonical query string of the filter (without '?'): <c>/screener?{Query}</c> shows the same page.</param>
public sealed record ScreenerResponse(string Query, string Period, DateOnly Session, int Total, int Page, int Limit, int Pages, IReadOnlyList<ScreenerRowResponse> Rows);

public sealed record SaveScreenRequest(string? Name, string? Query);

/// <summary>A saved screen's new name.</summary>
public sealed record RenameScreenRequest(string? Name);

/// <param name="Query">The screen's query string (as for <c>/api/analytics/screener</c>); empty: every instrument.</param>
public sealed record AddAllRequest(int? WatchlistId, string? Query);

/// <summary>
/// <c>/api/analytics/screener</c> (anyone) and the signed-in user's saved screens and "add all to a watchlist".
/// A bad filter is a 400 problem naming each parameter and its rule; unknown parameter names are ignored.
/// </summary>
public static class ScreenerApi
{
    private static readonly ConditionalWeakTable<MetricsSnapshot, string[]> SectorsOf = new();

    /// <summary>The sectors of the snapshot's instruments, in order (computed once per snapshot).</summary>
    public static string[] Sectors(MetricsSnapshot snapshot) =>
        SectorsOf.GetValue(snapshot, s => [.. s.All.Select(m => m.Sector).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal)]);

    public static IResult Problem(IEnumerable<FieldError> errors, IStringLocalizer L)
    {
        var list = errors.ToList();
        var byField = list.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message.In(L)).ToArray());
        return Results.ValidationProblem(byField, detail: list[0].Message.In(L));
    }

    public static IEndpointRouteBuilder MapScreenerApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics").WithTags("Analytics");
        api.MapGet("/screener", async (HttpContext http, MarketMetrics metrics, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var snapshot = await metrics.CurrentAsync(ct);
                var parsed = ScreenerQuery.Parse(http.Request.Query, Sectors(snapshot), api: true);
                if (parsed.Query is not { } query)
                {
                    return Problem(parsed.Errors, L);
                }
                var result = Screener.Run(snapshot, query);
                return Results.Ok(new ScreenerResponse(query.ToQueryString(limit: true), query.Period.ToString(), result.Session, result.Total, query.Page, query.Limit,
                    result.Pages, result.Rows.Select(m => ScreenerRowResponse.From(m, query.Period)).ToList()));
            })
            .WithSummary("Screen every active instrument. Query: sector (repeatable), period=D1|W1|M1|M3|YTD|Y1|Y3 with chgMin/chgMax (%), "
                         + "priceMin/Max, volMin, relVolMin, capMin/Max (MAD), pos52Min/Max (0–100), rsiMin/Max (0–100), sma50/sma200=above|below, "
                         + "volatMin/Max (%), betaMin/Max, cols, sort, dir=asc|desc, page, limit (1–200, default 50).")
            .Produces<ScreenerResponse>().ProducesValidationProblem();

        var screens = api.MapGroup("/screens").RequireAuthorization();
        screens.MapGet("/", async (HttpContext http, ScreenerScreens saved, CancellationToken ct) => Results.Ok(await saved.ListAsync(http.UserIdOf(), ct)))
            .WithSummary("Your saved screens, by name.").Produces<List<SavedScreenView>>();
        screens.MapPost("/", async (SaveScreenRequest request, HttpContext http, ScreenerScreens saved, MarketMetrics metrics, IStringLocalizer<SharedResource> L,
                CancellationToken ct) =>
            {
                var parsed = ScreenerQuery.Parse(request.Query?.TrimStart('?'), Sectors(await metrics.CurrentAsync(ct)));
                if (parsed.Query is not { } query)
                {
                    return Problem(parsed.Errors.Select(e => e with { Field = "query" }), L);
                }
                var outcome = await saved.SaveAsync(http.UserIdOf(), request.Name, query, ct);
                return outcome.Error is { } error ? new[] { error }.ToProblem(L) : Results.Created($"/api/analytics/screens/{outcome.Value!.Id}", outcome.Value);
            })
            .WithSummary($"Save a screen: a name (1–{SavedScreen.NameMaxLength} characters, unique) and the screener's query string; {ScreenerScreens.MaxPerUser} at most.")
            .Produces<SavedScreenView>(201).ProducesValidationProblem().ProducesProblem(409);
        screens.MapPut("/{id:long}", async (long id, RenameScreenRequest request, HttpContext http, ScreenerScreens saved, IStringLocalizer<SharedResource> L,
                CancellationToken ct) =>
            {
                var outcome = await saved.RenameAsync(http.UserIdOf(), id, request.Name, ct);
                return !outcome.Found ? Results.Problem(title: L["Not found"], detail: L["No such saved screen."], statusCode: StatusCodes.Status404NotFound)
                    : outcome.Error is { } error ? new[] { error }.ToProblem(L)
                    : Results.Ok(outcome.Value);
            })
            .WithSummary($"Rename one of your saved screens (1–{SavedScreen.NameMaxLength} characters, unique whatever the case); its filter is kept.")
            .Produces<SavedScreenView>().ProducesValidationProblem().ProducesProblem(404);
        screens.MapDelete("/{id:long}", async (long id, HttpContext http, ScreenerScreens saved, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await saved.DeleteAsync(http.UserIdOf(), id, ct)
                    ? Results.NoContent()
                    : Results.Problem(title: L["Not found"], detail: L["No such saved screen."], statusCode: StatusCodes.Status404NotFound))
            .WithSummary("Delete one of your saved screens.").Produces(204).ProducesProblem(404);

        api.MapPost("/screener/watchlist", async (AddAllRequest request, HttpContext http, MarketMetrics metrics, ScreenerWatchlist adder,
                IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var snapshot = await metrics.CurrentAsync(ct);
                var parsed = ScreenerQuery.Parse(request.Query?.TrimStart('?'), Sectors(snapshot));
                if (parsed.Query is not { } query)
                {
                    return Problem(parsed.Errors.Select(e => e with { Field = "query" }), L);
                }
                var tickers = Screener.Match(snapshot, query).Select(m => m.Ticker).ToList();
                return await adder.AddAllAsync(http.UserIdOf(), request.WatchlistId, tickers, ct) is { } report
                    ? Results.Ok(report)
                    : Results.Problem(title: L["Not found"], detail: L["No such watchlist or item."], statusCode: StatusCodes.Status404NotFound);
            })
            .RequireAuthorization()
            .WithSummary("Add every result of a screen (its query string in the body; all pages) to one of your watchlists (default: your default list), up to its size limit.")
            .Produces<AddAllReport>().ProducesValidationProblem().ProducesProblem(404);
        return app;
    }
}
