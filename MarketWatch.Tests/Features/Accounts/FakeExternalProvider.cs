using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Accounts;

/// <summary>
/// Stands in for the round trip to Google or an OpenID Connect provider: <c>GET /test/external-sign-in</c> writes the
/// external cookie the provider's handler would write (provider, subject, email, and <c>email_verified</c> only when
/// asked), then sends the browser to the app's own callback, which runs unchanged.
/// </summary>
public static class FakeExternalProvider
{
    public const string Path = "/test/external-sign-in";

    public static void Configure(IWebHostBuilder builder) =>
        builder.ConfigureServices(services => services.AddTransient<IStartupFilter, Filter>());

    /// <summary>Signs <paramref name="client"/> in through the provider; returns the callback's response (a redirect when it worked).</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string provider, string subject, string email, bool verified, string name = "Provider Name")
    {
        var start = await client.GetAsync($"{Path}?provider={provider}&sub={Uri.EscapeDataString(subject)}&email={Uri.EscapeDataString(email)}&verified={verified}&name={Uri.EscapeDataString(name)}");
        Assert.That((int)start.StatusCode, Is.EqualTo(302));
        var callback = await client.GetAsync(start.Headers.Location);
        if ((int)callback.StatusCode != 302)
        {
            TestContext.Out.WriteLine(await callback.Content.ReadAsStringAsync());
        }
        return callback;
    }

    private sealed class Filter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            // Not app.Map: that would make the path a PathBase, and the cookie would be scoped to it.
            app.Use(async (http, following) =>
            {
                if (http.Request.Path != Path)
                {
                    await following(http);
                    return;
                }
                var query = http.Request.Query;
                var identity = new ClaimsIdentity(query["provider"].ToString());
                identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, query["sub"].ToString()));
                identity.AddClaim(new Claim(ClaimTypes.Email, query["email"].ToString()));
                identity.AddClaim(new Claim(ClaimTypes.Name, query["name"].ToString()));
                if (string.Equals(query["verified"], "true", StringComparison.OrdinalIgnoreCase))
                {
                    identity.AddClaim(new Claim("email_verified", "true"));
                }
                var properties = new AuthenticationProperties();
                properties.Items["LoginProvider"] = query["provider"].ToString();
                await http.SignInAsync(IdentityConstants.ExternalScheme, new ClaimsPrincipal(identity), properties);
                http.Response.Redirect("/account/external-login/Callback?returnUrl=%2Faccount%2Fmanage");
            });
            next(app);
        };
    }
}
