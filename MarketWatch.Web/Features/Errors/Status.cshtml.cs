using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Errors;

/// <summary>
/// <c>/error/{code}</c>: the branded page a browser gets for an error response (status-code pages and the exception
/// handler re-execute it; Host/ErrorPagesSetup). It keeps the status, reads nothing from the database (a 500 may be the
/// database's), says no more than the status does, and offers the site search and a way home.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class StatusModel(IStringLocalizer<SharedResource> L) : PageModel
{
    public ErrorPanel Panel { get; private set; } = null!;

    // Re-executed requests keep their method (a POST or a DELETE that ended in a 404 shows this page too), so the page
    // is made when its handler is chosen, whichever method, rather than in OnGet.
    public override void OnPageHandlerSelected(PageHandlerSelectedContext context) =>
        Show(int.Parse((string)RouteData.Values["code"]!, System.Globalization.CultureInfo.InvariantCulture));

    private void Show(int code)
    {
        var reExecuted = HttpContext.Features.Get<IStatusCodeReExecuteFeature>();
        var failed = HttpContext.Features.Get<IExceptionHandlerPathFeature>();
        if (reExecuted is null && failed is null)
        {
            // Opened directly: the page says what its address says, with that status.
            Response.StatusCode = code;
        }
        code = Response.StatusCode;
        // The layout builds the language switch's return address from the request: the address that failed, not /error/404.
        var (path, query) = reExecuted is not null
            ? (reExecuted.OriginalPath, reExecuted.OriginalQueryString)
            : (failed?.Path ?? Request.Path.Value, Request.QueryString.Value); // the exception handler keeps the query
        if (reExecuted is not null || failed is not null)
        {
            Request.Path = path;
            Request.QueryString = new QueryString(query);
        }
        // One leading slash: "//host/x" or "/\host/x" would be a link to another site.
        var here = "/" + ((reExecuted?.OriginalPathBase ?? Request.PathBase.Value) + path + query).TrimStart('/', '\\');
        Panel = code switch
        {
            404 or 410 => new ErrorPanel("error-page", code, L["This page does not exist"], L["The address may be mistyped, or what it showed was deleted or is no longer shared. Search for an instrument or go back to the home page."]),
            401 or 403 => new ErrorPanel("error-page", code, L["Access denied"], L["Your account is not allowed to open this page."]),
            >= 500 => new ErrorPanel("error-page", code, L["Something went wrong on our side"], L["The page could not be shown. It was not your fault; try again in a moment."],
                RetryUrl: HttpMethods.IsGet(Request.Method) ? here : null),
            _ => new ErrorPanel("error-page", code, L["The request cannot be accepted"], L["Something in the request was not right. Go back and try again, or start from the home page."]),
        };
        ViewData["Title"] = Panel.Title;
    }
}
