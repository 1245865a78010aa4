using MarketWatch.Web.Infrastructure.Web;

namespace MarketWatch.Web.Host;

/// <summary>
/// Error responses: problem+json (RFC 7807, through <see cref="IProblemDetailsService"/>) for the API, the streams and
/// whoever asks for JSON; the branded page <c>/error/{code}</c> (Features/Errors) for a browser (<see cref="ErrorPages.WantsPage(HttpContext)"/>).
/// The exception handlers registered as <c>IExceptionHandler</c> (database unavailable: 503, unstorable text: 400) answer
/// first, with their own pages.
/// </summary>
public static class ErrorPagesSetup
{
    public static WebApplication UseErrorResponses(this WebApplication app)
    {
        // Outer: everyone, and the last line when rendering the page itself fails (the exception handler then rethrows).
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Inner, for browsers: the framework re-executes the pipeline on the error page, keeping the status code.
        app.UseWhen(ErrorPages.WantsPage, browser =>
        {
            browser.UseExceptionHandler(string.Format(System.Globalization.CultureInfo.InvariantCulture, ErrorPages.RouteFormat, StatusCodes.Status500InternalServerError));
            browser.UseStatusCodePagesWithReExecute(ErrorPages.RouteFormat);
        });
        return app;
    }
}
