using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace MarketWatch.Web.Infrastructure.Security;

/// <summary>Where the rate-limit windows are counted.</summary>
public enum RateLimitStore
{
    /// <summary>In PostgreSQL, shared by every instance on the database (the default).</summary>
    PostgreSql,
    /// <summary>In this instance's memory: N instances allow N× the limit. For a single instance that wants no round trip.</summary>
    Memory,
}

public sealed class RateLimitOptions
{
    /// <summary>Sign-in, register and forgot-password attempts per client address per window.</summary>
    public int AuthPermitLimit { get; set; } = 20;
    public int AuthWindowSeconds { get; set; } = 60;
    public RateLimitStore Store { get; set; } = RateLimitStore.PostgreSql;
}

/// <summary>
/// Throttles the endpoints people guess passwords and email addresses through, per client address (IPv6 by /64,
/// see <see cref="ClientAddress"/>), across every instance (<see cref="SharedRateLimitStore"/>).
/// </summary>
public static class RateLimits
{
    public const string Auth = "auth";

    public static IServiceCollection AddMarketWatchRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        var window = TimeSpan.FromSeconds(options.AuthWindowSeconds);
        services.AddSingleton<SharedRateLimitStore>();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(Auth, context =>
            {
                // Only submissions count: showing the form again is free.
                if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                {
                    return RateLimitPartition.GetNoLimiter("read");
                }
                var key = Auth + ":" + ClientAddress.PartitionKey(context.Connection.RemoteIpAddress);
                if (options.Store == RateLimitStore.Memory)
                {
                    return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = options.AuthPermitLimit,
                        Window = window,
                        QueueLimit = 0,
                    });
                }
                var services = context.RequestServices;
                return RateLimitPartition.Get(key, k => new SharedWindowLimiter(k, options.AuthPermitLimit, window,
                    services.GetRequiredService<SharedRateLimitStore>(), services.GetRequiredService<ILogger<SharedRateLimitStore>>(),
                    services.GetRequiredService<TimeProvider>()));
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
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
