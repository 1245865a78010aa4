using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace MarketWatch.Web.Infrastructure.Security;

public sealed class RateLimitOptions
{
    /// <summary>Sign-in, register and forgot-password attempts per client address per window.</summary>
    public int AuthPermitLimit { get; set; } = 20;
    public int AuthWindowSeconds { get; set; } = 60;
}

/// <summary>Throttles the endpoints people guess passwords and email addresses through.</summary>
public static class RateLimits
{
    public const string Auth = "auth";

    public static IServiceCollection AddMarketWatchRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(Auth, context =>
                // Only submissions count: showing the form again is free.
                HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                    ? RateLimitPartition.GetNoLimiter("read")
                    : RateLimitPartition.GetFixedWindowLimiter(
                        context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                        _ => new FixedWindowRateLimiterOptions
                        {
                            PermitLimit = options.AuthPermitLimit,
                            Window = TimeSpan.FromSeconds(options.AuthWindowSeconds),
                            QueueLimit = 0,
                        }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? (int)Math.Ceiling(wait.TotalSeconds)
                    : options.AuthWindowSeconds;
                var http = context.HttpContext;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                var localizer = http.RequestServices.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<SharedResource>>();
                var detail = localizer["Too many attempts. Try again in {0} seconds.", retryAfter].Value;
                await Results.Problem(
                        title: localizer["Too many requests"].Value,
                        detail: detail,
                        statusCode: StatusCodes.Status429TooManyRequests)
                    .ExecuteAsync(http);
            };
        });
        return services;
    }
}
