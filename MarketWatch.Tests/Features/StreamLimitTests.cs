using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features;

/// <summary>
/// Caps on open server-sent event streams (issue 12, finding 9): per signed-in user across every stream endpoint and
/// per client address for anonymous streams; over the cap a 429 with Retry-After and problem+json; a closed stream
/// frees its slot. On Kestrel, so that a closed connection is really seen by the server.
/// </summary>
[NonParallelizable]
public sealed class StreamLimitTests : AppTest
{
    private const int MaxPerUser = 3;
    private const int MaxPerIp = 5;

    protected override bool UseKestrel => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Streams:MaxPerUser"] = MaxPerUser.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Streams:MaxPerIp"] = MaxPerIp.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private readonly List<IDisposable> _open = [];

    [OneTimeSetUp]
    public async Task SeedAsync() => await Ticks.WriteAsync(App, ("ATW", 760m));

    [TearDown]
    public async Task CloseStreamsAsync()
    {
        foreach (var open in _open)
        {
            open.Dispose();
        }
        _open.Clear();
        // Every slot released before the next test counts again (all tests come from the same loopback address).
        await Eventually.TrueAsync(() => Task.FromResult(OpenFromLoopback() == 0), "every stream slot to be released");
    }

    /// <summary>Streams this instance counts for the test client's address (127.0.0.1 or ::1).</summary>
    private int OpenFromLoopback()
    {
        var connections = App.Services.GetRequiredService<StreamConnections>();
        return connections.Open(StreamConnections.AddressKey(IPAddress.Loopback)) + connections.Open(StreamConnections.AddressKey(IPAddress.IPv6Loopback));
    }

    /// <summary>Opens a stream and keeps it open (until the test ends) when it is accepted; returns the response.</summary>
    private async Task<HttpResponseMessage> OpenAsync(HttpClient client, string url)
    {
        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead);
        _open.Add(response);
        if (response.IsSuccessStatusCode)
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
            // The first event has been written: the stream is really running, not just routed.
            var sse = new SseClient(await response.Content.ReadAsStreamAsync());
            _open.Add(sse);
            await sse.WaitForAsync(_ => true, TimeSpan.FromSeconds(20));
        }
        return response;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string because)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), because);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(429));
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Too many live connections"));
    }

    /// <summary>A cookie-keeping client of the Kestrel server.</summary>
    private HttpClient KestrelClient()
    {
        var client = Client();
        client.BaseAddress = App.ServerAddress;
        return client;
    }

    private async Task<HttpClient> SignedInAsync()
    {
        var client = KestrelClient();
        var email = NewEmail("streams");
        await RegisterAsync(client, email);
        // Signed in with a bearer token (the cookie form sign-in is covered elsewhere; the user key is the same).
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Test]
    public async Task A_user_gets_at_most_MaxPerUser_streams_across_endpoints_and_a_closed_one_frees_a_slot()
    {
        var user = await SignedInAsync();
        var opened = new List<HttpResponseMessage>
        {
            await OpenAsync(user, "/stream/notifications"),
            await OpenAsync(user, "/stream/notifications"),
            await OpenAsync(user, "/stream/quotes?tickers=ATW&view=price"),
        };
        Assert.That(opened.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));

        await AssertRefusedAsync(await OpenAsync(user, "/stream/notifications"), "a fourth stream of the same user");
        await AssertRefusedAsync(await OpenAsync(user, "/stream/quotes?tickers=ATW&view=row"), "a fourth stream of the same user");

        // Another user from the same address is not refused by the first one's cap (the address cap is higher).
        var other = await SignedInAsync();
        Assert.That((await OpenAsync(other, "/stream/notifications")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // Closing one of the user's streams (the browser tab goes) frees its slot.
        opened[0].Dispose();
        await Eventually.TrueAsync(async () =>
        {
            var again = await OpenAsync(user, "/stream/notifications");
            return again.StatusCode == HttpStatusCode.OK;
        }, "a stream of the user to be accepted again after one closed");
    }

    [Test]
    public async Task An_address_gets_at_most_MaxPerIp_anonymous_streams_and_a_closed_one_frees_a_slot()
    {
        var anonymous = KestrelClient();
        var opened = new List<HttpResponseMessage>();
        for (var i = 0; i < MaxPerIp; i++)
        {
            opened.Add(await OpenAsync(anonymous, "/stream/quotes?tickers=ATW&view=row"));
        }
        Assert.That(opened.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));

        await AssertRefusedAsync(await OpenAsync(anonymous, "/stream/quotes?tickers=ATW&view=price"), "one stream more than the address cap");

        opened[^1].Dispose();
        await Eventually.TrueAsync(async () =>
            (await OpenAsync(anonymous, "/stream/quotes?tickers=ATW&view=row")).StatusCode == HttpStatusCode.OK,
            "an anonymous stream to be accepted again after one closed");
    }

    [Test]
    public async Task A_refused_stream_holds_no_slot_and_pages_are_not_counted()
    {
        var anonymous = KestrelClient();
        for (var i = 0; i < MaxPerIp; i++)
        {
            Assert.That((await OpenAsync(anonymous, "/stream/quotes?tickers=ATW&view=row")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        for (var i = 0; i < 3; i++)
        {
            await AssertRefusedAsync(await OpenAsync(anonymous, "/stream/quotes?tickers=ATW&view=row"), "over the address cap");
        }
        Assert.That(OpenFromLoopback(), Is.EqualTo(MaxPerIp));
        // Only streams count: the pages still answer.
        Assert.That((await anonymous.GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("2001:db8:1:2:aaaa::1", "2001:db8:1:2:bbbb:cccc:dddd:eeee", true)]
    [TestCase("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [TestCase("::ffff:192.0.2.7", "192.0.2.7", true)]
    [TestCase("192.0.2.7", "192.0.2.8", false)]
    public void IPv6_clients_are_grouped_by_their_64_bit_prefix(string a, string b, bool same)
    {
        var (ka, kb) = (StreamConnections.AddressKey(IPAddress.Parse(a)), StreamConnections.AddressKey(IPAddress.Parse(b)));
        Assert.That(ka == kb, Is.EqualTo(same), $"{ka} vs {kb}");
    }
}
