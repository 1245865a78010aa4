using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using Microsoft.EntityFrameworkCore;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features;

/// <summary>
/// A cookie-signed-in /api request that changes something needs the page's antiforgery token in the
/// RequestVerificationToken header (Infrastructure/Web/ApiAntiforgery), body or not; a bearer token needs none.
/// Before, these went through on SameSite=Lax alone: a text/plain POST from another site's page logged the user out.
/// </summary>
public sealed partial class ApiAntiforgeryTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Alerts:Engine"] = "false" };

    private static readonly object Rule = new { ticker = "ATW", condition = "PriceAbove", level = 100000, channels = new[] { "InApp" } };

    /// <summary>The same account twice: a bearer API client and a browser signed in with the login form (cookie).</summary>
    private async Task<(User User, HttpClient Browser)> UserAsync(bool admin = false)
    {
        var user = await Alerts.AlertTesting.UserAsync(this, App, Client, "csrf", admin);
        var browser = Client();
        await SignInAsync(browser, user.Email);
        return (user, browser);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    /// <summary>The token a page of the app gives its scripts (the same one htmx sends).</summary>
    private static async Task<string> PageTokenAsync(HttpClient browser)
    {
        var html = await (await browser.GetAsync("/alerts")).Content.ReadAsStringAsync();
        var match = TokenField().Match(html);
        Assert.That(match.Success, Is.True, "no antiforgery token on /alerts");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, string? token = null, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        if (token is not null)
        {
            request.Headers.Add("RequestVerificationToken", token);
        }
        return request;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), $"{what}: {body}");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), what);
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), Does.Contain("anti-forgery token"), what);
    }

    private Task<AlertStatus?> StatusAsync(long id) =>
        App.WithDbAsync(db => db.Set<Alert>().Where(a => a.Id == id).Select(a => (AlertStatus?)a.Status).SingleOrDefaultAsync());

    [Test]
    public async Task Cookie_requests_without_the_header_are_refused_and_change_nothing()
    {
        var (user, browser) = await UserAsync();
        var id = await CreateAsync(user.Api, Rule);
        var preferences = await user.Api.GetStringAsync("/api/notifications/preferences");

        await AssertRefusedAsync(await browser.SendAsync(Request(HttpMethod.Post, "/api/notifications/preferences/webhook-secret")), "webhook secret rotation");
        await AssertRefusedAsync(await browser.SendAsync(Request(HttpMethod.Post, $"/api/alerts/{id}/pause")), "pause");
        await AssertRefusedAsync(await browser.SendAsync(Request(HttpMethod.Delete, $"/api/alerts/{id}")), "delete");
        await AssertRefusedAsync(await browser.SendAsync(Request(HttpMethod.Put, $"/api/alerts/{id}", content: JsonContent.Create(new { ticker = "ATW", condition = "PriceBelow", level = 1, channels = new[] { "InApp" } }))), "edit");
        await AssertRefusedAsync(await browser.PostAsJsonAsync("/api/alerts", Rule), "create");
        // What a form or fetch on another site can send without a preflight: a text/plain body.
        await AssertRefusedAsync(await browser.PostAsync("/api/auth/logout", new StringContent("x", Encoding.UTF8, "text/plain")), "logout");
        // A wrong token is no token.
        await AssertRefusedAsync(await browser.SendAsync(Request(HttpMethod.Post, $"/api/alerts/{id}/pause", "not-a-token")), "wrong token");

        Assert.That(await StatusAsync(id), Is.EqualTo(AlertStatus.Active));
        Assert.That(await App.WithDbAsync(db => db.Set<Alert>().CountAsync(a => a.UserId == user.Id)), Is.EqualTo(1));
        Assert.That(await user.Api.GetStringAsync("/api/notifications/preferences"), Is.EqualTo(preferences), "the webhook secret was not rotated");
        Assert.That((await browser.GetAsync("/api/auth/profile")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "still signed in; reads need no token");
    }

    [Test]
    public async Task The_admin_sweep_trigger_needs_the_header_from_a_cookie_too()
    {
        var (_, browser) = await UserAsync(admin: true);
        await AssertRefusedAsync(await browser.PostAsync("/api/alerts/trigger", null), "admin trigger");
        var allowed = await browser.SendAsync(Request(HttpMethod.Post, "/api/alerts/trigger", await PageTokenAsync(browser)));
        Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await allowed.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Cookie_requests_with_the_pages_token_work()
    {
        var (user, browser) = await UserAsync();
        var id = await CreateAsync(user.Api, Rule);
        var token = await PageTokenAsync(browser);

        Assert.That((await browser.SendAsync(Request(HttpMethod.Post, $"/api/alerts/{id}/pause", token))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await StatusAsync(id), Is.EqualTo(AlertStatus.Paused));
        var rotated = await browser.SendAsync(Request(HttpMethod.Post, "/api/notifications/preferences/webhook-secret", token));
        Assert.That(rotated.StatusCode, Is.EqualTo(HttpStatusCode.OK), await rotated.Content.ReadAsStringAsync());
        Assert.That((await browser.SendAsync(Request(HttpMethod.Delete, $"/api/alerts/{id}", token))).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await StatusAsync(id), Is.Null);
        Assert.That((await browser.SendAsync(Request(HttpMethod.Post, "/api/auth/logout", token, new StringContent("x", Encoding.UTF8, "text/plain")))).StatusCode,
            Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await browser.GetAsync("/api/auth/profile")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "signed out");
    }

    [Test]
    public async Task Bearer_requests_need_no_header()
    {
        var (user, _) = await UserAsync();
        var id = await CreateAsync(user.Api, Rule);
        Assert.That((await user.Api.PostAsync($"/api/alerts/{id}/pause", null)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await user.Api.PostAsync("/api/notifications/preferences/webhook-secret", null)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await user.Api.DeleteAsync($"/api/alerts/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await user.Api.PostAsync("/api/auth/logout", new StringContent("x", Encoding.UTF8, "text/plain"))).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }
}
