using System.Security.Cryptography;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Notifications;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PushSubscription = MarketWatch.Web.Features.Notifications.PushSubscription;
using WebPushSubscription = Lib.Net.Http.WebPush.PushSubscription;

namespace MarketWatch.Tests.Features.Notifications;

/// <summary>
/// Web push delivery against a real push service on loopback that verifies the VAPID token and decrypts the payload,
/// so a test passes only if a browser's push service would have accepted the request.
/// </summary>
public sealed class WebPushDeliveryTests : AppTest
{
    private readonly PushServiceTestServer _push = new();
    private string _vapidPublicKey = "";

    private static readonly PushPayload Alert = new("ATW above 600 MAD", "Attijariwafa Bank traded at 601.50 MAD.", "/alerts/42", "alert-42");

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["WebPush:Subject"] = "mailto:ops@marketwatch.test",
        ["WebPush:TimeoutSeconds"] = "2",
        // The loopback push service is on 127.0.0.1, which production refuses (see PushEndpointGuardTests).
        ["WebPush:AllowPrivateNetworks"] = "true",
    };


    [OneTimeSetUp]
    public async Task StartPushServiceAsync()
    {
        await _push.StartAsync();
        _vapidPublicKey = (await App.Services.GetRequiredService<VapidKeys>().GetAsync(CancellationToken.None)).PublicKey;
        _push.ExpectedVapidKey = _vapidPublicKey;
    }

    [OneTimeTearDown]
    public async Task StopPushServiceAsync() => await _push.DisposeAsync();

    private async Task<string> NewUserAsync()
    {
        var email = NewEmail("push");
        await RegisterAsync(Client(), email);
        return (await App.FindUserAsync(email))!.Id;
    }

    /// <summary>Stored directly: the API only takes https endpoints, the loopback service is http.</summary>
    private async Task<PushServiceTestServer.TestDevice> DeviceAsync(string userId, string? auth = null)
    {
        var device = _push.NewDevice();
        await App.WithDbAsync(async db =>
        {
            db.Add(new PushSubscription { UserId = userId, Endpoint = device.Endpoint, P256dh = device.P256dh, Auth = auth ?? device.Auth, Name = "Test", CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        return device;
    }

    private Task<List<string>> EndpointsOfAsync(string userId) =>
        App.WithDbAsync(db => db.Set<PushSubscription>().Where(s => s.UserId == userId).Select(s => s.Endpoint).ToListAsync());

    private async Task<ChannelResult> SendAsync(string userId, CancellationToken ct = default)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WebPushSender>().SendAsync(userId, Alert, ct);
    }

    [Test]
    public async Task A_push_reaches_the_push_service_signed_and_encrypted_with_the_payload_the_service_worker_reads()
    {
        var user = await NewUserAsync();
        var device = await DeviceAsync(user);

        var result = await SendAsync(user);

        Assert.That(_push.RejectionsOf(device), Is.Empty);
        Assert.That((result.Outcome, result.Detail.Key, result.Detail.Args), Is.EqualTo((ChannelOutcome.Sent, "Delivered to {0} of {1} devices.", new object[] { 1, 1 })));
        var delivery = _push.DeliveriesTo(device).Single();
        var json = delivery.Json;
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("title").GetString(), Is.EqualTo(Alert.Title));
            Assert.That(json.GetProperty("body").GetString(), Is.EqualTo(Alert.Body));
            Assert.That(json.GetProperty("url").GetString(), Is.EqualTo(Alert.Url));
            Assert.That(json.GetProperty("tag").GetString(), Is.EqualTo(Alert.Tag));
            Assert.That(delivery.Claims.GetProperty("sub").GetString(), Is.EqualTo("mailto:ops@marketwatch.test"));
            Assert.That(delivery.Claims.GetProperty("aud").GetString(), Is.EqualTo(_push.Origin));
            Assert.That(delivery.Ttl, Is.EqualTo("3600"));
            Assert.That(delivery.Urgency, Is.EqualTo("high"));
        });
    }

    [Test]
    public async Task Every_device_of_the_user_receives_it_and_nobody_elses()
    {
        var user = await NewUserAsync();
        var other = await NewUserAsync();
        var phone = await DeviceAsync(user);
        var laptop = await DeviceAsync(user);
        var stranger = await DeviceAsync(other);

        var result = await SendAsync(user);

        Assert.That((result.Outcome, result.Detail.Args), Is.EqualTo((ChannelOutcome.Sent, new object[] { 2, 2 })));
        Assert.That(_push.DeliveriesTo(phone).Select(d => d.Json.GetProperty("tag").GetString()), Is.EqualTo(new[] { Alert.Tag }));
        Assert.That(_push.DeliveriesTo(laptop).Select(d => d.Json.GetProperty("tag").GetString()), Is.EqualTo(new[] { Alert.Tag }));
        Assert.That(_push.DeliveriesTo(stranger), Is.Empty);
        Assert.That(_push.RejectionsOf(stranger), Is.Empty, "the other user's device was never even asked");
    }

    [TestCase(410)]
    [TestCase(404)]
    public async Task A_device_the_push_service_says_is_gone_is_removed_and_the_others_still_get_it(int status)
    {
        var user = await NewUserAsync();
        var gone = await DeviceAsync(user);
        var kept = await DeviceAsync(user);
        _push.Answer(gone, status);

        var result = await SendAsync(user);

        Assert.That((result.Outcome, result.Detail.Args), Is.EqualTo((ChannelOutcome.Sent, new object[] { 1, 2 })));
        Assert.That(_push.DeliveriesTo(kept).Count(), Is.EqualTo(1));
        Assert.That(await EndpointsOfAsync(user), Is.EqualTo(new[] { kept.Endpoint }));
    }

    [Test]
    public async Task When_every_device_is_gone_it_fails_and_they_are_all_removed()
    {
        var user = await NewUserAsync();
        _push.Answer(await DeviceAsync(user), 410);

        var result = await SendAsync(user);

        Assert.That(result.Outcome, Is.EqualTo(ChannelOutcome.Failed));
        Assert.That(await EndpointsOfAsync(user), Is.Empty);
    }

    [TestCase(500)]
    [TestCase(429)]
    public async Task A_transient_push_service_error_is_retried_later_and_keeps_the_device(int status)
    {
        var user = await NewUserAsync();
        var device = await DeviceAsync(user);
        _push.Answer(device, status);

        var result = await SendAsync(user);

        Assert.That(result.Outcome, Is.EqualTo(ChannelOutcome.Retry));
        Assert.That(await EndpointsOfAsync(user), Is.EqualTo(new[] { device.Endpoint }));
    }

    [Test]
    public async Task A_push_service_that_does_not_answer_is_retried_later()
    {
        var user = await NewUserAsync();
        _push.Hang(await DeviceAsync(user));

        var result = await SendAsync(user);

        Assert.That(result.Outcome, Is.EqualTo(ChannelOutcome.Retry));
    }

    [Test]
    public async Task Cancellation_is_not_a_delivery_outcome()
    {
        var user = await NewUserAsync();
        _push.Hang(await DeviceAsync(user));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThatAsync(() => SendAsync(user, cancel.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task A_user_without_a_device_is_skipped()
    {
        var result = await SendAsync(await NewUserAsync());

        Assert.That((result.Outcome, result.Detail.Key), Is.EqualTo((ChannelOutcome.Skipped, "No device is set up for push notifications.")));
    }

    [Test]
    public async Task A_body_encrypted_for_the_wrong_auth_secret_is_refused_and_the_push_fails()
    {
        var user = await NewUserAsync();
        var device = await DeviceAsync(user, auth: WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16)));

        var result = await SendAsync(user);

        Assert.That(result.Outcome, Is.EqualTo(ChannelOutcome.Failed));
        Assert.That(_push.RejectionsOf(device).Single().Reason, Does.StartWith("undecryptable body"));
        Assert.That(await EndpointsOfAsync(user), Has.Count.EqualTo(1), "a 400 says nothing about the device being gone");
    }

    /// <summary>The negative controls: the test service really checks the signature and the audience.</summary>
    [Test]
    public async Task The_push_service_refuses_a_token_signed_by_another_key()
    {
        var device = _push.NewDevice();
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // k is the app's public key, the signature is someone else's.
        using var forged = new VapidAuthentication(_vapidPublicKey, WebEncoders.Base64UrlEncode(stranger.ExportParameters(true).D!)) { Subject = "mailto:x@example.com" };

        var status = await SendDirectAsync(device, forged, _push.Origin);

        Assert.That(status, Is.EqualTo(401));
        Assert.That(_push.RejectionsOf(device).Single().Reason, Is.EqualTo("signature does not verify with k"));
        Assert.That(_push.DeliveriesTo(device), Is.Empty);
    }

    [Test]
    public async Task The_push_service_refuses_a_token_whose_audience_lacks_the_port()
    {
        var device = _push.NewDevice();
        var key = await App.Services.GetRequiredService<VapidKeys>().GetAsync(CancellationToken.None);
        using var vapid = new VapidAuthentication(key.PublicKey, key.PrivateKey) { Subject = "mailto:x@example.com" };

        var status = await SendDirectAsync(device, vapid, "http://127.0.0.1");

        Assert.That(status, Is.EqualTo(401));
        Assert.That(_push.RejectionsOf(device).Single().Reason, Does.StartWith("aud is http://127.0.0.1,"));
    }

    /// <summary>The library's encryption with a hand-made vapid header, bypassing the app's sender.</summary>
    private static async Task<int> SendDirectAsync(PushServiceTestServer.TestDevice device, VapidAuthentication vapid, string audience)
    {
        using var http = new HttpClient(new FixedVapidHeader(vapid, audience) { InnerHandler = new HttpClientHandler() });
        var client = new PushServiceClient(http) { DefaultAuthentication = vapid, DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid, AutoRetryAfter = false };
        var subscription = new WebPushSubscription { Endpoint = device.Endpoint };
        subscription.SetKey(PushEncryptionKeyName.P256DH, device.P256dh);
        subscription.SetKey(PushEncryptionKeyName.Auth, device.Auth);
        try
        {
            await client.RequestPushMessageDeliveryAsync(subscription, new PushMessage("{\"title\":\"forged\"}"));
            return 201;
        }
        catch (PushServiceClientException e)
        {
            return (int)e.StatusCode;
        }
    }

    private sealed class FixedVapidHeader(VapidAuthentication vapid, string audience) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new("vapid", vapid.GetVapidSchemeAuthenticationHeaderValueParameter(audience));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
