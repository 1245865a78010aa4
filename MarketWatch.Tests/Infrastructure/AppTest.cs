using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>A fixture with the app on its own database (cloned from the migrated template).</summary>
public abstract partial class AppTest
{
    protected MarketWatchFactory App { get; private set; } = null!;
    private string _database = "";

    /// <summary>This fixture's database, for a second app instance on the same data.</summary>
    protected string DatabaseName => _database;

    /// <summary>Extra configuration for this fixture's app (keys as in appsettings, e.g. "Smtp:Host").</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>More for this fixture's app than settings give (e.g. a log provider that records what is logged).</summary>
    protected virtual Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp => null;

    /// <summary>Serve on a real Kestrel port (browser tests) instead of the in-memory test server.</summary>
    protected virtual bool UseKestrel => false;

    [OneTimeSetUp]
    public async Task StartAppAsync()
    {
        _database = await TestDatabase.CreateAsync();
        App = new MarketWatchFactory(_database, settings: Settings, kestrel: UseKestrel, configure: ConfigureApp);
        if (UseKestrel)
        {
            _ = App.ServerAddress;
        }
    }

    [OneTimeTearDown]
    public async Task StopAppAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        await TestDatabase.DropAsync(_database);
    }

    protected HttpClient Client(bool followRedirects = false) =>
        App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = followRedirects, HandleCookies = true });

    protected static string NewEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}@example.com";

    public const string Password = "Casablanca-2026";

    /// <summary>Registers through the API (confirmation email is queued, account unconfirmed).</summary>
    protected static async Task RegisterAsync(HttpClient client, string email, string password = Password, string displayName = "Test Investor")
    {
        var response = await client.PostAsJsonAsync("/api/auth/register", new { email, password, displayName });
        Assert.That((int)response.StatusCode, Is.EqualTo(202), await response.Content.ReadAsStringAsync());
    }

    /// <summary>Opens the link of the latest email to <paramref name="email"/> (its confirmation), as its owner would.</summary>
    protected async Task ConfirmEmailAsync(string email)
    {
        var message = await App.LatestEmailToAsync(email);
        Assert.That(message, Is.Not.Null, $"no email to {email}");
        var link = new Uri(MarketWatchFactory.LinkIn(message!));
        // App.CreateClient() knows the Kestrel address when the fixture serves on one.
        var response = await App.CreateClient().GetAsync(link.PathAndQuery);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("data-testid=\"confirm-result\""));
        Assert.That((await App.FindUserAsync(email))?.EmailConfirmed, Is.True, $"{email} should be confirmed");
    }

    /// <summary>Fetches a page, then posts its form with the antiforgery token the page carried, as a browser would.</summary>
    protected static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string pageUrl, IDictionary<string, string> fields, string? action = null)
    {
        var page = await client.GetAsync(pageUrl);
        var html = await page.Content.ReadAsStringAsync();
        var token = AntiforgeryToken().Match(html);
        Assert.That(token.Success, Is.True, $"no antiforgery token on {pageUrl} ({(int)page.StatusCode})");
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = System.Net.WebUtility.HtmlDecode(token.Groups[1].Value) };
        return await client.PostAsync(action ?? pageUrl, new FormUrlEncodedContent(form));
    }

    /// <summary>Signs a browser-like client in with the login form.</summary>
    protected static async Task SignInAsync(HttpClient client, string email, string password = Password)
    {
        var response = await PostFormAsync(client, "/account/login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        Assert.That((int)response.StatusCode, Is.EqualTo(302), "sign-in should redirect");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
