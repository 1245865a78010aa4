using System.Security.Cryptography;

namespace MarketWatch.Web.Infrastructure.Security;

/// <summary>
/// Content-Security-Policy with a fresh nonce per response (only our bundle and nonce-tagged scripts run),
/// plus the usual hardening headers. HSTS is added by UseHsts in Production.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceKey = "mw.csp-nonce";

    /// <summary>The nonce of this response; a Razor page puts it on any script or style tag it must inline.</summary>
    public static string GetCspNonce(this HttpContext context)
    {
        if (context.Items[NonceKey] is string nonce)
        {
            return nonce;
        }
        nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        return nonce;
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, PathString dashboardPath) =>
        app.Use(async (context, next) =>
        {
            var nonce = context.GetCspNonce();
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                // A page may ask for a stricter policy (a share link's page: no-referrer); the default otherwise.
                if (!headers.ContainsKey("Referrer-Policy"))
                {
                    headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                }
                headers.XFrameOptions = "DENY";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
                // The Hangfire dashboard ships inline scripts of its own; it is admin-only and keeps frame-ancestors.
                headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(dashboardPath)
                    ? "frame-ancestors 'none'"
                    : $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; " +
                      "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
                      "base-uri 'self'; frame-ancestors 'none'";
                return Task.CompletedTask;
            });
            await next();
        });
}
