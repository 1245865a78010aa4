using System.Globalization;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>
/// A 400 for input the app cannot hold (<see cref="InputRule"/>): a problem+json on <c>/api</c>, <c>/stream</c> and for
/// clients that want no page, otherwise the site's page in the user's language saying what to fix.
/// </summary>
public static class BadInput
{
    public const string PageView = "/Pages/Shared/_BadInput.cshtml";

    public static async Task WriteAsync(HttpContext http, string detail)
    {
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        if (WantsPage(http.Request) && await TryRenderPageAsync(http, detail))
        {
            return;
        }
        var L = http.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Title = L["The request cannot be accepted"],
            Detail = detail,
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        };
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem }))
        {
            // A client that accepts no JSON (an EventSource, say) still gets a body that says why.
            await http.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", http.RequestAborted);
        }
    }

    /// <summary>A browser asking for a page (not the API, a stream or a health check).</summary>
    private static bool WantsPage(HttpRequest request) =>
        !request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments("/stream") && !request.Path.StartsWithSegments("/health")
        && request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    private static async Task<bool> TryRenderPageAsync(HttpContext http, string detail)
    {
        try
        {
            http.SetEndpoint(http.GetEndpoint() ?? new Endpoint(null, EndpointMetadataCollection.Empty, "Bad input"));
            var html = await http.RequestServices.GetRequiredService<FragmentRenderer>().RenderAsPageAsync(http, PageView, detail, "/BadInput");
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(html);
            return true;
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BadInput)).LogWarning(ex, "Could not render the 400 page");
            return false;
        }
    }
}

/// <summary>
/// The last line of <see cref="InputRule"/>: text that got past the edge and that PostgreSQL cannot hold (SQLSTATE 22021
/// character_not_in_repertoire, 22P05 untranslatable_character) is the client's mistake, a 400, not a 500.
/// </summary>
public sealed class UnstorableTextHandler(IStringLocalizer<SharedResource> L, ILogger<UnstorableTextHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (!InputRule.IsUnstorableText(exception) || http.Response.HasStarted)
        {
            return false;
        }
        // Reaching here means a path the edge rule does not cover: worth a note, so it can be closed at the edge.
        logger.LogWarning("PostgreSQL refused a character in {Method} {Path}: answering 400", http.Request.Method, http.Request.Path);
        // The exception came back up past the localization middleware, whose culture did not flow back with it.
        if (http.Features.Get<IRequestCultureFeature>() is { } requested)
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (requested.RequestCulture.Culture, requested.RequestCulture.UICulture);
        }
        http.Features.Set(new InputRule.Refused());
        await BadInput.WriteAsync(http, L[InputRule.Message]);
        return true;
    }
}
