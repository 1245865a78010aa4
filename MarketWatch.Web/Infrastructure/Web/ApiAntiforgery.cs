using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>
/// A state-changing <c>/api</c> request (POST, PUT, PATCH, DELETE) authenticated by the browser's sign-in cookie must
/// carry the antiforgery token in the <c>RequestVerificationToken</c> header, as htmx and the app's own scripts send
/// it; without it the answer is 403 problem+json and nothing runs. A cross-site page can make the browser send the
/// cookie (a form or a "simple" fetch with a text/plain body, no preflight), never the header. Requests with a bearer
/// token are not touched: a token is never sent by the browser on its own. One middleware for every /api route,
/// rather than a filter per route group, so an endpoint added later cannot miss it.
/// </summary>
public static class ApiAntiforgery
{
    public const string HeaderName = "RequestVerificationToken";

    public static IApplicationBuilder UseApiAntiforgery(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (NeedsToken(context) && !await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
            {
                var L = context.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
                await Results.Problem(title: L["Forbidden"], statusCode: StatusCodes.Status403Forbidden,
                    detail: L["This request came with your sign-in cookie but without the page's anti-forgery token. Reload the page and try again, or call the API with a bearer token."])
                    .ExecuteAsync(context);
                return;
            }
            await next(context);
        });

    private static bool NeedsToken(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api")
        && !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
             || HttpMethods.IsOptions(context.Request.Method) || HttpMethods.IsTrace(context.Request.Method))
        && context.User.Identity is { IsAuthenticated: true, AuthenticationType: var scheme } && scheme == IdentityConstants.ApplicationScheme;
}
