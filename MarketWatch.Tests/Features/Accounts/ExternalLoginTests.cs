using System.Net;
using System.Text.RegularExpressions;
using System.Web;
using MarketWatch.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace MarketWatch.Tests.Features.Accounts;

/// <summary>
/// External sign-in up to the redirect to the provider: Google with its fixed endpoints, and OpenID Connect
/// against a discovery document served by a real HTTP server on 127.0.0.1.
/// </summary>
public sealed partial class ExternalLoginTests : AppTest
{
    private WebApplication _provider = null!;
    private string _authority = "";

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            StartProvider();
            return new Dictionary<string, string?>
            {
                ["Authentication:Google:ClientId"] = "google-client-id.apps.googleusercontent.com",
                ["Authentication:Google:ClientSecret"] = "google-secret",
                ["Authentication:OpenIdConnect:Authority"] = _authority,
                ["Authentication:OpenIdConnect:ClientId"] = "entra-client",
                ["Authentication:OpenIdConnect:ClientSecret"] = "entra-secret",
                ["Authentication:OpenIdConnect:DisplayName"] = "Microsoft",
                ["Authentication:OpenIdConnect:RequireHttpsMetadata"] = "false",
            };
        }
    }

    private void StartProvider()
    {
        if (_provider is not null)
        {
            return;
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _provider = builder.Build();
        _provider.MapGet("/.well-known/openid-configuration", (HttpContext http) =>
        {
            var issuer = $"http://{http.Request.Host}";
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = issuer,
                ["authorization_endpoint"] = issuer + "/authorize",
                ["token_endpoint"] = issuer + "/token",
                ["userinfo_endpoint"] = issuer + "/userinfo",
                ["jwks_uri"] = issuer + "/jwks",
                ["response_types_supported"] = new[] { "code" },
                ["subject_types_supported"] = new[] { "public" },
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
        });
        _provider.MapGet("/jwks", () => Results.Json(new { keys = Array.Empty<object>() }));
        _provider.StartAsync().GetAwaiter().GetResult();
        _authority = _provider.Urls.First();
    }

    [OneTimeTearDown]
    public async Task StopProviderAsync() => await _provider.DisposeAsync();

    private async Task<HttpResponseMessage> ChallengeAsync(HttpClient client, string provider) =>
        await PostFormAsync(client, "/account/login", new Dictionary<string, string> { ["provider"] = provider, ["returnUrl"] = "/account/manage" }, "/account/external-login");

    [Test]
    public async Task Both_buttons_show_when_configured()
    {
        var html = await (await Client().GetAsync("/account/login")).Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("data-testid=\"external-Google\"").And.Contain("Continue with Google"));
        Assert.That(html, Does.Contain("data-testid=\"external-oidc\"").And.Contain("Continue with Microsoft"));
    }

    [Test]
    public async Task Google_redirects_to_google_with_the_client_callback_scopes_and_state()
    {
        var response = await ChallengeAsync(Client(), "Google");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var location = response.Headers.Location!;
        Assert.That(location.GetLeftPart(UriPartial.Path), Is.EqualTo("https://accounts.google.com/o/oauth2/v2/auth"));
        var query = HttpUtility.ParseQueryString(location.Query);
        Assert.That(query["client_id"], Is.EqualTo("google-client-id.apps.googleusercontent.com"));
        Assert.That(query["response_type"], Is.EqualTo("code"));
        Assert.That(query["redirect_uri"], Is.EqualTo("http://localhost/signin-google"));
        Assert.That(query["scope"]!.Split(' '), Is.SupersetOf(new[] { "openid", "profile", "email" }));
        Assert.That(query["state"], Is.Not.Empty);
        Assert.That(query["code_challenge_method"], Is.EqualTo("S256"));
    }

    [Test]
    public async Task OpenId_Connect_redirects_to_the_discovered_authorize_endpoint_with_pkce_and_nonce()
    {
        var response = await ChallengeAsync(Client(), "oidc");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var location = response.Headers.Location!;
        Assert.That(location.GetLeftPart(UriPartial.Path), Is.EqualTo(_authority.TrimEnd('/') + "/authorize"));
        var query = HttpUtility.ParseQueryString(location.Query);
        Assert.That(query["client_id"], Is.EqualTo("entra-client"));
        Assert.That(query["response_type"], Is.EqualTo("code"));
        Assert.That(query["redirect_uri"], Is.EqualTo("http://localhost/signin-oidc"));
        Assert.That(query["scope"]!.Split(' '), Is.EquivalentTo(new[] { "openid", "profile", "email" }));
        Assert.That(query["nonce"], Is.Not.Empty);
        Assert.That(query["code_challenge"], Is.Not.Empty);
    }

    [Test]
    public async Task An_unknown_provider_is_not_found()
    {
        var response = await ChallengeAsync(Client(), "Facebook");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
