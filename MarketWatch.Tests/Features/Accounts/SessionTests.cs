using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Accounts;

/// <summary>
/// Finding 13: sessions and tokens end with their reason (logout, password or email change), an authenticator code
/// works once, and sensitive changes ask for a fresh proof. The app's clock can be moved forward to leave the
/// re-authentication window without waiting.
/// </summary>
public sealed partial class SessionTests : AppTest
{
    private readonly SmtpTestServer _smtp = new();
    private readonly ShiftedClock _clock = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = _smtp.Port.ToString(CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
        ["Jobs:SchedulePollSeconds"] = "1",
    };

    protected override Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp =>
        builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));

    [OneTimeSetUp]
    public Task StartSmtpAsync() => _smtp.StartAsync();

    [OneTimeTearDown]
    public ValueTask StopSmtpAsync() => _smtp.DisposeAsync();

    [Test]
    public async Task A_copied_cookie_is_refused_after_logout_while_other_browsers_stay_signed_in()
    {
        var email = NewEmail("copied");
        await RegisterAsync(Client(), email);
        var victim = Client();
        var cookie = await SignInReturningCookieAsync(victim, email);
        var otherBrowser = Client();
        await SignInAsync(otherBrowser, email);

        var thief = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        thief.DefaultRequestHeaders.Add("Cookie", cookie);
        Assert.That((await thief.GetAsync("/account/manage/email")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the copy works while the session lives");

        var logout = await PostFormAsync(victim, "/account/manage/email", new Dictionary<string, string>(), "/account/logout");
        Assert.That(logout.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));

        var page = await thief.GetAsync("/account/manage/email");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(page.Headers.Location?.ToString(), Does.Contain("/account/login"));
        Assert.That((await thief.GetAsync("/api/auth/profile")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await otherBrowser.GetAsync("/account/manage/email")).StatusCode, Is.EqualTo(HttpStatusCode.OK),
            "logout ends this browser's session only");
    }

    [Test]
    public async Task An_email_change_revokes_bearer_tokens_and_tells_the_old_address()
    {
        var email = NewEmail("moving");
        var newEmail = NewEmail("moved");
        await RegisterAsync(Client(), email);
        await ConfirmAsync(email);
        var api = Client();
        var login = await api.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.That((await api.GetAsync("/api/auth/profile")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var browser = Client();
        await SignInAsync(browser, email);
        var asked = await PostFormAsync(browser, "/account/manage/email", new Dictionary<string, string> { ["NewEmail"] = newEmail });
        Assert.That(asked.Headers.Location?.ToString(), Does.Not.Contain("reauthenticate"), "a fresh sign-in counts as recent");
        var link = MarketWatchFactory.LinkIn((await App.LatestEmailToAsync(newEmail))!);
        Assert.That(await (await browser.GetAsync(new Uri(link).PathAndQuery)).Content.ReadAsStringAsync(), Does.Contain("Your account now uses this email address."));

        Assert.That((await api.GetAsync("/api/auth/profile")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the token died with the old address");
        var notice = await Eventually.ValueAsync(() => Task.FromResult(_smtp.MessagesTo(email).FirstOrDefault(m => m.Subject == "Your email address was changed")),
            m => m is not null, "the notice to the old address");
        Assert.That(notice!.TextBody, Does.Contain(newEmail));
    }

    [Test]
    public async Task An_authenticator_code_works_once()
    {
        var email = NewEmail("totp");
        await RegisterAsync(Client(), email);
        var owner = Client();
        await SignInAsync(owner, email);
        var key = await EnableTwoFactorAsync(owner);
        var used = Totp.Code(key, _clock.GetUtcNow());
        // The code that turned two-factor on was just used once: the next sign-in cannot use it again.
        await EnableWithAsync(owner, used);

        var phone = Client();
        await SignInAsync(phone, email);
        var replay = await PostFormAsync(phone, "/account/login-2fa", new Dictionary<string, string> { ["Code"] = used });
        Assert.That(await replay.Content.ReadAsStringAsync(), Does.Contain("The code is wrong."));

        var next = Totp.Code(key, _clock.GetUtcNow().AddSeconds(60));
        var fresh = await PostFormAsync(phone, "/account/login-2fa", new Dictionary<string, string> { ["Code"] = next });
        Assert.That(fresh.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "a later code signs in");

        var api = await Client().PostAsJsonAsync("/api/auth/login", new { email, password = Password, twoFactorCode = next });
        Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the API refuses the code the browser used");
    }

    [Test]
    public async Task Turning_two_factor_off_or_new_recovery_codes_need_a_recent_proof_and_work_after_it()
    {
        var email = NewEmail("reauth");
        await RegisterAsync(Client(), email);
        var client = Client();
        await SignInAsync(client, email);
        var key = await EnableTwoFactorAsync(client);
        await EnableWithAsync(client, Totp.Code(key, _clock.GetUtcNow()));

        _clock.Advance(TimeSpan.FromMinutes(11));
        var disable = await PostFormAsync(client, "/account/manage/two-factor", new Dictionary<string, string>(), "/account/manage/two-factor/Disable");
        Assert.That(disable.Headers.Location?.ToString(), Is.EqualTo("/account/reauthenticate?returnUrl=%2Faccount%2Fmanage%2Ftwo-factor"));
        var codes = await PostFormAsync(client, "/account/manage/two-factor", new Dictionary<string, string>(), "/account/manage/two-factor/RecoveryCodes");
        Assert.That(codes.Headers.Location?.ToString(), Does.StartWith("/account/reauthenticate"));
        Assert.That((await App.FindUserAsync(email))!.TwoFactorEnabled, Is.True, "nothing changed");

        const string Reauth = "/account/reauthenticate?returnUrl=%2Faccount%2Fmanage%2Ftwo-factor";
        var wrong = await PostFormAsync(client, Reauth, new Dictionary<string, string> { ["Code"] = "000000" });
        Assert.That(await wrong.Content.ReadAsStringAsync(), Does.Contain("The code is wrong or was already used."));
        var proved = await PostFormAsync(client, Reauth, new Dictionary<string, string> { ["Code"] = Totp.Code(key, _clock.GetUtcNow()) });
        Assert.That(proved.Headers.Location?.ToString(), Is.EqualTo("/account/manage/two-factor"));

        var again = await PostFormAsync(client, "/account/manage/two-factor", new Dictionary<string, string>(), "/account/manage/two-factor/Disable");
        Assert.That(again.Headers.Location?.ToString(), Is.EqualTo("/account/manage/two-factor"));
        Assert.That((await App.FindUserAsync(email))!.TwoFactorEnabled, Is.False);
    }

    [Test]
    public async Task Changing_the_email_after_the_window_asks_for_the_password_first()
    {
        var email = NewEmail("late");
        var newEmail = NewEmail("later");
        await RegisterAsync(Client(), email);
        var client = Client();
        await SignInAsync(client, email);
        _clock.Advance(TimeSpan.FromMinutes(11));

        var asked = await PostFormAsync(client, "/account/manage/email", new Dictionary<string, string> { ["NewEmail"] = newEmail });
        Assert.That(asked.Headers.Location?.ToString(), Is.EqualTo("/account/reauthenticate?returnUrl=%2Faccount%2Fmanage%2Femail"));
        Assert.That(await App.LatestEmailToAsync(newEmail), Is.Null, "no link sent");

        var wrong = await PostFormAsync(client, asked.Headers.Location!.ToString(), new Dictionary<string, string> { ["Password"] = "Not-my-password-1" });
        Assert.That(await wrong.Content.ReadAsStringAsync(), Does.Contain("The password is wrong."));
        var proved = await PostFormAsync(client, asked.Headers.Location!.ToString(), new Dictionary<string, string> { ["Password"] = Password });
        Assert.That(proved.Headers.Location?.ToString(), Is.EqualTo("/account/manage/email"));
        var sent = await PostFormAsync(client, "/account/manage/email", new Dictionary<string, string> { ["NewEmail"] = newEmail });
        Assert.That(sent.Headers.Location?.ToString(), Is.EqualTo("/account/manage/email"));
        Assert.That(await App.LatestEmailToAsync(newEmail), Is.Not.Null);
    }

    [Test]
    public async Task Turning_two_factor_on_or_adding_a_first_password_after_the_window_asks_for_a_proof_first()
    {
        var email = NewEmail("late2fa");
        await RegisterAsync(Client(), email);
        var client = Client();
        await SignInAsync(client, email);
        var key = await EnableTwoFactorAsync(client);
        _clock.Advance(TimeSpan.FromMinutes(11));

        // A stolen session must not put its own authenticator on the account.
        var enable = await PostFormAsync(client, "/account/manage/two-factor", new Dictionary<string, string> { ["Code"] = Totp.Code(key, _clock.GetUtcNow()) }, "/account/manage/two-factor/Enable");
        Assert.That(enable.Headers.Location?.ToString(), Is.EqualTo("/account/reauthenticate?returnUrl=%2Faccount%2Fmanage%2Ftwo-factor"));
        Assert.That((await App.FindUserAsync(email))!.TwoFactorEnabled, Is.False, "nothing changed");
        var proved = await PostFormAsync(client, enable.Headers.Location!.ToString(), new Dictionary<string, string> { ["Password"] = Password });
        Assert.That(proved.Headers.Location?.ToString(), Is.EqualTo("/account/manage/two-factor"));
        await EnableWithAsync(client, Totp.Code(key, _clock.GetUtcNow()));
        Assert.That((await App.FindUserAsync(email))!.TwoFactorEnabled, Is.True);

        // An account without a password (signed in with a provider) adding one: no current password to ask for, so a proof.
        var other = NewEmail("nopassword");
        await RegisterAsync(Client(), other);
        var session = Client();
        await SignInAsync(session, other);
        await App.WithDbAsync(db => db.Users.Where(u => u.NormalizedEmail == other.ToUpperInvariant())
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.PasswordHash, (string?)null)));
        _clock.Advance(TimeSpan.FromMinutes(11));
        var add = await PostFormAsync(session, "/account/manage/password", new Dictionary<string, string> { ["Input.NewPassword"] = "Thief-chosen-2026", ["Input.ConfirmPassword"] = "Thief-chosen-2026" });
        Assert.That(add.Headers.Location?.ToString(), Is.EqualTo("/account/reauthenticate?returnUrl=%2Faccount%2Fmanage%2Fpassword"));
        Assert.That((await App.FindUserAsync(other))!.PasswordHash, Is.Null, "no password was set");
    }

    private async Task ConfirmAsync(string email) =>
        await App.WithDbAsync(db => db.Users.Where(u => u.NormalizedEmail == email.ToUpperInvariant())
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.EmailConfirmed, true)));

    private static async Task<string> SignInReturningCookieAsync(HttpClient client, string email)
    {
        var response = await PostFormAsync(client, "/account/login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("mw.auth=", StringComparison.Ordinal));
        return cookie[..cookie.IndexOf(';')];
    }

    private static async Task<string> EnableTwoFactorAsync(HttpClient client)
    {
        var setup = await (await client.GetAsync("/account/manage/two-factor")).Content.ReadAsStringAsync();
        return SharedKey().Match(setup).Groups[1].Value;
    }

    private static async Task EnableWithAsync(HttpClient client, string code)
    {
        var enabled = await PostFormAsync(client, "/account/manage/two-factor", new Dictionary<string, string> { ["Code"] = code }, "/account/manage/two-factor/Enable");
        Assert.That(await enabled.Content.ReadAsStringAsync(), Does.Contain("data-testid=\"recovery-codes\""));
    }

    [GeneratedRegex("data-testid=\"shared-key\">([a-z0-9 ]+)<")]
    private static partial Regex SharedKey();
}

/// <summary>The real clock, moved forward by a test (time keeps running, so timers and leases behave).</summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
