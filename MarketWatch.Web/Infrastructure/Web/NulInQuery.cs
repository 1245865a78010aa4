namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>
/// A NUL in the query string is refused with 400 before any handler runs, as Kestrel refuses one in the path and the
/// form reader one in a form body. .NET parses "5\0" as the number 5 (trailing NULs are allowed), so without this
/// <c>?id=5%00</c> reached row 5: a NUL must never name a row.
/// </summary>
public static class NulInQuery
{
    public static IApplicationBuilder UseNulInQueryRefusal(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            // Raw NUL bytes never get this far (Kestrel refuses them); "%00" is the only way one arrives.
            if (context.Request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Task.CompletedTask;
            }
            return next(context);
        });
}
