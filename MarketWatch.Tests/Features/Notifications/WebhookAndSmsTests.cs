using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Notifications;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MarketWatch.Tests.Features.Notifications;

/// <summary>
/// The webhook and SMS channels against real HTTP servers on 127.0.0.1: what a receiver gets, how each answer
/// maps to an outcome, and that webhooks cannot be aimed at internal networks, by address or by name.
/// </summary>
public sealed class WebhookAndSmsTests
{
    private const string PrivateNetwork = "The webhook address may not point to a private, loopback or link-local network.";
    private const string Secret = "whsec-test-secret";
    // Non-ASCII on purpose: the signature covers the UTF-8 bytes, not the characters.
    private const string Json = """{"symbol":"IAM","name":"Maroc Telecom","price":"123,45 د.م.","note":"hausse de 5 %"}""";

    private sealed record WebhookRequest(string PathAndQuery, byte[] Body, string? Signature, string? Timestamp, string? Delivery, string? ContentType, string? UserAgent);

    private sealed record TwilioRequest(string Path, string? Authorization, Dictionary<string, string> Form);

    private readonly ConcurrentQueue<WebhookRequest> _webhookRequests = new();
    private readonly ConcurrentQueue<TwilioRequest> _twilioRequests = new();
    private LoopbackHttpServer _receiver = null!;
    private LoopbackHttpServer _twilio = null!;

    [OneTimeSetUp]
    public async Task StartServersAsync()
    {
        _receiver = await LoopbackHttpServer.StartAsync(ReceiveWebhookAsync);
        _twilio = await LoopbackHttpServer.StartAsync(FakeTwilioAsync);
    }

    [OneTimeTearDown]
    public async Task StopServersAsync()
    {
        await _receiver.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    /// <summary>A webhook receiver: keeps what it got, answers /status/{code}, hangs on /slow.</summary>
    private async Task ReceiveWebhookAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = context.Request.Headers;
        _webhookRequests.Enqueue(new WebhookRequest(
            context.Request.Path + context.Request.QueryString, body.ToArray(),
            headers["X-MarketWatch-Signature"], headers["X-MarketWatch-Timestamp"], headers["X-MarketWatch-Delivery"], headers.ContentType, headers.UserAgent));

        var segments = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["status", var code, ..])
        {
            context.Response.StatusCode = int.Parse(code);
            if (context.Response.StatusCode is >= 300 and < 400)
            {
                context.Response.Headers.Location = "/followed" + context.Request.QueryString;
            }
        }
        else if (segments is ["slow", ..])
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Twilio's Messages endpoint; the "To" number picks the answer (its last three digits are the status).</summary>
    private async Task FakeTwilioAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString());
        _twilioRequests.Enqueue(new TwilioRequest(context.Request.Path.Value!, context.Request.Headers.Authorization, fields));
        var status = int.Parse(fields.GetValueOrDefault("To", "+212600000201")[^3..]);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(status switch
        {
            201 => """{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"}""",
            400 => """{"code":21211,"message":"The 'To' number is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}""",
            _ => """{"code":20500,"message":"Internal Server Error","status":500}""",
        });
    }

    /// <summary>The channels as the app registers them, on a container of their own.</summary>
    private static ServiceProvider Channels(IDictionary<string, string?> settings, IWebhookHostResolver? resolver = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddWebhookAndSmsChannels(configuration);
        if (resolver is not null)
        {
            services.AddSingleton(resolver);
        }
        return services.BuildServiceProvider();
    }

    private static ServiceProvider Webhooks(bool allowPrivateNetworks = true, int timeoutSeconds = 5, IWebhookHostResolver? resolver = null) =>
        Channels(new Dictionary<string, string?>
        {
            ["Webhooks:AllowPrivateNetworks"] = allowPrivateNetworks ? "true" : "false",
            ["Webhooks:TimeoutSeconds"] = timeoutSeconds.ToString(),
        }, resolver);

    private static Task<ChannelResult> SendWebhookAsync(ServiceProvider services, string url, string secret = Secret, long deliveryId = 4242) =>
        services.GetRequiredService<WebhookSender>().SendAsync(url, secret, Json, deliveryId, CancellationToken.None);

    private static string Unique() => Guid.NewGuid().ToString("N");

    /// <summary>Resolves the names it was given to fixed addresses, as a hostile DNS record would.</summary>
    private sealed class MappedResolver(string host, params IPAddress[] addresses) : IWebhookHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string name, CancellationToken cancellationToken) =>
            name.Equals(host, StringComparison.OrdinalIgnoreCase)
                ? Task.FromResult(addresses)
                : Dns.GetHostAddressesAsync(name, cancellationToken);
    }

    // ---- webhooks: what the receiver gets ----

    [Test]
    public async Task The_receiver_can_verify_the_signature_over_the_timestamp_and_the_bytes_it_received()
    {
        using var services = Webhooks();
        var id = Unique();
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var result = await SendWebhookAsync(services, new Uri(_receiver.Address, $"/status/200?id={id}").AbsoluteUri, deliveryId: 987654321012);

        var request = _webhookRequests.Single(r => r.PathAndQuery.EndsWith(id, StringComparison.Ordinal));
        // The receiver's side, written independently of WebhookSignature: HMAC-SHA256 keyed with the secret's UTF-8 bytes,
        // over the timestamp header's text, a dot, and the body's bytes.
        string Expected(string secret, string timestamp) => "sha256=" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.ASCII.GetBytes(timestamp + ".").Concat(request.Body).ToArray())).ToLowerInvariant();
        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(ChannelOutcome.Sent));
            Assert.That((result.Detail.Key, result.Detail.Args), Is.EqualTo(("The webhook answered {0}.", new object[] { 200 })));
            Assert.That(request.Body, Is.EqualTo(Encoding.UTF8.GetBytes(Json)));
            Assert.That(request.Delivery, Is.EqualTo("987654321012"), "the outbox row's id: the receiver's key to drop a repeat");
            Assert.That(request.Signature, Is.EqualTo(Expected(Secret, request.Timestamp!)));
            Assert.That(request.Signature, Is.Not.EqualTo(Expected(Secret + "x", request.Timestamp!)), "another secret gives another signature");
            Assert.That(request.Signature, Is.Not.EqualTo(Expected(Secret, (long.Parse(request.Timestamp!) - 600).ToString())),
                "a replay with an older timestamp does not verify");
            Assert.That(request.Signature, Does.Match("^sha256=[0-9a-f]{64}$"));
            Assert.That(WebhookSignature.Compute(Secret, long.Parse(request.Timestamp!), request.Body), Is.EqualTo(request.Signature));
            Assert.That(long.Parse(request.Timestamp!), Is.InRange(before, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
            Assert.That(request.ContentType, Is.EqualTo("application/json; charset=utf-8"));
            Assert.That(request.UserAgent, Is.EqualTo("MarketWatch-Webhooks/1.0"));
        });
    }

    [Test]
    public void New_secrets_are_32_random_bytes_in_base64url()
    {
        var first = WebhookSignature.NewSecret();
        Assert.Multiple(() =>
        {
            Assert.That(first, Does.Match("^[A-Za-z0-9_-]{43}$"));
            Assert.That(WebhookSignature.NewSecret(), Is.Not.EqualTo(first));
        });
    }

    // ---- webhooks: answers and outcomes ----

    [TestCase(200, ChannelOutcome.Sent)]
    [TestCase(204, ChannelOutcome.Sent)]
    [TestCase(408, ChannelOutcome.Retry)]
    [TestCase(429, ChannelOutcome.Retry)]
    [TestCase(500, ChannelOutcome.Retry)]
    [TestCase(503, ChannelOutcome.Retry)]
    [TestCase(400, ChannelOutcome.Failed)]
    [TestCase(401, ChannelOutcome.Failed)]
    [TestCase(404, ChannelOutcome.Failed)]
    [TestCase(410, ChannelOutcome.Failed)]
    [TestCase(302, ChannelOutcome.Failed)]
    public async Task Each_answer_maps_to_an_outcome(int status, ChannelOutcome expected)
    {
        using var services = Webhooks();
        var id = Unique();

        var result = await SendWebhookAsync(services, new Uri(_receiver.Address, $"/status/{status}?id={id}").AbsoluteUri);

        Assert.That(result.Outcome, Is.EqualTo(expected), result.Detail.ToString());
        Assert.That(result.Detail.Args, Is.EqualTo(new object[] { status }));
        Assert.That(_webhookRequests.Where(r => r.PathAndQuery.EndsWith(id, StringComparison.Ordinal)).Select(r => r.PathAndQuery),
            Is.EqualTo(new[] { $"/status/{status}?id={id}" }), "one request, and a redirect is not followed");
    }

    [Test]
    public async Task A_receiver_slower_than_the_timeout_is_retried_later()
    {
        using var services = Webhooks(timeoutSeconds: 1);
        var clock = Stopwatch.StartNew();

        var result = await SendWebhookAsync(services, new Uri(_receiver.Address, "/slow").AbsoluteUri);

        Assert.That(result.Outcome, Is.EqualTo(ChannelOutcome.Retry));
        Assert.That((result.Detail.Key, result.Detail.Args), Is.EqualTo(("The webhook did not answer within {0} seconds; it will be tried again.", new object[] { 1 })));
        Assert.That(clock.Elapsed, Is.InRange(TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(3)));
    }

    [Test]
    public void The_default_timeout_is_five_seconds_and_private_networks_are_refused()
    {
        var defaults = new WebhookOptions();
        Assert.That((defaults.TimeoutSeconds, defaults.AllowPrivateNetworks), Is.EqualTo((5, false)));
    }

    [TestCase("0")]
    [TestCase("600")]
    public void A_timeout_outside_one_to_sixty_seconds_is_a_configuration_error(string seconds)
    {
        using var services = Channels(new Dictionary<string, string?> { ["Webhooks:TimeoutSeconds"] = seconds });
        // ValidateOnStart makes this the app's start-up failure, not the first alert's.
        Assert.That(() => services.GetRequiredService<IOptions<WebhookOptions>>().Value, Throws.TypeOf<OptionsValidationException>());
    }

    [Test]
    public async Task A_receiver_that_is_down_is_retried_later()
    {
        using var services = Webhooks();

        var result = await SendWebhookAsync(services, $"http://127.0.0.1:{Ports.Free()}/hook");

        Assert.That(result.Outcome, Is.EqualTo(ChannelOutcome.Retry));
        Assert.That(result.Detail.Key, Is.EqualTo("The webhook could not be reached; it will be tried again."));
    }

    // ---- webhooks: no way into internal networks ----

    [TestCase("https://127.0.0.1/hook")]
    [TestCase("https://localhost/hook")]
    [TestCase("https://localhost./hook")]
    public async Task Loopback_addresses_are_refused_when_saved_and_when_sent(string url)
    {
        using var services = Webhooks(allowPrivateNetworks: false);

        var result = await SendWebhookAsync(services, url);

        Assert.That(WebhookUrls.Validate(url, allowPrivateNetworks: false), Is.EqualTo(PrivateNetwork));
        Assert.That((result.Outcome, result.Detail.Key), Is.EqualTo((ChannelOutcome.Failed, PrivateNetwork)));
    }

    [Test]
    public async Task A_public_looking_name_that_resolves_to_loopback_is_refused_at_connect_time()
    {
        const string host = "hooks.example.test";
        var resolver = new MappedResolver(host, IPAddress.Loopback);
        var url = $"https://{host}:{_receiver.Port}/status/200";
        Assert.That(WebhookUrls.Validate(url, allowPrivateNetworks: false), Is.Null, "the name itself looks public");

        using var guarded = Webhooks(allowPrivateNetworks: false, resolver: resolver);
        var refused = await SendWebhookAsync(guarded, url);

        // Only the connect callback can give this answer: a connection to the plain-http receiver would fail its TLS handshake (Retry).
        Assert.That((refused.Outcome, refused.Detail.Key), Is.EqualTo((ChannelOutcome.Failed, PrivateNetwork)));

        // The same mapping with private networks allowed does reach the receiver, so the refusal above was the guard.
        using var open = Webhooks(allowPrivateNetworks: true, resolver: resolver);
        var id = Unique();
        var sent = await SendWebhookAsync(open, $"http://{host}:{_receiver.Port}/status/200?id={id}");
        Assert.That(sent.Outcome, Is.EqualTo(ChannelOutcome.Sent));
        Assert.That(_webhookRequests.Count(r => r.PathAndQuery.EndsWith(id, StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [TestCase("10.0.0.7")]
    [TestCase("::ffff:127.0.0.1")]
    [TestCase("::1")]
    [TestCase("169.254.169.254")]
    public async Task A_name_with_any_internal_record_is_refused_at_connect_time(string internalAddress)
    {
        const string host = "mixed.example.test";
        using var services = Webhooks(allowPrivateNetworks: false,
            resolver: new MappedResolver(host, IPAddress.Parse("203.0.113.10"), IPAddress.Parse(internalAddress)));

        var result = await SendWebhookAsync(services, $"https://{host}/hook");

        Assert.That((result.Outcome, result.Detail.Key), Is.EqualTo((ChannelOutcome.Failed, PrivateNetwork)));
    }

    [TestCase("https://example.com/hooks/marketwatch", null)]
    [TestCase("https://example.com:8443/h?x=1", null)]
    [TestCase("https://93.184.216.34/h", null)]
    [TestCase("https://[2606:4700:4700::1111]/h", null)]
    [TestCase("https://172.15.255.255/h", null)]
    [TestCase("https://172.32.0.1/h", null)]
    [TestCase("https://100.63.255.255/h", null)]
    [TestCase("https://100.128.0.1/h", null)]
    [TestCase("https://10.0.0.1/h", PrivateNetwork)]
    [TestCase("https://10.255.255.255/h", PrivateNetwork)]
    [TestCase("https://172.16.0.1/h", PrivateNetwork)]
    [TestCase("https://172.31.255.254/h", PrivateNetwork)]
    [TestCase("https://192.168.1.1/h", PrivateNetwork)]
    [TestCase("https://169.254.169.254/latest/meta-data", PrivateNetwork)]
    [TestCase("https://127.0.0.1/h", PrivateNetwork)]
    [TestCase("https://127.8.9.10:8443/h", PrivateNetwork)]
    [TestCase("https://2130706433/h", PrivateNetwork)]
    [TestCase("https://0x7f.0.0.1/h", PrivateNetwork)]
    [TestCase("https://0.0.0.0/h", PrivateNetwork)]
    [TestCase("https://100.64.0.1/h", PrivateNetwork)]
    [TestCase("https://100.127.255.254/h", PrivateNetwork)]
    [TestCase("https://224.0.0.1/h", PrivateNetwork)]
    [TestCase("https://[::1]/h", PrivateNetwork)]
    [TestCase("https://[::]/h", PrivateNetwork)]
    [TestCase("https://[fc00::1]/h", PrivateNetwork)]
    [TestCase("https://[fd12:3456:789a::1]/h", PrivateNetwork)]
    [TestCase("https://[fe80::1]/h", PrivateNetwork)]
    [TestCase("https://[ff02::1]/h", PrivateNetwork)]
    [TestCase("https://[::ffff:10.0.0.1]/h", PrivateNetwork)]
    [TestCase("https://[::ffff:127.0.0.1]/h", PrivateNetwork)]
    [TestCase("https://[::ffff:192.168.0.1]/h", PrivateNetwork)]
    [TestCase("https://[64:ff9b::10.0.0.1]/h", PrivateNetwork)]
    [TestCase("https://localhost/h", PrivateNetwork)]
    [TestCase("https://LOCALHOST./h", PrivateNetwork)]
    [TestCase("https://api.localhost/h", PrivateNetwork)]
    [TestCase("http://example.com/h", "The webhook address must be an https URL.")]
    [TestCase("ftp://example.com/h", "The webhook address must be an https URL.")]
    [TestCase("https://user:secret@example.com/h", "The webhook address may not contain a user name or password.")]
    [TestCase("https://user@example.com/h", "The webhook address may not contain a user name or password.")]
    [TestCase("/hooks/marketwatch", "The webhook address must be a full URL, such as https://example.com/hooks/marketwatch.")]
    [TestCase("example.com/hook", "The webhook address must be a full URL, such as https://example.com/hooks/marketwatch.")]
    [TestCase("", "Enter the webhook address.")]
    [TestCase(null, "Enter the webhook address.")]
    public void Webhook_addresses_are_checked(string? url, string? expected)
    {
        Assert.That(WebhookUrls.Validate(url, allowPrivateNetworks: false), Is.EqualTo(expected));
    }

    [Test]
    public void Webhook_addresses_are_at_most_500_characters()
    {
        var url = "https://example.com/" + new string('a', 480);
        Assert.That(WebhookUrls.Validate(url, allowPrivateNetworks: false), Is.Null);
        Assert.That(WebhookUrls.Validate(url + "a", allowPrivateNetworks: false), Is.EqualTo("The webhook address may be at most 500 characters."));
    }

    [TestCase("http://127.0.0.1:5000/h")]
    [TestCase("http://localhost/h")]
    [TestCase("https://[::1]/h")]
    [TestCase("https://10.0.0.1/h")]
    public void Private_networks_and_plain_http_are_allowed_when_configured(string url)
    {
        Assert.That(WebhookUrls.Validate(url, allowPrivateNetworks: true), Is.Null);
    }

    [Test]
    public void User_info_is_refused_even_when_private_networks_are_allowed()
    {
        Assert.That(WebhookUrls.Validate("http://user:pw@127.0.0.1/h", allowPrivateNetworks: true),
            Is.EqualTo("The webhook address may not contain a user name or password."));
    }

    // ---- SMS through Twilio ----

    private Dictionary<string, string?> TwilioSettings(string? messagingServiceSid = null) => new()
    {
        ["Twilio:AccountSid"] = "AC0123456789abcdef0123456789abcdef",
        ["Twilio:AuthToken"] = "auth-token-of-the-test",
        ["Twilio:FromNumber"] = messagingServiceSid is null ? "+15005550006" : null,
        ["Twilio:MessagingServiceSid"] = messagingServiceSid,
        ["Twilio:BaseUrl"] = _twilio.Address.AbsoluteUri,
    };

    private static Task<ChannelResult> SendSmsAsync(ServiceProvider services, string to, string body = "IAM a franchi 123,45 MAD") =>
        services.GetRequiredService<SmsSender>().SendAsync(to, body, CancellationToken.None);

    [Test]
    public async Task Twilio_gets_the_message_with_basic_auth_and_the_form_fields()
    {
        using var services = Channels(TwilioSettings());
        var body = $"IAM a franchi 123,45 MAD ({Unique()})";

        var result = await SendSmsAsync(services, "+212600000201", body);

        var request = _twilioRequests.Single(r => r.Form.GetValueOrDefault("Body") == body);
        Assert.Multiple(() =>
        {
            Assert.That(services.GetRequiredService<SmsSender>().Enabled, Is.True);
            Assert.That((result.Outcome, result.Detail.Key), Is.EqualTo((ChannelOutcome.Sent, "Twilio accepted the message.")));
            Assert.That(request.Path, Is.EqualTo("/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"));
            Assert.That(request.Authorization, Does.StartWith("Basic "));
            Assert.That(Encoding.UTF8.GetString(Convert.FromBase64String(request.Authorization!["Basic ".Length..])),
                Is.EqualTo("AC0123456789abcdef0123456789abcdef:auth-token-of-the-test"));
            Assert.That(request.Form, Is.EquivalentTo(new Dictionary<string, string>
            {
                ["To"] = "+212600000201",
                ["Body"] = body,
                ["From"] = "+15005550006",
            }));
        });
    }

    [Test]
    public async Task A_messaging_service_replaces_the_from_number()
    {
        using var services = Channels(TwilioSettings(messagingServiceSid: "MG0123456789abcdef0123456789abcdef"));
        var body = $"Alerte ({Unique()})";

        var result = await SendSmsAsync(services, "+212600000201", body);

        var form = _twilioRequests.Single(r => r.Form.GetValueOrDefault("Body") == body).Form;
        Assert.That(result.Outcome, Is.EqualTo(ChannelOutcome.Sent));
        Assert.That(form.GetValueOrDefault("MessagingServiceSid"), Is.EqualTo("MG0123456789abcdef0123456789abcdef"));
        Assert.That(form.ContainsKey("From"), Is.False);
    }

    [Test]
    public async Task A_refused_number_fails_with_twilios_error_code()
    {
        using var services = Channels(TwilioSettings());

        var result = await SendSmsAsync(services, "+212600000400");

        Assert.That(result.Outcome, Is.EqualTo(ChannelOutcome.Failed));
        Assert.That((result.Detail.Key, result.Detail.Args), Is.EqualTo(("Twilio refused the message (error {0}).", new object[] { 21211 })));
    }

    [TestCase("+212600000503")]
    [TestCase("+212600000500")]
    [TestCase("+212600000429")]
    public async Task Twilio_overloaded_or_failing_means_retry(string to)
    {
        using var services = Channels(TwilioSettings());

        var result = await SendSmsAsync(services, to);

        Assert.That(result.Outcome, Is.EqualTo(ChannelOutcome.Retry));
        Assert.That((result.Detail.Key, result.Detail.Args), Is.EqualTo(("Twilio answered {0}; the message will be tried again.", new object[] { int.Parse(to[^3..]) })));
    }

    [Test]
    public async Task Twilio_unreachable_means_retry()
    {
        var settings = TwilioSettings();
        settings["Twilio:BaseUrl"] = $"http://127.0.0.1:{Ports.Free()}";
        using var services = Channels(settings);

        var result = await SendSmsAsync(services, "+212600000201");

        Assert.That((result.Outcome, result.Detail.Key), Is.EqualTo((ChannelOutcome.Retry, "Twilio could not be reached; the message will be tried again.")));
    }

    [Test]
    public async Task Without_twilio_settings_sms_is_skipped_and_nothing_is_sent()
    {
        var settings = TwilioSettings();
        settings["Twilio:FromNumber"] = null;
        var count = _twilioRequests.Count;
        using var services = Channels(settings);

        var result = await SendSmsAsync(services, "+212600000201");

        Assert.That(services.GetRequiredService<SmsSender>().Enabled, Is.False);
        Assert.That((result.Outcome, result.Detail.Key), Is.EqualTo((ChannelOutcome.Skipped, "SMS is not configured on this server.")));
        Assert.That(_twilioRequests, Has.Count.EqualTo(count));
    }

    [TestCase("AC1", "token", "+15005550006", null, true)]
    [TestCase("AC1", "token", null, "MG1", true)]
    [TestCase("AC1", "token", null, null, false)]
    [TestCase("AC1", null, "+15005550006", null, false)]
    [TestCase(null, "token", "+15005550006", null, false)]
    [TestCase(" ", "token", "+15005550006", null, false)]
    public void Twilio_is_enabled_only_with_credentials_and_a_sender(string? sid, string? token, string? from, string? service, bool enabled)
    {
        var options = new TwilioOptions { AccountSid = sid, AuthToken = token, FromNumber = from, MessagingServiceSid = service };
        Assert.That(options.Enabled, Is.EqualTo(enabled));
    }

    [TestCase("+212 6 12-34-56-78", "+212612345678")]
    [TestCase("+212612345678", "+212612345678")]
    [TestCase("00212612345678", "+212612345678")]
    [TestCase("0612345678", "+212612345678")]
    [TestCase("06 12 34 56 78", "+212612345678")]
    [TestCase("07.12.34.56.78", "+212712345678")]
    [TestCase("0522-12-34-56", "+212522123456")]
    [TestCase("+212 (0)6 12 34 56 78", "+212612345678")]
    [TestCase(" +33 6 12 34 56 78 ", "+33612345678")]
    [TestCase("+1 (415) 555-0100", "+14155550100")]
    [TestCase("+12345678", "+12345678")]
    [TestCase("+123456789012345", "+123456789012345")]
    [TestCase(null, null)]
    [TestCase("", null)]
    [TestCase("   ", null)]
    [TestCase("612345678", null)]
    [TestCase("0912345678", null)]
    [TestCase("061234567", null)]
    [TestCase("+0612345678", null)]
    [TestCase("+1234567", null)]
    [TestCase("+1234567890123456", null)]
    [TestCase("++212612345678", null)]
    [TestCase("212+612345678", null)]
    [TestCase("tel:+212612345678", null)]
    [TestCase("+212 6 12 34 56 7x", null)]
    [TestCase("0012", null)]
    public void Phone_numbers_are_normalized_to_e164(string? input, string? expected)
    {
        Assert.That(PhoneNumbers.Normalize(input), Is.EqualTo(expected));
    }
}
