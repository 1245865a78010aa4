using System.Net;
using System.Text;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Accounts;

/// <summary>What reaches the passkey endpoints without a browser: forged, malformed or replayed answers are a clean 400.</summary>
public sealed class PasskeyTests : AppTest
{
    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    private static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    /// <summary>An assertion as a browser would post it, but signed by nobody.</summary>
    private static string ForgedAssertion(string challenge, string? userHandle, string origin = "http://localhost")
    {
        var clientData = JsonSerializer.Serialize(new { type = "webauthn.get", challenge, origin, crossOrigin = false });
        var authenticatorData = new byte[37];
        authenticatorData[32] = 0x05; // user present + verified
        var response = new Dictionary<string, object?>
        {
            ["clientDataJSON"] = B64(clientData),
            ["authenticatorData"] = B64(authenticatorData),
            ["signature"] = B64(new byte[70]),
        };
        if (userHandle is not null)
        {
            response["userHandle"] = B64(userHandle);
        }
        var id = B64(Guid.NewGuid().ToByteArray());
        return JsonSerializer.Serialize(new { id, rawId = id, type = "public-key", response, clientExtensionResults = new { } });
    }

    /// <summary>Starts a passkey sign-in as the login page's script does; returns the challenge the server chose.</summary>
    private static async Task<string> StartSignInAsync(HttpClient client)
    {
        var options = await PostFormAsync(client, "/account/login", new Dictionary<string, string>(), "/account/login/passkey/Options");
        Assert.That(options.StatusCode, Is.EqualTo(HttpStatusCode.OK), await options.Content.ReadAsStringAsync());
        Assert.That(options.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
        using var json = JsonDocument.Parse(await options.Content.ReadAsStringAsync());
        Assert.That(json.RootElement.GetProperty("rpId").GetString(), Is.EqualTo("localhost"));
        return json.RootElement.GetProperty("challenge").GetString()!;
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAssertionAsync(HttpClient client, string credentialJson)
    {
        var response = await PostFormAsync(client, "/account/login", new Dictionary<string, string> { ["CredentialJson"] = credentialJson }, "/account/login/passkey");
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    private static async Task AssertSignedOutAsync(HttpClient client)
    {
        var manage = await client.GetAsync("/account/manage");
        Assert.That(manage.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "a refused passkey signs nobody in");
    }

    [Test]
    public async Task A_forged_assertion_is_refused_with_a_clear_message_and_signs_nobody_in()
    {
        var email = NewEmail("victim");
        await RegisterAsync(Client(), email);
        var victim = (await App.FindUserAsync(email))!;

        // Claims to be the victim with a credential they never registered (and a signature from nobody).
        var client = Client();
        var challenge = await StartSignInAsync(client);
        var (status, body) = await PostAssertionAsync(client, ForgedAssertion(challenge, victim.Id));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body);
        Assert.That(body, Does.Contain("This passkey is not registered with MarketWatch"));
        await AssertSignedOutAsync(client);

        // Without a user handle, the wrong challenge, or the wrong origin: refused the same clean way.
        foreach (var forged in new[]
                 {
                     ForgedAssertion(challenge, userHandle: null),
                     ForgedAssertion(B64("not the challenge"), victim.Id),
                     ForgedAssertion(challenge, victim.Id, origin: "https://evil.example"),
                 })
        {
            var fresh = Client();
            await StartSignInAsync(fresh);
            var (freshStatus, freshBody) = await PostAssertionAsync(fresh, forged);
            Assert.That(freshStatus, Is.EqualTo(HttpStatusCode.BadRequest), freshBody);
            Assert.That(freshBody, Does.Contain("passkey").IgnoreCase);
            await AssertSignedOutAsync(fresh);
        }
    }

    [TestCase("")]
    [TestCase("{")]
    [TestCase("null")]
    [TestCase("[1,2,3]")]
    [TestCase("{\"id\":\"AA\",\"rawId\":\"AA\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"%%%\",\"authenticatorData\":\"\",\"signature\":\"\"}}")]
    public async Task A_malformed_answer_is_a_400_page_not_a_500(string credentialJson)
    {
        var client = Client();
        await StartSignInAsync(client);
        var (status, body) = await PostAssertionAsync(client, credentialJson);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body);
        Assert.That(body, Does.Contain("Sign in with your password"));
    }

    [Test]
    public async Task An_answer_without_a_started_ceremony_or_a_second_time_is_refused()
    {
        var client = Client();
        // Nothing started in this browser: Identity throws, the page explains.
        var (status, body) = await PostAssertionAsync(client, ForgedAssertion(B64("x"), null));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body);
        Assert.That(body, Does.Contain("The passkey request expired. Try again."));

        // A challenge serves one answer: the state cookie is spent by the first attempt.
        var challenge = await StartSignInAsync(client);
        await PostAssertionAsync(client, ForgedAssertion(challenge, null));
        (status, body) = await PostAssertionAsync(client, ForgedAssertion(challenge, null));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body);
        Assert.That(body, Does.Contain("The passkey request expired. Try again."));

        var huge = await PostAssertionAsync(client, new string('a', 40_000));
        Assert.That(huge.Status, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Removing_a_passkey_ends_the_other_sessions_and_keeps_this_one()
    {
        var email = NewEmail("remove-ends");
        await RegisterAsync(Client(), email);
        var owner = Client();
        await SignInAsync(owner, email);
        // Stands for a session the passkey opened (whoever holds it): signed in elsewhere before the removal.
        var elsewhere = Client();
        await SignInAsync(elsewhere, email);
        var userId = (await App.FindUserAsync(email))!.Id;
        var credentialId = Guid.NewGuid().ToByteArray();
        await App.WithDbAsync(db =>
        {
            db.Add(new Microsoft.AspNetCore.Identity.IdentityUserPasskey<string>
            {
                UserId = userId,
                CredentialId = credentialId,
                Data = new Microsoft.AspNetCore.Identity.IdentityPasskeyData
                {
                    PublicKey = [1, 2, 3], Name = "Lost phone", CreatedAt = DateTimeOffset.UtcNow, Transports = ["internal"],
                    AttestationObject = [4], ClientDataJson = [5],
                },
            });
            return db.SaveChangesAsync();
        });
        Assert.That((await elsewhere.GetAsync("/account/manage")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var removed = await PostFormAsync(owner, "/account/manage/passkeys", new Dictionary<string, string>(), "/account/manage/passkeys/Remove?id=" + B64(credentialId));
        Assert.That(removed.Headers.Location?.ToString(), Is.EqualTo("/account/manage/passkeys"));
        Assert.That(await App.WithDbAsync(db => Task.FromResult(db.Set<Microsoft.AspNetCore.Identity.IdentityUserPasskey<string>>().Count(p => p.UserId == userId))), Is.Zero);

        await Eventually.TrueAsync(async () => (await elsewhere.GetAsync("/account/manage")).StatusCode == HttpStatusCode.Redirect,
            "the other session ends once its session check sees the new stamp");
        Assert.That((await owner.GetAsync("/account/manage")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the browser that removed it stays signed in");
    }

    [Test]
    public async Task Download_my_data_lists_passkeys_without_key_material_and_deleting_the_account_deletes_them()
    {
        var client = Client();
        var email = NewEmail("export");
        await RegisterAsync(client, email);
        await SignInAsync(client, email);
        var userId = (await App.FindUserAsync(email))!.Id;
        await App.WithDbAsync(db =>
        {
            db.Add(new Microsoft.AspNetCore.Identity.IdentityUserPasskey<string>
            {
                UserId = userId,
                CredentialId = Guid.NewGuid().ToByteArray(),
                Data = new Microsoft.AspNetCore.Identity.IdentityPasskeyData
                {
                    PublicKey = [1, 2, 3],
                    Name = "Work laptop",
                    CreatedAt = DateTimeOffset.UtcNow,
                    Transports = ["internal"],
                    AttestationObject = [4],
                    ClientDataJson = [5],
                },
            });
            return db.SaveChangesAsync();
        });

        var response = await PostFormAsync(client, "/account/manage/privacy", new Dictionary<string, string>(), "/account/manage/privacy/Download");
        var text = await response.Content.ReadAsStringAsync();
        var passkeys = JsonDocument.Parse(text).RootElement.GetProperty("passkeys");
        Assert.That(passkeys.GetArrayLength(), Is.EqualTo(1));
        Assert.That(passkeys[0].GetProperty("name").GetString(), Is.EqualTo("Work laptop"));
        Assert.That(text, Does.Not.Contain("publicKey").IgnoreCase);

        var deleted = await PostFormAsync(client, "/account/manage/privacy", new Dictionary<string, string> { ["Confirmation"] = Password }, "/account/manage/privacy/Delete");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var left = await App.WithDbAsync(db => Task.FromResult(db.Set<Microsoft.AspNetCore.Identity.IdentityUserPasskey<string>>().Count(p => p.UserId == userId)));
        Assert.That(left, Is.Zero);
    }

    [Test]
    public async Task Managing_passkeys_refuses_bad_names_forged_attestations_and_other_peoples_ids()
    {
        var client = Client();
        var email = NewEmail("owner");
        await RegisterAsync(client, email);
        await SignInAsync(client, email);

        foreach (var name in new[] { "", "   ", new string('x', 61), "a\tb" })
        {
            var refused = await PostFormAsync(client, "/account/manage/passkeys", new Dictionary<string, string> { ["Name"] = name }, "/account/manage/passkeys/CreationOptions");
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(refused.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("A passkey name is 1 to 60 characters long."));
        }

        var options = await PostFormAsync(client, "/account/manage/passkeys", new Dictionary<string, string> { ["Name"] = "Phone" }, "/account/manage/passkeys/CreationOptions");
        Assert.That(options.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var json = JsonDocument.Parse(await options.Content.ReadAsStringAsync()))
        {
            Assert.That(json.RootElement.GetProperty("rp").GetProperty("id").GetString(), Is.EqualTo("localhost"));
            Assert.That(json.RootElement.GetProperty("user").GetProperty("name").GetString(), Is.EqualTo(email));
        }
        var forged = JsonSerializer.Serialize(new
        {
            id = "AAAA", rawId = "AAAA", type = "public-key",
            response = new { clientDataJSON = B64("{\"type\":\"webauthn.create\"}"), attestationObject = B64("junk"), transports = new[] { "internal" } },
            clientExtensionResults = new { },
        });
        var added = await PostFormAsync(client, "/account/manage/passkeys", new Dictionary<string, string> { ["Name"] = "Phone", ["CredentialJson"] = forged }, "/account/manage/passkeys/Add");
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(WebUtility.HtmlDecode(await added.Content.ReadAsStringAsync()), Does.Contain("The passkey could not be added. Try again."));

        foreach (var id in new[] { "AAAA", "not base64 !", new string('A', 3000) })
        {
            var removed = await PostFormAsync(client, "/account/manage/passkeys", new Dictionary<string, string>(), "/account/manage/passkeys/Remove?id=" + Uri.EscapeDataString(id));
            Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            var page = WebUtility.HtmlDecode(await (await client.GetAsync("/account/manage/passkeys")).Content.ReadAsStringAsync());
            Assert.That(page, Does.Contain("This passkey is not on your account."));
        }
        var userId = (await App.FindUserAsync(email))!.Id;
        var stored = await App.WithDbAsync(db => Task.FromResult(db.Set<Microsoft.AspNetCore.Identity.IdentityUserPasskey<string>>().Count(p => p.UserId == userId)));
        Assert.That(stored, Is.Zero);
    }
}

/// <summary>With <c>App:BaseUrl</c> set, its host is the relying party and only its origin may answer a passkey prompt.</summary>
public sealed class PasskeyRelyingPartyTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["App:BaseUrl"] = "https://marketwatch.example" };

    [Test]
    public async Task The_relying_party_is_the_base_urls_host_and_only_its_origin_is_accepted()
    {
        var client = Client();
        var options = await PostFormAsync(client, "/account/login", new Dictionary<string, string>(), "/account/login/passkey/Options");
        using var json = JsonDocument.Parse(await options.Content.ReadAsStringAsync());
        Assert.That(json.RootElement.GetProperty("rpId").GetString(), Is.EqualTo("marketwatch.example"));

        var passkeys = App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Identity.IdentityPasskeyOptions>>().Value;
        async Task<bool> Accepts(string origin, bool crossOrigin = false) => await passkeys.ValidateOrigin!(new Microsoft.AspNetCore.Identity.PasskeyOriginValidationContext
        {
            HttpContext = new Microsoft.AspNetCore.Http.DefaultHttpContext(),
            Origin = origin,
            CrossOrigin = crossOrigin,
            TopOrigin = null,
        });
        var verdicts = new Dictionary<string, bool>
        {
            ["same origin"] = await Accepts("https://marketwatch.example"),
            ["same origin in a cross-origin frame"] = await Accepts("https://marketwatch.example", crossOrigin: true),
            ["http"] = await Accepts("http://marketwatch.example"),
            ["another site"] = await Accepts("https://evil.example"),
            ["a lookalike"] = await Accepts("https://marketwatch.example.evil.example"),
        };
        Assert.That(verdicts, Is.EqualTo(new Dictionary<string, bool>
        {
            ["same origin"] = true,
            ["same origin in a cross-origin frame"] = false,
            ["http"] = false,
            ["another site"] = false,
            ["a lookalike"] = false,
        }));
    }
}
