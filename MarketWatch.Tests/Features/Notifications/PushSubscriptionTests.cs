using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Notifications;

/// <summary>The subscription side of web push: VAPID key, devices per user, and nobody else's devices.</summary>
public sealed class PushSubscriptionTests : AppTest
{
    private async Task<HttpClient> UserAsync(string prefix)
    {
        var http = Client();
        var email = NewEmail(prefix);
        await RegisterAsync(http, email);
        var login = await http.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
        return http;
    }

    private static object Subscription(string endpoint) => new
    {
        endpoint,
        keys = new { p256dh = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", auth = "tBHItJI5svbpez7KI4CCXg" },
        name = "Phone",
    };

    [Test]
    public async Task The_vapid_public_key_is_an_uncompressed_p256_point_and_stays_the_same()
    {
        var first = (await (await Client().GetAsync("/api/notifications/vapid-public-key")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey").GetString()!;
        var bytes = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(first);
        Assert.That((bytes.Length, bytes[0]), Is.EqualTo((65, (byte)0x04)));
        var second = (await (await Client().GetAsync("/api/notifications/vapid-public-key")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey").GetString();
        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public async Task Devices_are_stored_listed_and_removed_per_user()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var created = await alice.PostAsJsonAsync("/api/notifications/push-subscriptions", Subscription("https://push.example.net/send/alice-phone"));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.OK), await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        var list = await (await alice.GetAsync("/api/notifications/push-subscriptions")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(list.EnumerateArray().Select(d => (d.GetProperty("name").GetString(), d.GetProperty("endpointOrigin").GetString())),
            Is.EqualTo(new[] { ("Phone", "https://push.example.net") }));
        Assert.That((await (await bob.GetAsync("/api/notifications/push-subscriptions")).Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength(), Is.Zero);
        Assert.That((await bob.DeleteAsync($"/api/notifications/push-subscriptions/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await alice.DeleteAsync($"/api/notifications/push-subscriptions/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await (await alice.GetAsync("/api/notifications/push-subscriptions")).Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Posting_an_endpoint_another_user_registered_neither_takes_it_over_nor_reveals_it()
    {
        var alice = await UserAsync("owner");
        var mallory = await UserAsync("taker");
        const string endpoint = "https://push.example.net/send/shared-browser";
        var mine = await alice.PostAsJsonAsync("/api/notifications/push-subscriptions", Subscription(endpoint));
        var aliceId = (await mine.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        var theirs = await mallory.PostAsJsonAsync("/api/notifications/push-subscriptions", new
        {
            endpoint,
            keys = new { p256dh = "BOther-key-chosen-by-the-second-account", auth = "other-auth" },
            name = "Taken",
        });
        Assert.That(theirs.StatusCode, Is.EqualTo(HttpStatusCode.OK), await theirs.Content.ReadAsStringAsync());
        var malloryId = (await theirs.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        Assert.That(malloryId, Is.Not.EqualTo(aliceId), "the second account gets a row of its own, not the first one's");
        // Posting again updates the second account's own row: still one device each.
        Assert.That((await mallory.PostAsJsonAsync("/api/notifications/push-subscriptions", Subscription(endpoint))).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var aliceDevices = await (await alice.GetAsync("/api/notifications/push-subscriptions")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(aliceDevices.EnumerateArray().Select(d => (d.GetProperty("id").GetInt32(), d.GetProperty("name").GetString())),
            Is.EqualTo(new[] { (aliceId, "Phone") }));
        var malloryDevices = await (await mallory.GetAsync("/api/notifications/push-subscriptions")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(malloryDevices.EnumerateArray().Select(d => d.GetProperty("id").GetInt32()), Is.EqualTo(new[] { malloryId }));
        var aliceRow = await App.WithDbAsync(db => db.Set<PushSubscription>().AsNoTracking().SingleAsync(s => s.Id == aliceId));
        Assert.That((aliceRow.P256dh, aliceRow.Auth), Is.EqualTo(("BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", "tBHItJI5svbpez7KI4CCXg")),
            "the first account's keys are not replaced");

        // Removing one account's row leaves the other's.
        Assert.That((await mallory.DeleteAsync($"/api/notifications/push-subscriptions/{aliceId}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await mallory.DeleteAsync($"/api/notifications/push-subscriptions/{malloryId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await (await alice.GetAsync("/api/notifications/push-subscriptions")).Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public async Task Bad_subscriptions_are_field_errors()
    {
        var user = await UserAsync("bad");
        var response = await user.PostAsJsonAsync("/api/notifications/push-subscriptions", new { endpoint = "http://insecure.example/x", keys = new { p256dh = "", auth = "" } });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.That(errors.GetProperty("endpoint")[0].GetString(), Is.EqualTo("The push endpoint must be an https address."));
        Assert.That(errors.GetProperty("keys")[0].GetString(), Is.EqualTo("The subscription keys are missing."));
        Assert.That((await Client().PostAsJsonAsync("/api/notifications/push-subscriptions", Subscription("https://push.example.net/x"))).StatusCode,
            Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
