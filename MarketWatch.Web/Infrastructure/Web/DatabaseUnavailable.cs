using System.Globalization;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>
/// A request that failed because the database is unreachable (<see cref="DatabaseHealth.IsOutage"/>) answers 503 with
/// <c>Retry-After</c> rather than 500: browsers get a page in their language with the site's layout (it reloads itself),
/// <c>/api</c> and other clients a problem+json. Requests fail fast during an outage (<see cref="DatabaseRetryStrategy"/>).
/// </summary>
public sealed class DatabaseUnavailableHandler(
    DatabaseHealth health,
    IProblemDetailsService problems,
    FragmentRenderer renderer,
    IStringLocalizer<SharedResource> L,
    TimeProvider clock,
    ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);
    public const string PageView = "/Pages/Shared/_Unavailable.cshtml";
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(30);
    private long _loggedAt;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (!DatabaseHealth.IsOutage(exception) || http.Response.HasStarted)
        {
            return false;
        }
        health.Unreachable();
        LogNowAndThen(http, exception);
        // The exception came back up past the localization middleware, whose culture did not flow back with it.
        if (http.Features.Get<IRequestCultureFeature>() is { } requested)
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (requested.RequestCulture.Culture, requested.RequestCulture.UICulture);
        }
        var retryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = retryAfter;
        if (WantsPage(http.Request) && await TryRenderPageAsync(http))
        {
            return true;
        }
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = L["Service unavailable"],
            Detail = L["The database cannot be reached right now. Try again in a few seconds."],
            Type = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        };
        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem }))
        {
            // A client that accepts no JSON (an EventSource, say) still gets the status and Retry-After, and a body that says why.
            await http.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", cancellationToken);
        }
        return true;
    }

    /// <summary>A browser asking for a page (not the API, a stream or a health check).</summary>
    private static bool WantsPage(HttpRequest request) =>
        !request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments("/stream") && !request.Path.StartsWithSegments("/health")
        && request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    private async Task<bool> TryRenderPageAsync(HttpContext http)
    {
        try
        {
            // The layout's partials are found the way a page's are, and its links made by endpoint routing (the exception
            // handler cleared the request's endpoint and route values).
            http.SetEndpoint(http.GetEndpoint() ?? new Endpoint(null, EndpointMetadataCollection.Empty, "Database unavailable"));
            var html = await renderer.RenderAsPageAsync(http, PageView, (object?)null, "/Unavailable");
            if (HttpMethods.IsGet(http.Request.Method))
            {
                // Back by itself once the database is: the browser loads the same address again.
                http.Response.Headers["Refresh"] = "10";
            }
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(html);
            return true;
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            // The layout needs something that is not there (a key ring never loaded, say): the problem+json then.
            logger.LogWarning(ex, "Could not render the 503 page");
            http.Response.Headers.Remove("Refresh");
            return false;
        }
    }

    private void LogNowAndThen(HttpContext http, Exception exception)
    {
        var now = clock.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _loggedAt);
        if (now - last > LogEvery.Ticks && Interlocked.CompareExchange(ref _loggedAt, now, last) == last)
        {
            logger.LogWarning("The database is unreachable: answering 503 (first: {Method} {Path}: {Error}); next note in {Seconds} s",
                http.Request.Method, http.Request.Path, exception.GetBaseException().Message, LogEvery.TotalSeconds);
        }
    }
}
