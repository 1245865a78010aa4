using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MarketWatch.Tests.Features;

/// <summary>
/// What a refused character looks like to each kind of client (issue 12, finding 1; the sweep in <see cref="NulSweepTests"/>
/// proves the coverage): a field error on a page's form, a problem+json on /api and /stream, a page in the user's language
/// for other browser requests; PostgreSQL's own refusal is a 400 as a last line. And finding 11: a return URL with a
/// control character or another host never becomes a 500 or an off-site redirect after a valid sign-in. On Kestrel.
/// </summary>
public sealed class InputRuleTests : AppTest
{
    protected override bool UseKestrel => true;

    private const string Message = "This contains a character that cannot be saved (such as a NUL). Remove it and try again.";

    private HttpClient Http() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = App.ServerAddress };

    [TestCase(0x0000)]
    [TestCase(0xD800)]
    [TestCase(0xDBFF)]
    [TestCase(0xDC00)]
    public void The_rule_refuses_nul_and_unpaired_surrogates(int code)
    {
        Assert.That(InputRule.Refuses("a" + (char)code + "b"), Is.True);
        Assert.That(InputRule.Refuses("ab" + (char)code), Is.True);
        Assert.That(InputRule.Refuses("\uD83D\uDE00" + (char)code), Is.True);
    }

    [TestCase("plain")]
    [TestCase("tab\there, lines\r\nand a bell\u0007")]
    [TestCase("emoji \U0001F600 and arabic \u0645")]
    [TestCase(null)]
    public void The_rule_keeps_text_postgresql_can_hold(string? text) => Assert.That(InputRule.Refuses(text), Is.False);

    [Test]
    public async Task A_nul_in_a_form_field_is_a_field_error_on_the_form_in_the_users_language()
    {
        foreach (var multipart in new[] { false, true })
        {
            var web = Http();
            var html = await web.GetStringAsync("/account/register");
            var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
            var email = NewEmail("nulform");
            var fields = new Dictionary<string, string>
            {
                ["Input.Email"] = email,
                ["Input.DisplayName"] = "Nul\0Name",
                ["Input.Password"] = Password,
                ["Input.ConfirmPassword"] = Password,
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            };
            HttpContent content = multipart ? Multipart(fields) : new FormUrlEncodedContent(fields);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/account/register") { Content = content };
            request.Headers.AcceptLanguage.ParseAdd("fr");
            request.Headers.Accept.ParseAdd("text/html");
            var response = await web.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body[..Math.Min(300, body.Length)]);
            Assert.That(await App.FindUserAsync(email), Is.Null, "no account was created");
            if (!multipart)
            {
                // The framework's urlencoded form reader refuses a NUL itself, before binding: the 400 page, in French.
                Assert.That(body, Does.Contain("data-testid=\"bad-input\""));
                Assert.That(WebUtility.HtmlDecode(body), Does.Contain("Ce texte contient un caractère qui ne peut pas être enregistré"));
                continue;
            }
            Assert.That(body, Does.Contain("id=\"Input_DisplayName-error\"").Or.Contain("data-valmsg-for=\"Input.DisplayName\""));
            Assert.That(WebUtility.HtmlDecode(body), Does.Contain("Ce texte contient un caractère qui ne peut pas être enregistré"));
            Assert.That(await App.FindUserAsync(email), Is.Null, "no account was created");
        }
    }

    private static MultipartFormDataContent Multipart(Dictionary<string, string> fields)
    {
        var content = new MultipartFormDataContent();
        foreach (var (key, value) in fields)
        {
            content.Add(new StringContent(value), key);
        }
        return content;
    }

    [TestCase("Nul\\u0000Name", true)]
    [TestCase("Lone\\uD800Surrogate", false)]
    public async Task A_refused_character_in_a_json_body_is_a_400_problem_that_says_why(string displayName, bool saysWhy)
    {
        var email = NewEmail("nuljson");
        var json = $$"""{"email":"{{email}}","password":"{{Password}}","displayName":"{{displayName}}"}""";
        var response = await Http().PostAsync("/api/auth/register", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (saysWhy)
        {
            // System.Text.Json refuses an unpaired surrogate escape itself, before the converter: a 400 all the same.
            Assert.That(problem.GetProperty("detail").GetString(), Is.EqualTo(Message));
        }
        Assert.That(await App.FindUserAsync(email), Is.Null, "no account was created");
    }

    [Test]
    public async Task A_nul_in_a_query_is_a_localized_400_page_for_browsers_and_a_problem_for_api_and_streams()
    {
        var web = Http();
        using var page = new HttpRequestMessage(HttpMethod.Get, "/search?q=a%00b");
        page.Headers.Accept.ParseAdd("text/html");
        page.Headers.AcceptLanguage.ParseAdd("ar");
        var response = await web.SendAsync(page);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(html, Does.Contain("data-testid=\"bad-input\"").And.Contain("لا يمكن قبول الطلب").And.Contain("dir=\"rtl\""));

        foreach (var url in new[] { "/api/market/search?q=a%00b", "/api/market/quotes?tickers=ATW%00", "/stream/quotes?tickers=ATW%00" })
        {
            var api = await web.GetAsync(url);
            Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), url);
            Assert.That(api.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), url);
            Assert.That((await api.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), Is.EqualTo(Message), url);
        }
    }

    [Test]
    public async Task A_nul_in_a_minimal_api_form_is_refused_before_the_endpoint()
    {
        var web = Http();
        var html = await web.GetStringAsync("/");
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var response = await web.PostAsync("/preferences", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["language"] = "fr\0", ["theme"] = "dark", ["returnUrl"] = "/", ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("mw.theme", StringComparison.Ordinal)), Is.False,
            "nothing remembered");
    }

    [Test]
    public async Task PostgreSQL_refusing_a_character_is_a_400_problem_not_a_500()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var handler = ActivatorUtilities.CreateInstance<UnstorableTextHandler>(scope.ServiceProvider);
        foreach (var sqlState in new[] { PostgresErrorCodes.CharacterNotInRepertoire, PostgresErrorCodes.UntranslatableCharacter })
        {
            var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            http.Request.Path = "/api/watchlists";
            http.Response.Body = new MemoryStream();
            var error = new Microsoft.EntityFrameworkCore.DbUpdateException("save failed", new PostgresException("invalid byte sequence", "ERROR", "ERROR", sqlState));
            Assert.That(await handler.TryHandleAsync(http, error, CancellationToken.None), Is.True, sqlState);
            Assert.That(http.Response.StatusCode, Is.EqualTo(400), sqlState);
            http.Response.Body.Position = 0;
            Assert.That(JsonDocument.Parse(http.Response.Body).RootElement.GetProperty("detail").GetString(), Is.EqualTo(Message));
        }
        var other = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        Assert.That(await handler.TryHandleAsync(other, new PostgresException("duplicate", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation), CancellationToken.None), Is.False,
            "other database errors are not the client's input");
    }

    [TestCase("/\t/x")]
    [TestCase("/\r\n/x")]
    [TestCase("//evil.example")]
    [TestCase("https://evil.example")]
    [TestCase("/\\evil.example")]
    [TestCase("/caf\u00e9")]
    public async Task Signing_in_with_a_hostile_return_url_redirects_home_on_this_site(string returnUrl)
    {
        var email = NewEmail("returnurl");
        var web = Http();
        await RegisterAsync(web, email);
        var response = await PostFormAsync(web, "/account/login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
            ["ReturnUrl"] = returnUrl,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await response.Content.ReadAsStringAsync());
        var location = response.Headers.Location!.OriginalString;
        Assert.That(location, Is.EqualTo("/"), "a local redirect to the home page, never the hostile target");
    }
}
