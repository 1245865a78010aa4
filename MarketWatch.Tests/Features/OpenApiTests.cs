using System.Net;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace MarketWatch.Tests.Features;

/// <summary>
/// The OpenAPI document is public on purpose, in Production too (it documents the API users call with their tokens),
/// leaves admin-only operations out, and an operator can take it off with Api:PublishOpenApi=false.
/// </summary>
public sealed class OpenApiTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["App:BaseUrl"] = "https://marketwatch.example",
        ["AllowedHosts"] = "*",
        ["DataProtection:Certificate"] = TestCertificates.Environment["DataProtection__Certificate"],
        ["DataProtection:CertificatePassword"] = TestCertificates.Password,
    };

    protected override Action<IWebHostBuilder>? ConfigureApp => builder => builder.UseEnvironment("Production");

    [Test]
    public async Task Production_serves_the_public_api_document_without_admin_operations()
    {
        var response = await Client().GetAsync("/openapi/v1.json");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var paths = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(paths, Is.SupersetOf(new[] { "/api/alerts", "/api/alerts/{id}/resume", "/api/watchlists", "/api/market/quotes", "/api/auth/login", "/api/portfolios", "/api/portfolios/{id}/transactions/{txId}" }));
        Assert.That(paths, Does.Not.Contain("/api/alerts/trigger"), "the admins' sweep trigger is not part of the public API");
    }

    [Test]
    public async Task An_operator_can_take_the_document_off()
    {
        await using var app = new MarketWatchFactory(DatabaseName, settings: new Dictionary<string, string?>(Settings) { ["Api:PublishOpenApi"] = "false" },
            configure: ConfigureApp);
        Assert.That((await app.CreateClient().GetAsync("/openapi/v1.json")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await app.CreateClient().GetAsync("/api/market/status")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the API itself stays");
    }
}
