using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// "No console error on any page" (issue 15): every Razor page the app maps (taken from its endpoint data source, not a hand
/// list) on a 360 px phone, by a visitor in English (light) and by a signed-in admin in Arabic (dark) whose own watchlist,
/// alert and share link fill the route values. No page may answer 5xx, log a console error (a CSP violation shows as one), throw an
/// uncaught exception or scroll sideways; the account, admin and dev pages (which VisualCheckTests does not cover) may not
/// carry a serious or critical axe finding either. Every problem is collected before the test fails.
/// </summary>
public sealed class NoConsoleErrorTests : BrowserTest
{
    private readonly LogRecorder _logs = new();

    protected override Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp => _logs.AddTo;

    /// <summary>A 5xx says only "answered 500" in the browser: the server's exception, printed with the failure.</summary>
    [TearDown]
    public void PrintServerErrors() => _logs.WriteExceptions(TestContext.Out);

    [Test]
    public async Task No_page_logs_a_console_error_throws_or_scrolls_sideways_for_a_visitor_or_a_signed_in_admin()
    {
        await Ticks.WriteAsync(App, ("ATW", 760m), ("IAM", 101.2m), ("CDM", 980m));
        var admin = await UserAsync(this, App, _ => App.CreateClient(), "console", admin: true);
        var list = await admin.Api.PostAsJsonAsync("/api/watchlists", new { name = "Console" });
        var listId = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        Assert.That((int)(await admin.Api.PostAsJsonAsync($"/api/watchlists/{listId}/items", new { ticker = "ATW", note = "held" })).StatusCode, Is.EqualTo(201));
        var alertId = await CreateAsync(admin.Api, new { ticker = "CDM", condition = "PriceAbove", level = 9999, channels = new[] { "InApp" } });
        var token = await App.WithDbAsync(async db =>
        {
            var row = await db.Set<Watchlist>().SingleAsync(w => w.Id == listId);
            row.ShareToken = "console" + Guid.NewGuid().ToString("N");
            await db.SaveChangesAsync();
            return row.ShareToken;
        });
        // A portfolio with a few transactions (buys, a sale, a dividend) fills the portfolio pages' {id}.
        var portfolioId = await MarketWatch.Tests.Features.Portfolios.PagesSeed.AddAsync(App, admin.Id, "Console");
        var ids = new Dictionary<string, string> { ["watchlist"] = listId.ToString(), ["alert"] = alertId.ToString(), ["token"] = token, ["portfolio"] = portfolioId.ToString() };
        // A paper account with a live order fills the paper pages' {id} and {orderId}.
        var paper = await admin.Api.PostAsJsonAsync("/api/paper/accounts", new { name = "Console paper", startingCash = 100_000 });
        ids["paper"] = (await paper.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32().ToString();
        var paperOrder = await admin.Api.PostAsJsonAsync($"/api/paper/accounts/{ids["paper"]}/orders", new { ticker = "ATW", side = "Buy", type = "Market", quantity = 1 });
        Assert.That((int)paperOrder.StatusCode, Is.EqualTo(201), await paperOrder.Content.ReadAsStringAsync());
        ids["paperOrder"] = (await paperOrder.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64().ToString();
        // A shared portfolio of the admin's for /p/{token}.
        ids["portfolioToken"] = await App.WithDbAsync(async db =>
        {
            var atw = await db.Set<Web.Features.Market.Instrument>().Where(i => i.Ticker == "ATW").Select(i => i.Id).SingleAsync();
            var shared = new Web.Features.Portfolios.Portfolio
            {
                UserId = admin.Id, Name = "Console shared", ShareToken = "console" + Guid.NewGuid().ToString("N"), CreatedAt = DateTimeOffset.UtcNow,
                Transactions = [new() { Type = Web.Features.Portfolios.TransactionType.Buy, Date = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-30), InstrumentId = atw, Quantity = 10, Price = 700m, Amount = 7000m, CreatedAt = DateTimeOffset.UtcNow }],
            };
            db.Add(shared);
            await db.SaveChangesAsync();
            return shared.ShareToken;
        });

        var pages = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<PageActionDescriptor>() is not null)
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is not { Count: > 0 } methods || methods.Contains("GET"))
            .Select(e => (Path: PathOf(e.RoutePattern, ids), Open: e.Metadata.GetMetadata<IAuthorizeData>() is null || e.Metadata.GetMetadata<IAllowAnonymous>() is not null))
            // One visit per address; an address a visitor may open (the market overview at "/") is visited by the visitor too.
            .GroupBy(p => p.Path).Select(g => (Path: g.Key, Open: g.Any(p => p.Open)))
            .OrderBy(p => p.Path, StringComparer.Ordinal)
            .ToList();
        Assert.That(pages, Has.Count.GreaterThan(30), "every Razor page the app maps");
        TestContext.Out.WriteLine($"{pages.Count} pages: {string.Join(" ", pages.Select(p => p.Path + (p.Open ? "" : "*")))} (* signed in only)");

        var problems = new List<string>();
        foreach (var signedIn in new[] { false, true })
        {
            var language = signedIn ? "ar" : "en";
            await using var context = await NewContextAsync(new BrowserNewContextOptions
            {
                ViewportSize = new ViewportSize { Width = 360, Height = 740 },
                IsMobile = true,
                HasTouch = true,
                Locale = signedIn ? "ar-MA" : "en-US",
                ColorScheme = signedIn ? ColorScheme.Dark : ColorScheme.Light,
            });
            var page = await context.NewPageAsync();
            var errors = new ConsoleErrors(page);
            if (signedIn)
            {
                await App.WithDbAsync(db => db.Users.Where(u => u.Id == admin.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, language)));
                await SignInAsync(page, admin.Email);
            }
            errors.Take();
            // A visitor sent to sign in from a page that needs an account sees the sign-in page, checked once on its own.
            foreach (var path in pages.Where(p => (signedIn || p.Open) && !p.Path.Contains("logout", StringComparison.OrdinalIgnoreCase)).Select(p => p.Path))
            {
                var response = await page.GotoAsync(path);
                if (response is { Status: >= 500 })
                {
                    problems.Add($"{(signedIn ? "admin" : "visitor")} {path}: answered {response.Status}");
                }
                await page.WaitForLoadStateAsync(LoadState.Load);
                await page.WaitForFunctionAsync("() => !document.querySelector('.htmx-request')");
                var who = signedIn ? "admin" : "visitor";
                problems.AddRange(errors.Take().Select(e => $"{who} {path}: {e}"));
                if (await SidewaysScrollProblemAsync(page) is { } overflow)
                {
                    problems.Add($"{who} {path}: {overflow}");
                }
                if (path.StartsWith("/account", StringComparison.Ordinal) || path.StartsWith("/admin", StringComparison.Ordinal) || path.StartsWith("/dev", StringComparison.Ordinal))
                {
                    problems.AddRange((await SeriousAxeFindingsAsync(page)).Select(a => $"{who} {path}: axe: {a}"));
                }
            }
        }
        Assert.That(problems, Is.Empty, string.Join("\n", problems));
    }

    /// <summary>The page's address with its route values filled: the admin's own rows where it names one.</summary>
    private static string PathOf(RoutePattern pattern, Dictionary<string, string> ids)
    {
        var raw = pattern.RawText ?? "";
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            var text = new StringBuilder();
            foreach (var part in segment.Parts)
            {
                text.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart { IsCatchAll: true } or RoutePatternParameterPart { IsOptional: true } => "",
                    RoutePatternParameterPart { Name: "id" } when raw.Contains("paper", StringComparison.OrdinalIgnoreCase) => ids["paper"],
                    RoutePatternParameterPart { Name: "orderId" } => ids["paperOrder"],
                    RoutePatternParameterPart { Name: "id" } when raw.Contains("alert", StringComparison.OrdinalIgnoreCase) => ids["alert"],
                    RoutePatternParameterPart { Name: "id" } when raw.Contains("watchlist", StringComparison.OrdinalIgnoreCase) => ids["watchlist"],
                    RoutePatternParameterPart { Name: "id" } when raw.Contains("portfolio", StringComparison.OrdinalIgnoreCase) => ids["portfolio"],
                    RoutePatternParameterPart { Name: "id" } when raw.TrimStart('/').StartsWith("paper/", StringComparison.OrdinalIgnoreCase) => ids["paper"],
                    RoutePatternParameterPart { Name: "token" } when raw.TrimStart('/').StartsWith("p/", StringComparison.Ordinal) => ids["portfolioToken"],
                    RoutePatternParameterPart { Name: "token" } => ids["token"],
                    RoutePatternParameterPart { Name: "ticker" } => "ATW",
                    RoutePatternParameterPart => "1",
                    _ => "",
                });
            }
            if (text.Length > 0)
            {
                path.Append('/').Append(text);
            }
        }
        return path.Length == 0 ? "/" : path.ToString();
    }
}
