using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Notifications;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Accounts;

/// <summary>
/// Finding 6: an attacker registers the victim's address with a password, a bearer token, a webhook, a phone and a
/// push device; the victim's first verified external sign-in takes the account back whole.
/// </summary>
public sealed class PreHijackingTests : AppTest
{
    protected override Action<IWebHostBuilder>? ConfigureApp => FakeExternalProvider.Configure;

    [Test]
    public async Task The_first_verified_external_sign_in_removes_the_password_tokens_sessions_webhook_phone_and_devices_and_says_so()
    {
        var victim = NewEmail("victim");
        const string attackerPassword = "Attacker-Pass-1";

        // The attacker, with the victim's address.
        var attacker = Client();
        await RegisterAsync(attacker, victim, attackerPassword, "Attacker");
        await SignInAsync(attacker, victim, attackerPassword);
        var login = await Client().PostAsJsonAsync("/api/auth/login", new { email = victim, password = attackerPassword });
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        var api = Client();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var saved = await api.PutAsJsonAsync("/api/notifications/preferences", new
        {
            emailEnabled = true, pushEnabled = true, webhookEnabled = true, webhookUrl = "https://hooks.attacker.example/steal",
            emailDailyCap = 50, pushDailyCap = 50, smsDailyCap = 10, webhookDailyCap = 50,
        });
        Assert.That(saved.IsSuccessStatusCode, Is.True, await saved.Content.ReadAsStringAsync());
        var userId = (await App.FindUserAsync(victim))!.Id;
        var stampBefore = (await App.FindUserAsync(victim))!.SecurityStamp;
        await App.WithDbAsync(async db =>
        {
            db.Set<PushSubscription>().Add(new PushSubscription
            {
                UserId = userId, Endpoint = "https://push.attacker.example/device", P256dh = "key", Auth = "auth", CreatedAt = DateTimeOffset.UtcNow,
            });
            // A passkey the attacker enrolled (its key material does not matter: only that it is gone afterwards).
            db.Set<Microsoft.AspNetCore.Identity.IdentityUserPasskey<string>>().Add(new() { UserId = userId, CredentialId = [7, 7, 7, 7], Data = new() { Name = "Attacker laptop", PublicKey = [1], CreatedAt = DateTimeOffset.UtcNow, SignCount = 0, IsUserVerified = true, IsBackupEligible = false, IsBackedUp = false, AttestationObject = [1], ClientDataJson = [1] } });
            await db.SaveChangesAsync();
            return await db.Set<NotificationPreferences>().Where(p => p.UserId == userId)
                .ExecuteUpdateAsync(p => p.SetProperty(x => x.PhoneNumber, "+212612345678").SetProperty(x => x.PhoneVerifiedAt, DateTimeOffset.UtcNow));
        });
        Assert.That((await api.GetAsync("/api/auth/profile")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // The victim signs in with a provider that verified the address.
        var browser = Client();
        var callback = await FakeExternalProvider.SignInAsync(browser, "oidc", "victim-subject", victim, verified: true);
        Assert.That((int)callback.StatusCode, Is.EqualTo(302));
        var page = await (await browser.GetAsync(callback.Headers.Location)).Content.ReadAsStringAsync();
        Assert.That(page, Does.Contain("This account had never been confirmed, so we removed its password"));

        // The attacker's password, token and session are gone.
        var again = await Client().PostAsJsonAsync("/api/auth/login", new { email = victim, password = attackerPassword });
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await api.GetAsync("/api/auth/profile")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var user = (await App.FindUserAsync(victim))!;
        Assert.That((user.EmailConfirmed, user.PasswordHash), Is.EqualTo((true, (string?)null)));
        Assert.That(user.SecurityStamp, Is.Not.EqualTo(stampBefore), "a new security stamp ends the attacker's cookie sessions");

        // The delivery targets are cleared.
        var preferences = await App.WithDbAsync(db => db.Set<NotificationPreferences>().AsNoTracking().SingleAsync(p => p.UserId == userId));
        Assert.That((preferences.WebhookUrl, preferences.WebhookSecret, preferences.WebhookEnabled, preferences.PhoneNumber, preferences.PhoneVerifiedAt),
            Is.EqualTo(((string?)null, (string?)null, false, (string?)null, (DateTimeOffset?)null)));
        Assert.That(await App.WithDbAsync(db => db.Set<PushSubscription>().CountAsync(s => s.UserId == userId)), Is.Zero);
        Assert.That(await App.WithDbAsync(db => db.Set<Microsoft.AspNetCore.Identity.IdentityUserPasskey<string>>().CountAsync(p => p.UserId == userId)), Is.Zero,
            "the attacker's passkey would sign them straight back in");

        // The victim is told by email too, and is signed in.
        var mail = await App.LatestEmailToAsync(victim);
        Assert.That(mail!.Subject, Is.EqualTo("Your MarketWatch account was secured"));
        Assert.That((await browser.GetAsync("/account/manage")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_already_confirmed_account_links_without_losing_anything()
    {
        var email = NewEmail("owner");
        await RegisterAsync(Client(), email);
        await ConfirmEmailAsync(email);
        var callback = await FakeExternalProvider.SignInAsync(Client(), "oidc", "owner-subject", email, verified: true);
        Assert.That((int)callback.StatusCode, Is.EqualTo(302));
        Assert.That((await App.FindUserAsync(email))!.PasswordHash, Is.Not.Null);
        await SignInAsync(Client(), email);
    }
}
