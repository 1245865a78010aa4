using System.Net.Http.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Host;

namespace MarketWatch.Tests.Features.Edge;

/// <summary>Finding 2: links in emails never come from the request's Host header.</summary>
public sealed class HostHeaderTests : AppTest
{
    [Test]
    public async Task A_reset_requested_with_a_forged_host_mails_a_link_to_this_server_not_to_that_host()
    {
        var email = NewEmail("host");
        await RegisterAsync(Client(), email);

        // Development without App:BaseUrl, the one place it may be empty: the link is this server's own address.
        var response = await Client().PostAsJsonAsync("http://evil.example/api/auth/reset-password", new { email });
        Assert.That((int)response.StatusCode, Is.EqualTo(202));

        var link = MarketWatchFactory.LinkIn((await App.LatestEmailToAsync(email))!);
        Assert.That(link, Does.Contain("/account/reset-password"));
        Assert.That(link, Does.Not.Contain("evil.example"));
        Assert.That(link, Does.StartWith("http://localhost/"));
    }
}

public sealed class ConfiguredBaseUrlTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["App:BaseUrl"] = "https://marketwatch.example" };

    [Test]
    public async Task A_reset_requested_with_a_forged_host_mails_a_link_on_the_configured_base_url()
    {
        var email = NewEmail("host");
        await RegisterAsync(Client(), email);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/reset-password") { Content = JsonContent.Create(new { email }) };
        request.Headers.Host = "evil.example";
        Assert.That((int)(await Client().SendAsync(request)).StatusCode, Is.EqualTo(202));

        var link = MarketWatchFactory.LinkIn((await App.LatestEmailToAsync(email))!);
        Assert.That(link, Does.StartWith("https://marketwatch.example/account/reset-password"));
    }
}

/// <summary>Outside Development the app does not start without App:BaseUrl, and says which setting is missing.</summary>
public sealed class BaseUrlRequiredTests
{
    [Test]
    public async Task Production_without_App_BaseUrl_refuses_to_start_and_names_the_setting()
    {
        // The key-ring certificate Production also requires is given, so the refusal can only be about App:BaseUrl.
        var (code, text) = await AppCommand.RunAsync(TestDatabase.ConnectionStringFor("postgres"), ["--urls", $"http://127.0.0.1:{Ports.Free()}"],
            new Dictionary<string, string> { ["App__BaseUrl"] = "", ["MarketData__Ingest"] = "false", ["Database__MigrateOnStartup"] = "false" });
        Assert.That(code, Is.Not.Zero, text);
        Assert.That(text, Does.Contain("App:BaseUrl must be set outside Development"));
        Assert.That(text, Does.Contain(EdgeSetup.BaseUrlRequired[..40]));
    }
}
