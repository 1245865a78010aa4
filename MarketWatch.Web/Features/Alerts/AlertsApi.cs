using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Alerts;

/// <summary><c>/api/alerts</c>: the same operations as the pages, for the signed-in user's alerts only (others are 404).</summary>
public static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/alerts").WithTags("Alerts").RequireAuthorization();
        api.MapGet("/", async (AlertFilter? status, string? q, HttpContext http, AlertQueries alerts, CancellationToken ct) =>
                Results.Ok(await alerts.ListAsync(http.UserIdOf(), status ?? AlertFilter.All, q, ct)))
            .WithSummary("Your alerts, newest first; filter by status (All, Armed, Paused, Triggered, Expired) and search (ticker, name, watchlist, note).")
            .Produces<List<AlertSummary>>();
        api.MapPost("/", async (AlertInput input, HttpContext http, AlertCommands commands, AlertQueries alerts, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var change = await commands.CreateAsync(http.UserIdOf(), input, http.User.TimeZoneOf(), ct);
                return change.Errors.Count > 0 ? change.Errors.ToProblem(L)
                    : Results.Created($"/api/alerts/{change.Id}", await alerts.FindAsync(http.UserIdOf(), change.Id, ct));
            })
            .WithSummary("Create an alert on a stock (ticker) or on every stock of one of your watchlists (watchlistId); 409 when you hold the most live alerts allowed.")
            .Produces<AlertSummary>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/{id:long}", async (long id, HttpContext http, AlertQueries alerts, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await alerts.FindAsync(http.UserIdOf(), id, ct) is { } alert ? Results.Ok(alert) : NotFound(L))
            .WithSummary("One of your alerts.").Produces<AlertSummary>();
        api.MapPut("/{id:long}", async (long id, AlertInput input, HttpContext http, AlertCommands commands, AlertQueries alerts, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var change = await commands.UpdateAsync(http.UserIdOf(), id, input, http.User.TimeZoneOf(), ct);
                return !change.Found ? NotFound(L)
                    : change.Errors.Count > 0 ? change.Errors.ToProblem(L)
                    : Results.Ok(await alerts.FindAsync(http.UserIdOf(), id, ct));
            })
            .WithSummary("Replace an alert's rule; it is armed again from the current price (unless paused); 409 when re-arming it would pass your limit.")
            .Produces<AlertSummary>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        api.MapDelete("/{id:long}", async (long id, HttpContext http, AlertCommands commands, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await commands.DeleteAsync(http.UserIdOf(), id, ct) ? Results.NoContent() : NotFound(L))
            .WithSummary("Delete an alert and its history.");
        api.MapPost("/{id:long}/pause", (long id, HttpContext http, AlertCommands commands, AlertQueries alerts, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                PauseAsync(id, true, http, commands, alerts, L, ct))
            .WithSummary("Pause an armed alert.");
        api.MapPost("/{id:long}/resume", (long id, HttpContext http, AlertCommands commands, AlertQueries alerts, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                PauseAsync(id, false, http, commands, alerts, L, ct))
            .WithSummary("Resume a paused alert (an expired one stays expired: edit its expiry); 409 past your limit of live alerts.");
        api.MapPost("/{id:long}/test", async (long id, HttpContext http, AlertCommands commands, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                Tested(await commands.TestAsync(http.UserIdOf(), id, ct), http, L))
            .WithSummary("Send a sample through each of the alert's channels.");
        api.MapGet("/{id:long}/history", async (long id, HttpContext http, AlertQueries alerts, AlertHistory history, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await alerts.FindAsync(http.UserIdOf(), id, ct) is null ? NotFound(L) : Results.Ok(await history.FiringsAsync(http.UserIdOf(), id, 200, ct)))
            .WithSummary("The alert's firings, newest first, with each channel's delivery result.").Produces<List<FiringSummary>>();
        app.MapPost("/api/alerts/trigger", async (AlertSweep sweep, CancellationToken ct) => Results.Ok(await sweep.RunAsync(ct)))
            .WithTags("Alerts")
            .RequireAuthorization(AccountsSetup.AdminPolicy)
            .WithSummary("Admins: run the minute sweep now and return what it did.").Produces<SweepResult>();
        return app;
    }

    private static async Task<IResult> PauseAsync(long id, bool paused, HttpContext http, AlertCommands commands, AlertQueries alerts, IStringLocalizer L, CancellationToken ct)
    {
        var change = await commands.SetPausedAsync(http.UserIdOf(), id, paused, ct);
        return !change.Found ? NotFound(L)
            : change.Errors.Count > 0 ? change.Errors.ToProblem(L)
            : Results.Ok(await alerts.FindAsync(http.UserIdOf(), id, ct));
    }

    /// <summary>202, 404, or 429 with Retry-After when the user sent a test moments ago.</summary>
    public static IResult Tested(TestResult result, HttpContext http, IStringLocalizer L) =>
        result == TestResult.NotFound ? NotFound(L) : NotificationOutbox.Tested(result, http, L);

    private static IResult NotFound(IStringLocalizer L) =>
        Results.Problem(title: L["Not found"], detail: L["No such alert."], statusCode: StatusCodes.Status404NotFound);

}
