using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WebPushSubscription = Lib.Net.Http.WebPush.PushSubscription;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>
/// What a push notification shows. Serialized as <c>{"title","body","url","tag"}</c>, the fields the service worker's
/// push handler (wwwroot-src/sw.js) reads: <c>tag</c> lets a newer alert replace an older one on the device,
/// <c>url</c> is where a click on the notification goes.
/// </summary>
public sealed record PushPayload(string Title, string Body, string Url, string Tag);

/// <summary>Settings of section <c>WebPush</c>.</summary>
public sealed class WebPushOptions
{
    public const string Section = "WebPush";

    /// <summary>The VAPID <c>sub</c> claim: how a push service operator reaches us when our traffic misbehaves (mailto: or https:).</summary>
    public string Subject { get; set; } = "mailto:alerts@marketwatch.local";

    /// <summary>How long the push service keeps a message for a device that is offline; an alert older than this is stale.</summary>
    public int TimeToLiveSeconds { get; set; } = 3600;

    /// <summary>Price alerts are time-sensitive: high urgency asks the device to wake up for them.</summary>
    public PushMessageUrgency Urgency { get; set; } = PushMessageUrgency.High;

    /// <summary>Per request to the push service; a job retries later rather than holding a worker on a slow service.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Let endpoints on loopback/private/link-local addresses through (tests with a loopback push service only).</summary>
    public bool AllowPrivateNetworks { get; set; }
}

/// <summary>
/// Delivers a notification to every browser/device a user subscribed for web push: payload encrypted for each device
/// (aes128gcm, RFC 8291) and the request signed with the server's VAPID key (RFC 8292), through Lib.Net.Http.WebPush.
/// </summary>
public sealed class WebPushSender(
    DbContext db,
    VapidKeys vapidKeys,
    IHttpClientFactory httpClients,
    IOptions<WebPushOptions> options,
    ILogger<WebPushSender> logger)
{
    /// <summary>The named HttpClient the push service requests go through (timeout and VAPID audience handler).</summary>
    public const string HttpClientName = "WebPush";

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    private enum DeviceOutcome
    {
        Accepted,
        /// <summary>404/410: the browser unsubscribed or the subscription expired; it will never work again.</summary>
        Gone,
        Transient,
        Permanent,
    }

    /// <summary>
    /// Sends <paramref name="payload"/> to all of the user's devices. A push service error never throws: it becomes the
    /// result (and a device the service says is gone is removed). Only cancellation throws.
    /// </summary>
    public async Task<ChannelResult> SendAsync(string userId, PushPayload payload, CancellationToken ct)
    {
        var devices = await db.Set<PushSubscription>().AsNoTracking().Where(s => s.UserId == userId).OrderBy(s => s.Id).ToListAsync(ct);
        if (devices.Count == 0)
        {
            return ChannelResult.Skipped("No device is set up for push notifications.");
        }

        var settings = options.Value;
        using var vapid = CreateAuthentication(await vapidKeys.GetAsync(ct), settings);
        var client = new PushServiceClient(httpClients.CreateClient(HttpClientName))
        {
            DefaultAuthentication = vapid,
            // RFC 8292 "vapid t=…, k=…"; the library's default is the older draft's "WebPush" scheme with a Crypto-Key header.
            DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid,
            // A 429 is the alert job's to retry on its own schedule, not something to wait out while holding a worker.
            AutoRetryAfter = false,
            DefaultTimeToLive = settings.TimeToLiveSeconds,
        };
        var content = JsonSerializer.Serialize(payload, PayloadJson);

        // One device after the other: a user has a handful, and the VAPID signer is not shared across threads.
        var outcomes = new List<(PushSubscription Device, DeviceOutcome Outcome)>(devices.Count);
        foreach (var device in devices)
        {
            outcomes.Add((device, await SendToDeviceAsync(client, device, content, settings, ct)));
        }

        var gone = outcomes.Where(o => o.Outcome == DeviceOutcome.Gone).Select(o => o.Device.Id).ToList();
        if (gone.Count > 0)
        {
            await db.Set<PushSubscription>().Where(s => gone.Contains(s.Id)).ExecuteDeleteAsync(ct);
        }

        var accepted = outcomes.Count(o => o.Outcome == DeviceOutcome.Accepted);
        if (accepted > 0)
        {
            return ChannelResult.Sent("Delivered to {0} of {1} devices.", accepted, devices.Count);
        }
        if (outcomes.Any(o => o.Outcome == DeviceOutcome.Transient))
        {
            return ChannelResult.Retry("The push service could not be reached; it will be tried again.");
        }
        return gone.Count == devices.Count
            ? ChannelResult.Failed("Every device had unsubscribed from push notifications; they were removed.")
            : ChannelResult.Failed("The push service refused the notification for every device.");
    }

    private async Task<DeviceOutcome> SendToDeviceAsync(PushServiceClient client, PushSubscription device, string content, WebPushOptions settings, CancellationToken ct)
    {
        var subscription = new WebPushSubscription { Endpoint = device.Endpoint };
        subscription.SetKey(PushEncryptionKeyName.P256DH, device.P256dh);
        subscription.SetKey(PushEncryptionKeyName.Auth, device.Auth);
        var message = new PushMessage(content) { TimeToLive = settings.TimeToLiveSeconds, Urgency = settings.Urgency };
        var origin = Origin(device.Endpoint);
        try
        {
            await client.RequestPushMessageDeliveryAsync(subscription, message, ct);
            return DeviceOutcome.Accepted;
        }
        catch (PushServiceClientException e)
        {
            var outcome = e.StatusCode switch
            {
                HttpStatusCode.NotFound or HttpStatusCode.Gone => DeviceOutcome.Gone,
                HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout => DeviceOutcome.Transient,
                >= HttpStatusCode.InternalServerError => DeviceOutcome.Transient,
                _ => DeviceOutcome.Permanent,
            };
            logger.LogWarning("Push service {Origin} answered {Status} for device {DeviceId}: {Outcome}", origin, (int)e.StatusCode, device.Id, outcome);
            return outcome;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("Push service {Origin} timed out for device {DeviceId}", origin, device.Id);
            return DeviceOutcome.Transient;
        }
        catch (HttpRequestException e) when (e.InnerException is ForbiddenWebhookAddressException)
        {
            logger.LogWarning("Push endpoint of device {DeviceId} points at a private address ({Origin}); refused", device.Id, origin);
            return DeviceOutcome.Permanent;
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning(e, "Push service {Origin} unreachable for device {DeviceId}", origin, device.Id);
            return DeviceOutcome.Transient;
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            // The keys the browser gave cannot encrypt a payload (not a P-256 point, bad base64): no retry will fix them.
            logger.LogWarning(e, "Push keys of device {DeviceId} are unusable", device.Id);
            return DeviceOutcome.Permanent;
        }
    }

    /// <summary>The push service's origin, for logs: the full endpoint is a bearer capability and stays out of them.</summary>
    private static string Origin(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "(invalid endpoint)";

    internal static VapidAuthentication CreateAuthentication(VapidKey key, WebPushOptions settings) =>
        new(key.PublicKey, key.PrivateKey) { Subject = settings.Subject };
}

/// <summary>
/// Re-signs the VAPID token for the endpoint's full origin when it has a non-default port. Lib.Net.Http.WebPush 3.3.1
/// builds the <c>aud</c> claim from scheme and host only, while RFC 8292 wants the origin (RFC 6454), which includes
/// such a port; a push service that checks <c>aud</c> would refuse the shorter one.
/// </summary>
internal sealed class VapidAudienceHandler(VapidKeys vapidKeys, IOptions<WebPushOptions> options) : DelegatingHandler
{
    private const string VapidScheme = "vapid";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { IsDefaultPort: false } uri
            && string.Equals(request.Headers.Authorization?.Scheme, VapidScheme, StringComparison.OrdinalIgnoreCase))
        {
            using var vapid = WebPushSender.CreateAuthentication(await vapidKeys.GetAsync(cancellationToken), options.Value);
            request.Headers.Authorization = new AuthenticationHeaderValue(VapidScheme,
                vapid.GetVapidSchemeAuthenticationHeaderValueParameter(uri.GetLeftPart(UriPartial.Authority)));
        }
        return await base.SendAsync(request, cancellationToken);
    }
}

public static class WebPushSetup
{
    /// <summary>The web push channel: options (section <c>WebPush</c>), the named HttpClient and <see cref="WebPushSender"/>.</summary>
    public static IServiceCollection AddWebPushChannel(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WebPushOptions>(configuration.GetSection(WebPushOptions.Section));
        services.AddTransient<VapidAudienceHandler>();
        services.TryAddSingleton<IWebhookHostResolver, DnsWebhookHostResolver>();
        services.AddHttpClient(WebPushSender.HttpClientName, (provider, http) =>
                http.Timeout = TimeSpan.FromSeconds(provider.GetRequiredService<IOptions<WebPushOptions>>().Value.TimeoutSeconds))
            // A push endpoint is an address a user gave: the same guard as webhooks (no internal networks, no redirects).
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var options = provider.GetRequiredService<IOptionsMonitor<WebPushOptions>>();
                return WebhookSender.CreateHandler(() => options.CurrentValue.AllowPrivateNetworks, provider.GetRequiredService<IWebhookHostResolver>());
            })
            .AddHttpMessageHandler<VapidAudienceHandler>()
            // The endpoint's path is a bearer capability: keep it out of the request logs.
            .RemoveAllLoggers();
        services.AddScoped<WebPushSender>();
        return services;
    }
}
