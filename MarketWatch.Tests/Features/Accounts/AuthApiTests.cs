using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;

namespace MarketWatch.Tests.Features.Accounts;

public sealed class AuthApiTests : AppTest
{
    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<string> LoginAsync(HttpClient client, string email, string password = Password)
    {
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var json = await JsonOf(response);
        Assert.That(json.GetProperty("tokenType").GetString(), Is.EqualTo("Bearer"));
        return json.GetProperty("accessToken").GetString()!;
    }

    private static HttpRequestMessage WithToken(HttpMethod method, string url, string token, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return request;
    }

    [Test]
    public async Task Register_creates_an_unconfirmed_account_and_queues_the_confirmation_email()
    {
        var client = Client();
        var email = NewEmail();
        var response = await client.PostAsJsonAsync("/api/auth/register", new { email, password = Password, displayName = "Amina" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((await JsonOf(response)).GetProperty("emailSentTo").GetString(), Is.EqualTo(email));
        var user = (await App.FindUserAsync(email))!;
        Assert.That(user.EmailConfirmed, Is.False);
        Assert.That(user.TimeZone, Is.EqualTo("Africa/Casablanca"));
        var mail = await App.LatestEmailToAsync(email);
        Assert.That(mail, Is.Not.Null);
        Assert.That(mail!.Subject, Is.EqualTo("Confirm your email address"));
        Assert.That(MarketWatchFactory.LinkIn(mail), Does.Contain("/account/confirm-email?userId="));
        Assert.That(mail.HtmlBody + mail.TextBody, Does.Not.Contain("Amina"), "no text the registrant chose goes to an unproven address");
    }

    [Test]
    public async Task Register_with_a_taken_email_answers_as_for_a_new_one_creates_nothing_and_tells_the_owner()
    {
        var client = Client();
        var email = NewEmail();
        await RegisterAsync(client, email);
        var response = await client.PostAsJsonAsync("/api/auth/register", new { email = email.ToUpperInvariant(), password = Password, displayName = "Twin" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((await JsonOf(response)).GetProperty("emailSentTo").GetString(), Is.EqualTo(email.ToUpperInvariant()));
        var notice = await Eventually.ValueAsync(() => App.LatestEmailToAsync(email), m => m?.Subject == "Someone tried to create an account with your address",
            $"a note to the owner of {email}");
        Assert.That(notice!.TextBody, Does.Not.Contain("Twin"));
        var count = await App.WithDbAsync(db => Task.FromResult(db.Users.Count(u => u.NormalizedEmail == email.ToUpperInvariant())));
        Assert.That(count, Is.EqualTo(1));
    }

    [Test]
    public async Task Register_rejects_weak_passwords_bad_emails_long_and_scripted_names_field_by_field()
    {
        var client = Client();
        var email = NewEmail();
        var response = await client.PostAsJsonAsync("/api/auth/register", new { email = "not-an-email", password = "short", displayName = new string('x', 10_000) });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var errors = (await JsonOf(response)).GetProperty("errors");
        Assert.That(errors.GetProperty("email")[0].GetString(), Is.EqualTo("Enter a valid email address."));
        Assert.That(errors.GetProperty("displayName")[0].GetString(), Is.EqualTo("The display name can be at most 60 characters long."));

        response = await client.PostAsJsonAsync("/api/auth/register", new { email, password = "Short1", displayName = "<script>alert(1)</script>" });
        errors = (await JsonOf(response)).GetProperty("errors");
        Assert.That(errors.GetProperty("displayName")[0].GetString(), Is.EqualTo("The display name cannot contain < or >."));

        foreach (var name in new[] { "Visit https://evil.example", "www.evil.example", "see evil.example/x", "bit.ly", "win at evil．example" })
        {
            response = await client.PostAsJsonAsync("/api/auth/register", new { email, password = Password, displayName = name });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), name);
            errors = (await JsonOf(response)).GetProperty("errors");
            Assert.That(errors.GetProperty("displayName")[0].GetString(), Is.EqualTo("The display name cannot contain a web address."), name);
        }

        response = await client.PostAsJsonAsync("/api/auth/register", new { email, password = "alllowercase", displayName = "Karim" });
        errors = (await JsonOf(response)).GetProperty("errors");
        Assert.That(errors.GetProperty("password").EnumerateArray().Select(e => e.GetString()),
            Is.EquivalentTo(new[] { "The password must contain a digit (0-9).", "The password must contain an uppercase letter." }));
        Assert.That(await App.FindUserAsync(email), Is.Null, "nothing is stored after a rejected registration");
    }

    [Test]
    public async Task Malformed_json_and_empty_bodies_are_problem_details()
    {
        var client = Client();
        var response = await client.PostAsync("/api/auth/register", new StringContent("{\"email\": ", Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((await JsonOf(response)).GetProperty("status").GetInt32(), Is.EqualTo(400));

        response = await client.PostAsync("/api/auth/login", new StringContent("{}", Encoding.UTF8, "application/json"));
        var errors = (await JsonOf(response)).GetProperty("errors");
        Assert.That(errors.GetProperty("email")[0].GetString(), Is.EqualTo("Enter your email address."));
        Assert.That(errors.GetProperty("password")[0].GetString(), Is.EqualTo("Enter a password."));
    }

    [Test]
    public async Task Errors_follow_the_request_language()
    {
        var client = Client();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { }) };
        request.Headers.AcceptLanguage.ParseAdd("fr-FR,fr;q=0.9");
        var response = await client.SendAsync(request);
        var errors = (await JsonOf(response)).GetProperty("errors");
        Assert.That(errors.GetProperty("email")[0].GetString(), Is.EqualTo("Saisissez votre adresse e-mail."));
    }

    [Test]
    public async Task Login_with_a_wrong_password_is_401_problem_details_not_a_redirect()
    {
        var client = Client();
        var email = NewEmail();
        await RegisterAsync(client, email);
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password = "Wrong-password-1" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((await JsonOf(response)).GetProperty("detail").GetString(), Is.EqualTo("Wrong email or password."));

        response = await client.PostAsJsonAsync("/api/auth/login", new { email = NewEmail("nobody"), password = Password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Five_wrong_passwords_lock_the_account_even_for_the_right_password()
    {
        var client = Client();
        var email = NewEmail();
        await RegisterAsync(client, email);
        for (var i = 0; i < 5; i++)
        {
            await client.PostAsJsonAsync("/api/auth/login", new { email, password = "Wrong-password-1" });
        }
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await JsonOf(response)).GetProperty("detail").GetString(),
            Is.EqualTo("Too many failed attempts: this account is locked for 15 minutes."));
        var user = await App.FindUserAsync(email);
        Assert.That(user!.LockoutEnd, Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(14)));
    }

    [Test]
    public async Task Profile_needs_authentication_and_answers_401_json()
    {
        var response = await Client().GetAsync("/api/auth/profile");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));

        var bogus = await Client().SendAsync(WithToken(HttpMethod.Get, "/api/auth/profile", "mw_not-a-real-token"));
        Assert.That(bogus.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(bogus.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task Token_reads_and_updates_the_profile_and_logout_revokes_it()
    {
        var client = Client();
        var email = NewEmail();
        await RegisterAsync(client, email);
        var token = await LoginAsync(client, email);

        var profile = await JsonOf(await client.SendAsync(WithToken(HttpMethod.Get, "/api/auth/profile", token)));
        Assert.That(profile.GetProperty("displayName").GetString(), Is.EqualTo("Test Investor"));

        var update = await client.SendAsync(WithToken(HttpMethod.Put, "/api/auth/profile", token,
            new { displayName = "Youssef & \"Co\"", timeZone = "Europe/Paris", language = "fr", theme = "dark" }));
        Assert.That(update.StatusCode, Is.EqualTo(HttpStatusCode.OK), await update.Content.ReadAsStringAsync());
        var stored = await App.FindUserAsync(email);
        Assert.That((stored!.DisplayName, stored.TimeZone, stored.Language, stored.Theme),
            Is.EqualTo(("Youssef & \"Co\"", "Europe/Paris", "fr", "dark")));

        var logout = await client.SendAsync(WithToken(HttpMethod.Post, "/api/auth/logout", token));
        Assert.That(logout.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var after = await client.SendAsync(WithToken(HttpMethod.Get, "/api/auth/profile", token));
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Invalid_profile_changes_are_field_errors_and_change_nothing()
    {
        var client = Client();
        var email = NewEmail();
        await RegisterAsync(client, email);
        var token = await LoginAsync(client, email);
        var response = await client.SendAsync(WithToken(HttpMethod.Put, "/api/auth/profile", token,
            new { displayName = "", timeZone = "Mars/Olympus", language = "de", theme = "neon" }));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var errors = (await JsonOf(response)).GetProperty("errors");
        Assert.That(errors.GetProperty("displayName")[0].GetString(), Is.EqualTo("Enter a display name."));

        response = await client.SendAsync(WithToken(HttpMethod.Put, "/api/auth/profile", token,
            new { displayName = "Ok", timeZone = "Mars/Olympus", language = "de", theme = "neon" }));
        errors = (await JsonOf(response)).GetProperty("errors");
        Assert.That(errors.GetProperty("timeZone")[0].GetString(), Is.EqualTo("Choose a time zone from the list."));
        Assert.That(errors.GetProperty("language")[0].GetString(), Is.EqualTo("Choose English, French or Arabic."));
        Assert.That(errors.GetProperty("theme")[0].GetString(), Is.EqualTo("Choose light, dark or system."));
        var stored = await App.FindUserAsync(email);
        Assert.That((stored!.DisplayName, stored.TimeZone), Is.EqualTo(("Test Investor", "Africa/Casablanca")));
    }

    [Test]
    public async Task Password_reset_by_api_sends_a_single_use_link_and_never_reveals_accounts()
    {
        var client = Client();
        var email = NewEmail();
        await RegisterAsync(client, email);

        var unknown = await client.PostAsJsonAsync("/api/auth/reset-password", new { email = NewEmail("ghost") });
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var known = await client.PostAsJsonAsync("/api/auth/reset-password", new { email });
        Assert.That(known.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));

        var mail = await App.LatestEmailToAsync(email);
        Assert.That(mail!.Subject, Is.EqualTo("Reset your password"));
        var code = System.Web.HttpUtility.ParseQueryString(new Uri(MarketWatchFactory.LinkIn(mail)).Query)["code"];

        var weak = await client.PostAsJsonAsync("/api/auth/reset-password/confirm", new { email, code, newPassword = "weak" });
        Assert.That((await JsonOf(weak)).GetProperty("errors").GetProperty("newPassword")[0].GetString(),
            Is.EqualTo("The password must be at least 8 characters long."));

        var confirm = await client.PostAsJsonAsync("/api/auth/reset-password/confirm", new { email, code, newPassword = "Rabat-Sale-2027" });
        Assert.That(confirm.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await LoginAsync(client, email, "Rabat-Sale-2027");

        var again = await client.PostAsJsonAsync("/api/auth/reset-password/confirm", new { email, code, newPassword = "Another-2028x" });
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonOf(again)).GetProperty("errors").GetProperty("code")[0].GetString(),
            Is.EqualTo("This link is invalid or has expired. Ask for a new one."));
    }

    [Test]
    public async Task Resetting_the_password_revokes_every_bearer_token_of_the_account()
    {
        var client = Client();
        var email = NewEmail();
        await RegisterAsync(client, email);
        var token = await LoginAsync(client, email);
        await client.PostAsJsonAsync("/api/auth/reset-password", new { email });
        var code = System.Web.HttpUtility.ParseQueryString(new Uri(MarketWatchFactory.LinkIn((await App.LatestEmailToAsync(email))!)).Query)["code"];
        var reset = await client.PostAsJsonAsync("/api/auth/reset-password/confirm", new { email, code, newPassword = "Fes-Meknes-2028" });
        Assert.That(reset.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var profile = await client.SendAsync(WithToken(HttpMethod.Get, "/api/auth/profile", token));
        Assert.That(profile.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a token issued before the reset no longer works");
    }

    [Test]
    public async Task OpenApi_describes_every_auth_endpoint()
    {
        var json = await JsonOf(await Client().GetAsync("/openapi/v1.json"));
        var paths = json.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(paths, Is.SupersetOf(new[]
        {
            "/api/auth/register", "/api/auth/login", "/api/auth/logout", "/api/auth/profile",
            "/api/auth/reset-password", "/api/auth/reset-password/confirm",
        }));
    }
}
