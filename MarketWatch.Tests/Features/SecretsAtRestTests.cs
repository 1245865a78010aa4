using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Features.Alerts;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Host;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PushSubscription = MarketWatch.Web.Features.Notifications.PushSubscription;

namespace MarketWatch.Tests.Features;

/// <summary>
/// Webhook secrets, authenticator keys (with recovery codes) and the VAPID private key are stored encrypted with Data
/// Protection, and everything that uses them still works: webhook signatures verify, two-factor sign-in succeeds, push
/// is accepted. Rows written in plaintext before are converted by <c>migrate</c> and keep working.
/// </summary>
public sealed partial class SecretsAtRestTests : AppTest
{
    private readonly PushServiceTestServer _push = new();
    private WebhookReceiver _receiver = null!;
    private int _recipients;

    /// <summary>A VAPID key pair as a deployment made before encryption left it in vapid_keys: in plaintext.</summary>
    private string _legacyVapidPublic = "";
    private string _legacyVapidPrivate = "";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["App:BaseUrl"] = "https://marketwatch.example",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["WebPush:AllowPrivateNetworks"] = "true",
        ["WebPush:Subject"] = "mailto:ops@marketwatch.test",
    };

    [OneTimeSetUp]
    public async Task StartServersAndSeedLegacyVapidKeyAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        await _push.StartAsync();
        // Before the app starts (it loads and caches the key at start): the row holds the key as older versions wrote it.
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = ecdsa.ExportParameters(includePrivateParameters: true);
        _legacyVapidPublic = WebEncoders.Base64UrlEncode([0x04, .. parameters.Q.X!, .. parameters.Q.Y!]);
        _legacyVapidPrivate = WebEncoders.Base64UrlEncode(parameters.D!);
        await SqlAsync("DELETE FROM vapid_keys; INSERT INTO vapid_keys (id, public_key, private_key, created_at) VALUES (1, @public, @private, now())",
            ("public", _legacyVapidPublic), ("private", _legacyVapidPrivate));
        _push.ExpectedVapidKey = _legacyVapidPublic;
        // Started now, it loads the plaintext key as it stands (a test below replaces the row for a moment).
        _ = App.Services;
    }

    [OneTimeTearDown]
    public async Task StopServersAsync()
    {
        await _receiver.DisposeAsync();
        await _push.DisposeAsync();
    }

    [Test]
    public async Task A_webhook_secret_is_stored_encrypted_and_the_receiver_verifies_the_signature_with_the_secret_the_user_was_shown()
    {
        var user = await AlertTesting.UserAsync(this, App, Client, "webhook-secret");
        var recipient = Interlocked.Increment(ref _recipients);
        await AlertTesting.WebhookOnlyAsync(user.Api, _receiver.Register(recipient, "not yet known"));
        var secret = (await user.Api.GetFromJsonAsync<JsonElement>("/api/notifications/preferences")).GetProperty("webhookSecret").GetString()!;
        _receiver.Register(recipient, secret);

        var stored = await StoredWebhookSecretAsync(user.Id);
        Assert.That(stored, Does.StartWith(SecretsAtRest.Marker).And.Not.Contain(secret));

        var delivery = await SendWebhookTestAsync(user);
        Assert.That(delivery.Status, Is.EqualTo(DeliveryStatus.Sent), $"{delivery.DetailKey} {string.Join(", ", delivery.DetailArgs ?? [])}");
        var request = await Eventually.ValueAsync(() => Task.FromResult(_receiver.Requests.FirstOrDefault(r => r.Path == $"/hooks/{recipient}")),
            r => r is not null, "the test webhook at the receiver");
        Assert.That((request!.Verdict, request.Reason), Is.EqualTo((WebhookReceiver.Verdict.Accepted, (string?)null)), "the signature verifies with the secret shown");

        // A rotated secret is stored encrypted too, and the one returned is the one shown afterwards.
        var rotated = (await (await user.Api.PostAsync("/api/notifications/preferences/webhook-secret", null)).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("webhookSecret").GetString()!;
        Assert.That(await StoredWebhookSecretAsync(user.Id), Does.StartWith(SecretsAtRest.Marker).And.Not.Contain(rotated));
        Assert.That((await user.Api.GetFromJsonAsync<JsonElement>("/api/notifications/preferences")).GetProperty("webhookSecret").GetString(), Is.EqualTo(rotated));
    }

    [Test]
    public async Task The_authenticator_key_and_recovery_codes_are_stored_encrypted_and_two_factor_sign_in_still_works()
    {
        var client = Client();
        var email = NewEmail("totp");
        await RegisterAsync(client, email);
        await SignInAsync(client, email);
        var key = await EnableTwoFactorAsync(client);

        var tokens = await TokensAsync(email);
        Assert.That(tokens.Keys, Is.EquivalentTo(new[] { EncryptingUserStore.AuthenticatorKeyName, EncryptingUserStore.RecoveryCodesName }));
        Assert.That(tokens.Values, Has.All.StartWith(SecretsAtRest.Marker));
        Assert.That(tokens[EncryptingUserStore.AuthenticatorKeyName], Does.Not.Contain(key.Replace(" ", "").ToUpperInvariant()));

        await SignInWithCodeAsync(email, key);
    }

    [Test]
    public async Task Plaintext_secrets_from_before_are_encrypted_by_migrate_and_keep_working()
    {
        // An account with two-factor on and a webhook, as an older version stored them: key, codes and secret in plaintext.
        var user = await AlertTesting.UserAsync(this, App, Client, "legacy");
        var recipient = Interlocked.Increment(ref _recipients);
        const string legacySecret = "legacy-webhook-secret-0123456789abcdefghijkl";
        await AlertTesting.WebhookOnlyAsync(user.Api, _receiver.Register(recipient, legacySecret));
        var client = Client();
        await SignInAsync(client, user.Email);
        await EnableTwoFactorAsync(client);
        var legacyKey = Base32(RandomNumberGenerator.GetBytes(20));
        await SqlAsync("UPDATE notification_preferences SET webhook_secret = @secret WHERE user_id = @user", ("secret", legacySecret), ("user", user.Id));
        await SqlAsync("UPDATE user_tokens SET value = @key WHERE user_id = @user AND name = 'AuthenticatorKey'", ("key", legacyKey), ("user", user.Id));
        await SqlAsync("UPDATE user_tokens SET value = 'AAAAA-11111;BBBBB-22222' WHERE user_id = @user AND name = 'RecoveryCodes'", ("user", user.Id));
        Assert.That(await StoredVapidPrivateKeyAsync(), Is.EqualTo(_legacyVapidPrivate));

        await DatabaseSetup.MigrateAsync(App.Services, CancellationToken.None);
        // Idempotent: a second run finds nothing left to convert and changes nothing.
        var once = (await StoredWebhookSecretAsync(user.Id), await TokensAsync(user.Email), await StoredVapidPrivateKeyAsync());
        await DatabaseSetup.MigrateAsync(App.Services, CancellationToken.None);
        var twice = (await StoredWebhookSecretAsync(user.Id), await TokensAsync(user.Email), await StoredVapidPrivateKeyAsync());

        Assert.Multiple(() =>
        {
            Assert.That(once.Item1, Does.StartWith(SecretsAtRest.Marker).And.Not.Contain(legacySecret));
            Assert.That(once.Item2.Values, Has.All.StartWith(SecretsAtRest.Marker));
            Assert.That(once.Item2.Values, Has.None.Contain(legacyKey).And.None.Contain("AAAAA-11111"));
            Assert.That(once.Item3, Does.StartWith(SecretsAtRest.Marker).And.Not.Contain(_legacyVapidPrivate));
            Assert.That(twice.Item1, Is.EqualTo(once.Item1));
            Assert.That(twice.Item2, Is.EqualTo(once.Item2));
            Assert.That(twice.Item3, Is.EqualTo(once.Item3));
        });

        // The user keeps their two-factor: the authenticator app's code and a recovery code both still sign in.
        await SignInWithCodeAsync(user.Email, legacyKey);
        var tablet = Client();
        await SignInAsync(tablet, user.Email);
        var recovery = await PostFormAsync(tablet, "/account/login-recovery", new Dictionary<string, string> { ["Code"] = "BBBBB-22222" });
        Assert.That(recovery.Headers.Location?.ToString(), Is.EqualTo("/"), "the legacy recovery code signs in");

        // The receiver still verifies webhooks with the secret it was given.
        var delivery = await SendWebhookTestAsync(user);
        Assert.That(delivery.Status, Is.EqualTo(DeliveryStatus.Sent), $"{delivery.DetailKey} {string.Join(", ", delivery.DetailArgs ?? [])}");
        var request = await Eventually.ValueAsync(() => Task.FromResult(_receiver.Requests.FirstOrDefault(r => r.Path == $"/hooks/{recipient}")),
            r => r is not null, "the test webhook at the receiver");
        Assert.That((request!.Verdict, request.Reason), Is.EqualTo((WebhookReceiver.Verdict.Accepted, (string?)null)));

        // The VAPID key read back from the converted row is the same key, and a push service accepts what it signs.
        var reloaded = await new VapidKeys(App.Services.GetRequiredService<IServiceScopeFactory>(), App.Services.GetRequiredService<SecretsAtRest>(), TimeProvider.System)
            .GetAsync(CancellationToken.None);
        Assert.That((reloaded.PublicKey, reloaded.PrivateKey), Is.EqualTo((_legacyVapidPublic, _legacyVapidPrivate)));
        var device = _push.NewDevice();
        await App.WithDbAsync(async db =>
        {
            db.Add(new PushSubscription { UserId = user.Id, Endpoint = device.Endpoint, P256dh = device.P256dh, Auth = device.Auth, Name = "Test", CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        await using var scope = App.Services.CreateAsyncScope();
        var pushed = await scope.ServiceProvider.GetRequiredService<WebPushSender>().SendAsync(user.Id, new PushPayload("Test", "Body", "/", "t"), CancellationToken.None);
        Assert.That(_push.RejectionsOf(device), Is.Empty);
        Assert.That(pushed.Outcome, Is.EqualTo(ChannelOutcome.Sent));
        Assert.That(_push.DeliveriesTo(device).Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_new_vapid_key_is_stored_encrypted()
    {
        await SqlAsync("DELETE FROM vapid_keys");
        try
        {
            var made = await new VapidKeys(App.Services.GetRequiredService<IServiceScopeFactory>(), App.Services.GetRequiredService<SecretsAtRest>(), TimeProvider.System)
                .GetAsync(CancellationToken.None);
            var stored = await StoredVapidPrivateKeyAsync();
            Assert.That(stored, Does.StartWith(SecretsAtRest.Marker).And.Not.Contain(made.PrivateKey));
            Assert.That(WebEncoders.Base64UrlDecode(made.PrivateKey), Has.Length.EqualTo(32));
        }
        finally
        {
            // The fixture's other tests push with the legacy key the app cached at start.
            await SqlAsync("DELETE FROM vapid_keys; INSERT INTO vapid_keys (id, public_key, private_key, created_at) VALUES (1, @public, @private, now())",
                ("public", _legacyVapidPublic), ("private", _legacyVapidPrivate));
        }
    }

    /// <summary>A test notification through the webhook only, as the settings page sends it; returns the delivery once settled.</summary>
    private async Task<Delivery> SendWebhookTestAsync(AlertTesting.User user)
    {
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var sent = await scope.ServiceProvider.GetRequiredService<NotificationOutbox>().SendTestAsync(user.Id, null, [Channel.Webhook], CancellationToken.None);
            Assert.That(sent, Is.Not.EqualTo(TestResult.TooSoon));
        }
        return await Eventually.ValueAsync(
            () => App.WithDbAsync(db => db.Set<Delivery>().AsNoTracking().SingleAsync(d => d.UserId == user.Id && d.Channel == Channel.Webhook)),
            d => d.Status is DeliveryStatus.Sent or DeliveryStatus.Failed or DeliveryStatus.Skipped, "the webhook test to settle");
    }

    /// <summary>Turns two-factor on through the manage page; returns the shared key the page showed.</summary>
    private static async Task<string> EnableTwoFactorAsync(HttpClient client)
    {
        var setup = await (await client.GetAsync("/account/manage/two-factor")).Content.ReadAsStringAsync();
        var key = SharedKey().Match(setup).Groups[1].Value;
        Assert.That(key, Is.Not.Empty, "the setup page shows the key");
        var enabled = await PostFormAsync(client, "/account/manage/two-factor", new Dictionary<string, string> { ["Code"] = Totp.Code(key) }, "/account/manage/two-factor/Enable");
        Assert.That(RecoveryCode().Matches(await enabled.Content.ReadAsStringAsync()), Has.Count.EqualTo(10), "two-factor is on, recovery codes shown");
        return key;
    }

    /// <summary>A new browser: password, then the authenticator code of the next 30 s step (one not used yet).</summary>
    private async Task SignInWithCodeAsync(string email, string key)
    {
        var browser = Client();
        await SignInAsync(browser, email);
        var code = await PostFormAsync(browser, "/account/login-2fa", new Dictionary<string, string> { ["Code"] = Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30)) });
        Assert.That(code.Headers.Location?.ToString(), Is.EqualTo("/"), await code.Content.ReadAsStringAsync());
        Assert.That(await (await browser.GetAsync("/")).Content.ReadAsStringAsync(), Does.Contain("data-testid=\"welcome\""));
    }

    private Task<Dictionary<string, string>> TokensAsync(string email) =>
        App.WithDbAsync(db => db.Set<IdentityUserToken<string>>().AsNoTracking()
            .Where(t => t.LoginProvider == EncryptingUserStore.IdentityProvider
                && (t.Name == EncryptingUserStore.AuthenticatorKeyName || t.Name == EncryptingUserStore.RecoveryCodesName)
                && db.Users.Any(u => u.Id == t.UserId && u.NormalizedEmail == email.ToUpperInvariant()))
            .ToDictionaryAsync(t => t.Name, t => t.Value!));

    private Task<string?> StoredWebhookSecretAsync(string userId) =>
        App.WithDbAsync(db => db.Set<NotificationPreferences>().AsNoTracking().Where(p => p.UserId == userId).Select(p => p.WebhookSecret).SingleAsync());

    private Task<string> StoredVapidPrivateKeyAsync() =>
        App.WithDbAsync(db => db.Set<VapidKey>().AsNoTracking().Select(k => k.PrivateKey).SingleAsync());

    private async Task SqlAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionStringFor(DatabaseName));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await command.ExecuteNonQueryAsync();
    }

    private static string Base32(byte[] bytes)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var output = new System.Text.StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                output.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            output.Append(alphabet[(buffer << (5 - bits)) & 31]);
        }
        return output.ToString();
    }

    [GeneratedRegex("data-testid=\"shared-key\">([a-z0-9 ]+)<")]
    private static partial Regex SharedKey();

    [GeneratedRegex("<code>([A-Za-z0-9-]+)</code>")]
    private static partial Regex RecoveryCode();
}
