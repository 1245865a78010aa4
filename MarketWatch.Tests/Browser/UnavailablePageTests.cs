using System.Data.Common;
using System.Net.Sockets;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Host;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// The 503 page a browser gets while the database is unreachable fits a 360 px phone, in English and in Arabic.
/// Stopping PostgreSQL takes a private cluster (DatabaseOutageTests); here the requests that carry a test header find
/// their connections refused, the way an outage refuses them, and the rest of the app works as usual.
/// </summary>
public sealed class UnavailablePageTests : BrowserTest
{
    private const string OutageHeader = "X-Test-Database-Outage";

    protected override Action<IWebHostBuilder>? ConfigureApp => builder => builder.ConfigureTestServices(services =>
    {
        services.AddHttpContextAccessor();
        services.ConfigureDbContext<AppDbContext>((provider, options) =>
            options.AddInterceptors(new RefusedConnections(provider.GetRequiredService<IHttpContextAccessor>())));
    });

    /// <summary>Refuses the connection of a request that asks for an outage.</summary>
    private sealed class RefusedConnections(IHttpContextAccessor http) : DbConnectionInterceptor
    {
        public override ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result,
            CancellationToken cancellationToken = default) =>
            http.HttpContext?.Request.Headers.ContainsKey(OutageHeader) == true
                ? throw new NpgsqlException("Failed to connect (test outage)", new SocketException((int)SocketError.ConnectionRefused))
                : ValueTask.FromResult(result);

        public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
            http.HttpContext?.Request.Headers.ContainsKey(OutageHeader) == true
                ? throw new NpgsqlException("Failed to connect (test outage)", new SocketException((int)SocketError.ConnectionRefused))
                : result;
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task The_database_unavailable_page_does_not_scroll_sideways_at_360_px(string language)
    {
        await using var context = await NewPhoneContextAsync(language);
        await context.SetExtraHTTPHeadersAsync([new(OutageHeader, "1")]);
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync("/stocks/ATW");
        Assert.That(response!.Status, Is.EqualTo(503));
        await Expect(page.GetByTestId("unavailable")).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("dir", language == "ar" ? "rtl" : "ltr");
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        Assert.That(overflow, Is.LessThanOrEqualTo(0), $"the 503 page scrolls sideways by {overflow}px");
    }
}
