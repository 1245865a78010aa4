using System.Net;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;

namespace MarketWatch.Tests.Features;

public sealed partial class WebTests : AppTest
{
    [Test]
    public async Task Health_endpoints_answer_and_ready_checks_postgresql()
    {
        var client = Client();
        var live = await client.GetAsync("/health/live");
        Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        // JSON with every check; Healthy once the LISTEN connections are up (Degraded, still 200, until then).
        var report = await Eventually.ValueAsync(async () =>
        {
            var ready = await client.GetAsync("/health/ready");
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            return System.Text.Json.JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        }, r => r.GetProperty("status").GetString() == "Healthy", "ready to say Healthy");
        var checks = report.GetProperty("checks");
        Assert.That(checks.EnumerateObject().Select(c => c.Name), Is.SupersetOf(new[] { "postgresql", "listeners", "live-feed" }));
        Assert.That(checks.EnumerateObject().Select(c => c.Value.GetProperty("status").GetString()).Distinct(), Is.EqualTo(new[] { "Healthy" }));
    }

    [Test]
    public async Task Pages_carry_the_security_headers_and_every_inline_script_has_the_nonce()
    {
        var response = await Client().GetAsync("/account/login");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.That(csp, Does.Contain("frame-ancestors 'none'").And.Contain("default-src 'self'").And.Not.Contain("unsafe-inline"));
        Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
        Assert.That(response.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("strict-origin-when-cross-origin"));

        var nonce = Nonce().Match(csp).Groups[1].Value;
        var html = await response.Content.ReadAsStringAsync();
        var inlineScripts = InlineScript().Matches(html);
        Assert.That(inlineScripts, Is.Not.Empty);
        foreach (Match script in inlineScripts)
        {
            Assert.That(script.Value, Does.Contain($"nonce=\"{nonce}\""));
        }
        var second = await Client().GetAsync("/account/login");
        Assert.That(Nonce().Match(second.Headers.GetValues("Content-Security-Policy").Single()).Groups[1].Value, Is.Not.EqualTo(nonce));
    }

    [Test]
    public async Task Auth_cookie_is_httponly_and_samesite_lax()
    {
        var client = Client();
        var email = NewEmail();
        await RegisterAsync(client, email);
        var response = await PostFormAsync(client, "/account/login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
        });
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("mw.auth=", StringComparison.Ordinal));
        Assert.That(cookie.ToLowerInvariant(), Does.Contain("httponly").And.Contain("samesite=lax"));
    }

    [Test]
    public async Task A_form_post_without_the_antiforgery_token_is_refused()
    {
        var client = Client();
        var email = NewEmail();
        await RegisterAsync(client, email);
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
        }));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("mw.auth=")), Is.False);
    }

    [Test]
    public async Task The_language_switcher_remembers_the_choice_and_arabic_pages_are_right_to_left()
    {
        var client = Client();
        var response = await PostFormAsync(client, "/", new Dictionary<string, string> { ["language"] = "ar", ["returnUrl"] = "/account/login" }, "/preferences");
        Assert.That(response.Headers.Location!.ToString(), Is.EqualTo("/account/login"));
        var html = await (await client.GetAsync("/account/login")).Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("<html lang=\"ar\" dir=\"rtl\""));

        await PostFormAsync(client, "/", new Dictionary<string, string> { ["language"] = "fr", ["returnUrl"] = "//evil.example" }, "/preferences");
        html = await (await client.GetAsync("/account/login")).Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("<html lang=\"fr\" dir=\"ltr\""));
    }

    [Test]
    public async Task Preferences_never_redirect_off_site()
    {
        var client = Client();
        var response = await PostFormAsync(client, "/", new Dictionary<string, string> { ["theme"] = "dark", ["returnUrl"] = "//evil.example/x" }, "/preferences");
        Assert.That(response.Headers.Location!.ToString(), Is.EqualTo("/"));
        var html = await (await client.GetAsync("/")).Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("data-theme-choice=\"dark\""));
    }

    [Test]
    public async Task A_page_repeats_its_own_address_but_not_a_crafted_endless_query_string()
    {
        var client = Client();
        var html = await (await client.GetAsync("/screener?rsiMin=30&sort=rsi")).Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("name=\"returnUrl\" value=\"/screener?rsiMin=30&amp;sort=rsi\""), "the language switch comes back here");

        var huge = new string('x', 10_000);
        var response = await client.GetAsync("/stocks/ATW?q=" + huge);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        html = await response.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("name=\"returnUrl\" value=\"/stocks/ATW\""));
        Assert.That(html, Does.Not.Contain(new string('x', 100)), "not in the way back, og:url nor the share link");
    }

    [Test]
    public async Task Sign_in_buttons_for_external_providers_are_hidden_when_not_configured()
    {
        var html = await (await Client().GetAsync("/account/login")).Content.ReadAsStringAsync();
        Assert.That(html, Does.Not.Contain("data-testid=\"external-"));
    }

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex Nonce();

    [GeneratedRegex("<script(?![^>]*\\ssrc=)[^>]*>")]
    private static partial Regex InlineScript();
}

public sealed class DevMailboxOffTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Mail:ExposeDevMailbox"] = "false" };

    [Test]
    public async Task The_dev_mailbox_does_not_exist_when_turned_off()
    {
        var response = await Client().GetAsync("/dev/mailbox");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}

public sealed class RateLimitTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimits:AuthPermitLimit"] = "3",
        ["RateLimits:AuthWindowSeconds"] = "60",
    };

    [Test]
    public async Task Sign_in_attempts_beyond_the_limit_get_429_with_retry_after()
    {
        var client = Client();
        for (var i = 0; i < 3; i++)
        {
            var ok = await client.PostAsync("/api/auth/login", System.Net.Http.Json.JsonContent.Create(new { email = "a@example.com", password = "Wrong-password-1" }));
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
        var limited = await client.PostAsync("/api/auth/login", System.Net.Http.Json.JsonContent.Create(new { email = "a@example.com", password = "Wrong-password-1" }));
        Assert.That(limited.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(limited.Headers.RetryAfter?.Delta?.TotalSeconds, Is.GreaterThan(0).And.LessThanOrEqualTo(60));
        Assert.That(limited.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));

        // Showing the form is not an attempt.
        Assert.That((await client.GetAsync("/account/login")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var page = await client.PostAsync("/account/forgot-password", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
    }
}
