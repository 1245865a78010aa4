using System.Globalization;
using System.Text;
using MarketWatch.Tests.Infrastructure;

namespace MarketWatch.Tests.Features.Reliability;

/// <summary>
/// The receiver the fault tests count on refuses what it should (otherwise "nothing rejected, nothing accepted twice"
/// would prove nothing): a forged or replayed request, one without a delivery id, and a second copy of a delivery.
/// </summary>
public sealed class WebhookReceiverTests
{
    private const string Secret = "whsec-receiver-test";
    private const string Body = """{"symbol":"ATW","price":"770,00 د.م."}""";

    private WebhookReceiver _receiver = null!;
    private string _url = "";
    private readonly HttpClient _http = new();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _receiver = await WebhookReceiver.StartAsync(ports: 2);
        _url = _receiver.Register(1, Secret);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _receiver.DisposeAsync();
    }

    private async Task<int> PostAsync(string? deliveryId, DateTimeOffset time, string secret = Secret, string? signedTimestamp = null, string url = "")
    {
        var timestamp = time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var body = Encoding.UTF8.GetBytes(Body);
        using var request = new HttpRequestMessage(HttpMethod.Post, url.Length > 0 ? url : _url) { Content = new ByteArrayContent(body) };
        request.Headers.Add(WebhookReceiver.TimestampHeader, timestamp);
        request.Headers.Add(WebhookReceiver.SignatureHeader, WebhookReceiver.Sign(secret, signedTimestamp ?? timestamp, body));
        if (deliveryId is not null)
        {
            request.Headers.Add(WebhookReceiver.DeliveryHeader, deliveryId);
        }
        using var response = await _http.SendAsync(request);
        return (int)response.StatusCode;
    }

    [Test]
    public async Task A_signed_fresh_delivery_is_accepted_once_and_its_copy_answered_but_not_processed()
    {
        var id = Guid.NewGuid().ToString("N");

        Assert.That(await PostAsync(id, DateTimeOffset.UtcNow), Is.EqualTo(200));
        Assert.That(await PostAsync(id, DateTimeOffset.UtcNow), Is.EqualTo(200), "a duplicate is answered 200 so the sender stops");

        var requests = _receiver.Requests.Where(r => r.DeliveryId == id).ToList();
        Assert.That(requests.Select(r => r.Verdict), Is.EqualTo(new[] { WebhookReceiver.Verdict.Accepted, WebhookReceiver.Verdict.Duplicate }));
        Assert.That(_receiver.Accepted.Count(r => r.DeliveryId == id), Is.EqualTo(1));
        Assert.That(_receiver.Delivered.Count(r => r.DeliveryId == id), Is.EqualTo(1));
    }

    [Test]
    public async Task A_second_id_for_the_same_recipient_counts_as_a_duplicate_accepted()
    {
        var url = _receiver.Register(2, Secret);
        var before = _receiver.DuplicatesAccepted;

        await PostAsync(Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, url: url);
        await PostAsync(Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, url: url);

        Assert.That(_receiver.DuplicatesAccepted, Is.EqualTo(before + 1));
    }

    [Test]
    public async Task Forged_replayed_or_anonymous_requests_are_refused()
    {
        var now = DateTimeOffset.UtcNow;
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await PostAsync(Guid.NewGuid().ToString("N"), now, secret: "someone-else"), Is.EqualTo(401), "another secret");
            Assert.That(await PostAsync(Guid.NewGuid().ToString("N"), now, signedTimestamp: "1"), Is.EqualTo(401), "a signature over another timestamp");
            Assert.That(await PostAsync(Guid.NewGuid().ToString("N"), now.AddMinutes(-6)), Is.EqualTo(400), "a timestamp six minutes old");
            Assert.That(await PostAsync(Guid.NewGuid().ToString("N"), now.AddMinutes(6)), Is.EqualTo(400), "a timestamp six minutes ahead");
            Assert.That(await PostAsync(null, now), Is.EqualTo(400), "no delivery id");
            Assert.That(await PostAsync(Guid.NewGuid().ToString("N"), now, url: new Uri(new Uri(_url), "/hooks/404").AbsoluteUri), Is.EqualTo(404));
        });
        Assert.That(await PostAsync(Guid.NewGuid().ToString("N"), now.AddMinutes(-4)), Is.EqualTo(200), "four minutes is inside the tolerance");
    }
}
