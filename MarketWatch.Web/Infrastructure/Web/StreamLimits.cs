using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;

namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>Configuration section "Streams": how many server-sent event streams one user and one client address may hold open.</summary>
public sealed class StreamLimitOptions
{
    /// <summary>A signed-in tab holds two streams (notifications and its page's prices): 20 is ten open tabs.</summary>
    public int MaxPerUser { get; set; } = 20;

    /// <summary>
    /// Per client address (IPv6 by /64). Higher than per user: an office or a mobile carrier puts many people behind
    /// one address, and anonymous price streams have no user to count against.
    /// </summary>
    public int MaxPerIp { get; set; } = 50;

    /// <summary>The Retry-After of a refused stream.</summary>
    public int RetryAfterSeconds { get; set; } = 30;
}

/// <summary>
/// Open streams of this instance, per user and per client address. The count is per instance: behind a load
/// balancer a client may hold up to the cap on each instance.
/// </summary>
public sealed class StreamConnections
{
    private readonly Dictionary<string, int> _open = [];

    public bool TryAcquire(string key, int max)
    {
        lock (_open)
        {
            var count = _open.GetValueOrDefault(key);
            if (count >= max)
            {
                return false;
            }
            _open[key] = count + 1;
            return true;
        }
    }

    public void Release(string key)
    {
        lock (_open)
        {
            if (_open.TryGetValue(key, out var count))
            {
                if (count <= 1)
                {
                    _open.Remove(key);
                }
                else
                {
                    _open[key] = count - 1;
                }
            }
        }
    }

    public int Open(string key)
    {
        lock (_open)
        {
            return _open.GetValueOrDefault(key);
        }
    }

    public static string UserKey(string userId) => "user:" + userId;

    /// <summary>The client address; IPv6 by its /64, which one subscriber gets and can rotate addresses within.</summary>
    public static string AddressKey(IPAddress? address) => "ip:" + Security.ClientAddress.PartitionKey(address);
}

/// <summary>
/// Caps open server-sent event streams: every stream endpoint lives under /stream/, and this middleware (after
/// authentication) holds a slot per user and per client address for as long as the request runs, released when it
/// ends however it ends (client gone, shutdown, error). Over a cap: 429 with Retry-After and problem+json; the
/// browser's EventSource closes on a non-200 answer and the htmx SSE extension retries with a growing delay
/// (up to about a minute), so a refused tab comes live again once another closes.
/// </summary>
public static class StreamLimits
{
    public const string PathPrefix = "/stream";

    public static IServiceCollection AddStreamLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<StreamLimitOptions>(configuration.GetSection("Streams"));
        services.AddSingleton<StreamConnections>();
        return services;
    }

    public static IApplicationBuilder UseStreamLimits(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            if (!http.Request.Path.StartsWithSegments(PathPrefix))
            {
                await next(http);
                return;
            }
            var options = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<StreamLimitOptions>>().CurrentValue;
            var connections = http.RequestServices.GetRequiredService<StreamConnections>();
            var userId = http.User.Identity?.IsAuthenticated == true ? http.User.FindFirstValue(ClaimTypes.NameIdentifier) : null;
            var userKey = userId is null ? null : StreamConnections.UserKey(userId);
            var addressKey = StreamConnections.AddressKey(http.Connection.RemoteIpAddress);
            if (userKey is not null && !connections.TryAcquire(userKey, options.MaxPerUser))
            {
                await RefuseAsync(http, options, perUser: true);
                return;
            }
            if (!connections.TryAcquire(addressKey, options.MaxPerIp))
            {
                if (userKey is not null)
                {
                    connections.Release(userKey);
                }
                await RefuseAsync(http, options, perUser: false);
                return;
            }
            try
            {
                await next(http);
            }
            finally
            {
                connections.Release(addressKey);
                if (userKey is not null)
                {
                    connections.Release(userKey);
                }
            }
        });

    private static async Task RefuseAsync(HttpContext http, StreamLimitOptions options, bool perUser)
    {
        var L = http.RequestServices.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<SharedResource>>();
        http.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        var detail = perUser
            ? L["You have {0} live connections open (tabs showing prices or notifications). Close a tab; this one reconnects by itself.", options.MaxPerUser]
            : L["Too many live connections from your network ({0}). Close a tab; this one reconnects by itself.", options.MaxPerIp];
        await Results.Problem(title: L["Too many live connections"].Value, detail: detail.Value, statusCode: StatusCodes.Status429TooManyRequests)
            .ExecuteAsync(http);
    }
}
