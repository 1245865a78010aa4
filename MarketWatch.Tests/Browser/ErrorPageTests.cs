using System.Data.Common;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Host;
using Microsoft.AspNetCore.Builder;
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
/// People get a branded error page in their language (404, 500), with the site search and a way home, and the status
/// code; the API, streams and requests for JSON keep problem+json. A test-only path throws (registered after the app's
/// endpoints, inside its exception handling); a test header refuses the database's connections, as an outage would.
/// </summary>
public sealed class ErrorPageTests : BrowserTest
{
    private const string OutageHeader = "X-Test-Database-Outage";
    private const string Secret = "secret-detail-that-must-not-show";

    protected override Action<IWebHostBuilder>? ConfigureApp => builder => builder.ConfigureTestServices(services =>
    {
        services.AddHttpContextAccessor();
        services.ConfigureDbContext<AppDbContext>((provider, options) =>
            options.AddInterceptors(new RefusedConnections(provider.GetRequiredService<IHttpContextAccessor>())));
        services.AddSingleton<IStartupFilter, ThrowingPaths>();
    });

    /// <summary>After the app's pipeline (reached when no endpoint matched): <c>/test/throw</c> and <c>/api/test/throw</c> fail.</summary>
    private sealed class ThrowingPaths : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((http, nextMiddleware) => http.Request.Path.Value is "/test/throw" or "/api/test/throw"
                ? throw new InvalidOperationException(Secret)
                : nextMiddleware(http));
        };
    }

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

    [TestCase("en", "This page does not exist")]
    [TestCase("ar", "هذه الصفحة غير موجودة")]
    public async Task Every_missing_page_is_a_branded_404_with_search_and_a_way_home(string language, string title)
    {
        var user = await Features.Alerts.AlertTesting.UserAsync(this, App, _ => App.CreateClient(), "errors-" + language);
        await App.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, language)));
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        // The document's own 404 is the point; any other failed load (a script, a style, an icon) counts.
        var errors = new ConsoleErrors(page);
        await SignInAsync(page, user.Email);

        // A revoked share link answers like one that never existed (WatchlistPagesTests): the last address stands for both.
        foreach (var path in new[] { "/stocks/ZZZZ", "/watchlists/9999", "/alerts/99999", "/no/such/page", "/w/" + new string('a', 43) })
        {
            var response = await page.GotoAsync(path);
            Assert.That(response!.Status, Is.EqualTo(404), path);
            Assert.That(response.Headers["content-type"], Does.StartWith("text/html"), path);
            var panel = page.GetByTestId("error-page");
            await Expect(panel).ToHaveAttributeAsync("data-status", "404");
            await Expect(panel.Locator("h1")).ToHaveTextAsync(title);
            await Expect(page).ToHaveTitleAsync(title + " · MarketWatch");
            await Expect(page.Locator("html")).ToHaveAttributeAsync("dir", language == "ar" ? "rtl" : "ltr");
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
            await Expect(page.GetByTestId("error-home")).ToHaveAttributeAsync("href", "/");
            var search = page.GetByTestId("error-search");
            await Expect(search).ToBeEnabledAsync();
            Assert.That(await search.EvaluateAsync<string>("e => e.form.getAttribute('role') + ' ' + e.form.getAttribute('aria-label') + ' ' + e.form.action"),
                Does.Match("^search .+ http://[^ ]+/search$"), path);
            // The language switch returns to the address that failed, not to /error/404.
            await Expect(page.Locator("form.prefs input[name=returnUrl]")).ToHaveValueAsync(path);
            await AssertNoSidewaysScrollAsync(page);
        }

        // No console error beyond the 404 responses themselves.
        errors.AssertNone();

        // The search works from there.
        await page.GetByTestId("error-search").FillAsync("IAM");
        await page.GetByTestId("error-search").PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/search\\?q=IAM$"));
    }

    [Test]
    public async Task The_api_json_clients_and_htmx_swaps_keep_problem_json()
    {
        var client = App.CreateClient();
        async Task<HttpResponseMessage> GetAsync(string path, string accept, bool htmx = false)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd(accept);
            if (htmx)
            {
                request.Headers.Add("HX-Request", "true");
            }
            return await client.SendAsync(request);
        }
        const string browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

        var page = await GetAsync("/stocks/ZZZZ", browser);
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));

        foreach (var (path, accept, htmx) in new[]
                 {
                     ("/api/market/instruments/ZZZZ", browser, false), ("/api/no-such-endpoint", browser, false),
                     ("/stocks/ZZZZ", "application/json", false), ("/stocks/ZZZZ", browser, true), ("/no/such/page", "*/*", false),
                 })
        {
            var response = await GetAsync(path, accept, htmx);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), path);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), $"{path} ({accept}, htmx {htmx})");
        }

        var failure = await GetAsync("/api/test/throw", browser);
        Assert.That(failure.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(failure.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [TestCase("en", "You are offline")]
    [TestCase("ar", "أنت غير متصل")]
    public async Task The_offline_page_is_the_same_panel_with_the_search_disabled_and_a_retry(string language, string title)
    {
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync("/offline");
        var panel = page.GetByTestId("offline-panel");
        await Expect(panel.Locator("h1")).ToHaveTextAsync(title);
        await Expect(panel).ToHaveClassAsync("error-page");
        await Expect(page.GetByTestId("error-search")).ToBeDisabledAsync();
        // The worker serves this page in place of the address that failed: "Try again" loads that address again.
        await Expect(page.GetByTestId("error-retry")).ToHaveAttributeAsync("href", "");
        await Expect(page.GetByTestId("error-home")).ToHaveAttributeAsync("href", "/");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("dir", language == "ar" ? "rtl" : "ltr");
        await AssertNoSidewaysScrollAsync(page);
        // The scripts ran (the theme is set) without a console error (no inline style refused, no missing icon).
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", new System.Text.RegularExpressions.Regex("light|dark"));
        Assert.That(errors, Is.Empty);
    }

    [TestCase("en", "Something went wrong on our side")]
    [TestCase("ar", "حدث خطأ من جهتنا")]
    public async Task A_failure_is_a_branded_500_that_shows_no_detail_and_needs_no_database(string language, string title)
    {
        await using var context = await NewPhoneContextAsync(language);
        // Every connection this page's requests open is refused: the page must not need one.
        await context.SetExtraHTTPHeadersAsync([new(OutageHeader, "1")]);
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync("/test/throw?x=1");
        Assert.That(response!.Status, Is.EqualTo(500));
        var panel = page.GetByTestId("error-page");
        await Expect(panel).ToHaveAttributeAsync("data-status", "500");
        await Expect(panel.Locator("h1")).ToHaveTextAsync(title);
        await Expect(page.GetByTestId("error-retry")).ToHaveAttributeAsync("href", "/test/throw?x=1");
        await Expect(page.GetByTestId("error-home")).ToHaveAttributeAsync("href", "/");
        Assert.That(await page.ContentAsync(), Does.Not.Contain(Secret).And.Not.Contain("InvalidOperationException"));
        await AssertNoSidewaysScrollAsync(page);
    }
}
