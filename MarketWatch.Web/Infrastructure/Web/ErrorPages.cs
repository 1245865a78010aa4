using Htmx;

namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>
/// Who gets a branded error page (404, 403, 500...) instead of a problem+json: a browser navigating to a page. The API,
/// the event streams and the health checks answer problem+json, and so does a request that asks for JSON or an htmx
/// request that swaps a fragment (htmx does not swap an error response, so a whole page would be thrown away); a boosted
/// htmx navigation is a page load and gets the page.
/// </summary>
public static class ErrorPages
{
    /// <summary>The page's route: <c>/error/404</c>. Status-code pages re-execute it for an empty error response.</summary>
    public const string RouteFormat = "/error/{0}";

    public static bool WantsPage(HttpContext http) => WantsPage(http.Request);

    public static bool WantsPage(HttpRequest request)
    {
        if (request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/stream") || request.Path.StartsWithSegments("/health"))
        {
            return false;
        }
        if (request.IsHtmx() && !request.IsHtmxBoosted())
        {
            return false;
        }
        var accept = request.GetTypedHeaders().Accept;
        return accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase))
            && !accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || a.MediaType.Equals("application/problem+json", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>What the shared error panel (<c>Pages/Shared/_ErrorPanel</c>) shows: error pages, the 503 and 400 pages, the offline page.</summary>
/// <param name="Code">The status shown large (404), or null.</param>
/// <param name="SearchOffline">The site search is shown but disabled (the offline page: it needs the network).</param>
/// <param name="RetryUrl">A "Try again" link to this address, or null.</param>
/// <param name="Search">Whether the site search is offered (not while the database, which it reads, is unreachable).</param>
public sealed record ErrorPanel(string TestId, int? Code, string Title, string Text, bool SearchOffline = false, string? RetryUrl = null, bool Search = true);
