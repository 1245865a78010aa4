using System.Net;
using System.Net.Http.Json;
using MarketWatch.Tests.Infrastructure;

namespace MarketWatch.Tests.Features.Edge;

/// <summary>Sign-in attempts from one client (as its X-Forwarded-For says), on a real Kestrel port so the peer address is real.</summary>
public abstract class SignInAttempts : AppTest
{
    protected override bool UseKestrel => true;

    protected async Task<HttpStatusCode> AttemptAsync(string forwardedFor)
    {
        using var http = new HttpClient { BaseAddress = App.ServerAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new { email = "nobody@example.com", password = "Wrong-password-1" }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return (await http.SendAsync(request)).StatusCode;
    }
}

/// <summary>Finding 12: X-Forwarded-For from a peer that is not a configured proxy is ignored (the client is the peer).</summary>
public sealed class UntrustedForwardedForTests : SignInAttempts
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["App:BehindProxy"] = "true",
        // A proxy network that is not this test's loopback peer.
        ["App:KnownNetworks"] = "10.0.0.0/8",
        ["RateLimits:AuthPermitLimit"] = "2",
        ["RateLimits:AuthWindowSeconds"] = "600",
    };

    [Test]
    public async Task A_client_writing_a_new_X_Forwarded_For_each_time_still_counts_as_one_client()
    {
        Assert.That(await AttemptAsync("203.0.113.1"), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await AttemptAsync("203.0.113.2"), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await AttemptAsync("203.0.113.3"), Is.EqualTo(HttpStatusCode.TooManyRequests));
    }
}

/// <summary>Finding 12: behind a trusted proxy (loopback, the default), IPv6 clients are limited by /64.</summary>
public sealed class TrustedForwardedForTests : SignInAttempts
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["App:BehindProxy"] = "true",
        ["RateLimits:AuthPermitLimit"] = "2",
        ["RateLimits:AuthWindowSeconds"] = "600",
    };

    [Test]
    public async Task Addresses_in_one_IPv6_64_share_a_limit_and_the_trusted_proxy_names_each_client()
    {
        Assert.That(await AttemptAsync("2001:db8:5:6::1"), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await AttemptAsync("2001:db8:5:6::2"), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await AttemptAsync("2001:db8:5:6:aaaa::3"), Is.EqualTo(HttpStatusCode.TooManyRequests), "another address of the same /64");
        Assert.That(await AttemptAsync("2001:db8:5:7::1"), Is.EqualTo(HttpStatusCode.Unauthorized), "the next /64 is another client");
        Assert.That(await AttemptAsync("198.51.100.7"), Is.EqualTo(HttpStatusCode.Unauthorized), "an IPv4 client of the proxy");
    }
}
