using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>Settings of the webhook channel (section "Webhooks").</summary>
public sealed class WebhookOptions
{
    /// <summary>Lets webhooks reach loopback and private networks (and plain http): for tests and closed installations only.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>A receiver slower than this is retried later rather than holding a delivery worker.</summary>
    public int TimeoutSeconds { get; set; } = 5;
}

/// <summary>
/// Which webhook addresses users may register. Checked when the address is saved and again before each
/// delivery; the connect-time guard in <see cref="WebhookSender"/> covers what a hostname resolves to.
/// </summary>
public static class WebhookUrls
{
    public const int MaxLength = 500;

    /// <summary>Null when the address is acceptable, otherwise the resource key of the reason.</summary>
    public static string? Validate(string? url, bool allowPrivateNetworks)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "Enter the webhook address.";
        }
        if (url.Length > MaxLength)
        {
            return "The webhook address may be at most 500 characters.";
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.IsFile || uri.IsUnc)
        {
            return "The webhook address must be a full URL, such as https://example.com/hooks/marketwatch.";
        }
        if (uri.Scheme != Uri.UriSchemeHttps && !(allowPrivateNetworks && uri.Scheme == Uri.UriSchemeHttp))
        {
            return "The webhook address must be an https URL.";
        }
        if (uri.UserInfo.Length > 0)
        {
            return "The webhook address may not contain a user name or password.";
        }
        if (!allowPrivateNetworks && IsForbiddenHost(uri))
        {
            return "The webhook address may not point to a private, loopback or link-local network.";
        }
        return null;
    }

    private static bool IsForbiddenHost(Uri uri)
    {
        // IdnHost gives IPv6 literals without brackets and decimal/hex IPv4 forms already normalised by Uri.
        if (IPAddress.TryParse(uri.IdnHost, out var address))
        {
            return NetworkRanges.IsForbidden(address);
        }
        var host = uri.IdnHost.TrimEnd('.');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>The address ranges a webhook may not reach: anything that is not the public internet.</summary>
public static class NetworkRanges
{
    private static readonly IPNetwork[] Forbidden =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network", unspecified
        IPNetwork.Parse("10.0.0.0/8"),       // private
        IPNetwork.Parse("100.64.0.0/10"),    // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, cloud metadata services
        IPNetwork.Parse("172.16.0.0/12"),    // private
        IPNetwork.Parse("192.0.0.0/24"),     // IETF protocol assignments
        IPNetwork.Parse("192.168.0.0/16"),   // private
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, broadcast
        IPNetwork.Parse("::/128"),           // unspecified
        IPNetwork.Parse("::1/128"),          // loopback
        IPNetwork.Parse("fc00::/7"),         // unique local
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("fec0::/10"),        // site-local (deprecated, still routable inside some networks)
        IPNetwork.Parse("ff00::/8"),         // multicast
        IPNetwork.Parse("64:ff9b:1::/48"),   // local-use NAT64 (RFC 8215): translates into one operator's own network
        // Teredo (RFC 4380): a tunnel through a relay to a client behind NAT, addressed by an obfuscated IPv4 that is
        // only the NAT's outside address (the tunnel then reaches whatever that client is). Refused outright rather
        // than decoded: the public relays were retired years ago and no webhook receiver lives on one.
        IPNetwork.Parse("2001::/32"),
    ];

    // IPv6 forms that carry an IPv4 address which a translator or tunnel would reach: the embedded address must pass
    // the same check. The local-use NAT64 prefix is refused whole above: where its IPv4 sits depends on the
    // operator's prefix length, and it only ever leads into that operator's network.
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");          // last 4 bytes
    private static readonly IPNetwork Ipv4Compatible = IPNetwork.Parse("::/96");       // last 4 bytes (deprecated form)
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");        // bytes 2 to 5

    public static bool IsForbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (Nat64.Contains(address) || Ipv4Compatible.Contains(address))
        {
            address = new IPAddress(address.GetAddressBytes()[12..]); // :: and ::1 become 0.0.0.0/8, refused below
        }
        else if (SixToFour.Contains(address))
        {
            address = new IPAddress(address.GetAddressBytes()[2..6]);
        }
        foreach (var network in Forbidden)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>How webhook hosts are resolved before the connect-time check; a seam so tests can map a name to loopback.</summary>
public interface IWebhookHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

internal sealed class DnsWebhookHostResolver : IWebhookHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>A webhook host resolved to an address it may not reach; permanent, unlike a connection failure.</summary>
public sealed class ForbiddenWebhookAddressException(string host, IPAddress address)
    : IOException($"Webhook host '{host}' resolves to {address}, which is not a public address.");

/// <summary>
/// The headers receivers check: the signature proves the request came from this server and was not altered, the
/// timestamp (signed with it) lets them refuse a replay, and the delivery id (the outbox row's, the same on every
/// retry) lets them drop a repeat: delivery is at least once.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-MarketWatch-Signature";
    public const string TimestampHeader = "X-MarketWatch-Timestamp";
    public const string DeliveryHeader = "X-MarketWatch-Delivery";

    /// <summary>
    /// The header value: "sha256=" and the lowercase hex HMAC-SHA256, keyed with the secret's UTF-8 bytes, of
    /// "&lt;timestamp&gt;.&lt;body&gt;": the timestamp header's digits, a dot, then the exact body bytes.
    /// </summary>
    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>A fresh secret for a new webhook: 32 random bytes, base64url so it pastes cleanly into any config.</summary>
    public static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}

/// <summary>Delivers an alert to a user's webhook: a signed JSON POST naming its delivery, guarded against reaching internal networks.</summary>
public sealed class WebhookSender(IHttpClientFactory clients, IOptionsMonitor<WebhookOptions> options, TimeProvider clock)
{
    public const string HttpClientName = "Webhooks";
    public const string UserAgent = "MarketWatch-Webhooks/1.0";

    /// <param name="deliveryId">The outbox row's id: sent as <see cref="WebhookSignature.DeliveryHeader"/>, the same on every retry.</param>
    public async Task<ChannelResult> SendAsync(string url, string secret, string jsonBody, long deliveryId, CancellationToken ct)
    {
        var settings = options.CurrentValue;
        if (WebhookUrls.Validate(url, settings.AllowPrivateNetworks) is { } problem)
        {
            return ChannelResult.Failed(problem);
        }

        var body = Encoding.UTF8.GetBytes(jsonBody);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(body)
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } },
            },
        };
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.Add(WebhookSignature.DeliveryHeader, deliveryId.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Compute(secret, timestamp, body));
        request.Headers.UserAgent.ParseAdd(UserAgent);

        var http = clients.CreateClient(HttpClientName);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            return (status switch
            {
                >= 200 and < 300 => ChannelResult.Sent("The webhook answered {0}.", status),
                408 or 429 or >= 500 => ChannelResult.Retry("The webhook answered {0}; it will be tried again.", status),
                >= 300 and < 400 => ChannelResult.Failed("The webhook answered with a redirect ({0}); redirects are not followed.", status),
                _ => ChannelResult.Failed("The webhook refused the request ({0}).", status),
            }) with { Cause = "HTTP " + status.ToString(CultureInfo.InvariantCulture) };
        }
        catch (HttpRequestException ex) when (IsForbiddenAddress(ex))
        {
            return ChannelResult.Failed("The webhook address may not point to a private, loopback or link-local network.") with { Cause = "forbidden address" };
        }
        catch (HttpRequestException ex)
        {
            return ChannelResult.Retry("The webhook could not be reached; it will be tried again.") with { Cause = NetworkErrorKind(ex) };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // HttpClient.Timeout surfaces as a cancellation nobody asked for.
            return ChannelResult.Retry("The webhook did not answer within {0} seconds; it will be tried again.", settings.TimeoutSeconds) with { Cause = "timeout" };
        }
    }

    /// <summary>The kind of network failure for the log, e.g. "ConnectionError (ConnectionRefused)": no stack trace, no URL.</summary>
    private static string NetworkErrorKind(HttpRequestException ex)
    {
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return $"{ex.HttpRequestError} ({socket.SocketErrorCode})";
            }
        }
        return ex.HttpRequestError.ToString();
    }

    private static bool IsForbiddenAddress(Exception ex)
    {
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is ForbiddenWebhookAddressException)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The handler of the webhook HttpClient. It resolves the host itself, checks every address and connects to
    /// the checked one, so a name that resolves (or re-resolves) to an internal address cannot slip past
    /// <see cref="WebhookUrls.Validate"/>. No proxy (the check would then be about the proxy), no redirects
    /// (a public receiver could bounce the request inward), no cookies.
    /// </summary>
    /// <summary>
    /// The guarded handler for requests to addresses users give (webhooks, push endpoints): it resolves the host itself
    /// and connects only to an address it checked, so DNS cannot point a request at an internal service.
    /// </summary>
    internal static SocketsHttpHandler CreateHandler(Func<bool> allowPrivateNetworks, IWebhookHostResolver resolver) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = await resolver.ResolveAsync(host, cancellationToken);
            if (!allowPrivateNetworks())
            {
                // All of them, not just the one used: a name that mixes public and internal records is refused.
                foreach (var address in addresses)
                {
                    if (NetworkRanges.IsForbidden(address))
                    {
                        throw new ForbiddenWebhookAddressException(host, address);
                    }
                }
            }
            return await ConnectAsync(host, addresses, context.DnsEndPoint.Port, cancellationToken);
        },
    };

    private static async Task<Stream> ConnectAsync(string host, IPAddress[] addresses, int port, CancellationToken cancellationToken)
    {
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last ?? new SocketException((int)SocketError.HostNotFound, $"'{host}' has no address");
    }
}
