using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// The visual check of issue 15: the main pages, as a visitor and signed in, at 360 px (a phone) and 1366 px (a laptop), in
/// English and Arabic, light and dark (dark on the phone only, see <see cref="Sizes"/>), with realistic prices. Each page is screenshotted under .data/visual/ (kept by CI for
/// review, see docs/operations.md) and must not scroll sideways, overlap its header items (or a toast over the price),
/// carry a serious or critical axe finding, or log a console error. Every problem of every page is collected before the
/// test fails, so one run lists them all (also written to .data/visual/problems.txt).
/// </summary>
public sealed class VisualCheckTests : BrowserTest
{
    private static readonly (string Name, string Path)[] VisitorPages =
    [
        ("market", "/"), ("stocks", "/stocks"), ("stock-IAM", "/stocks/IAM"), ("login", "/account/login"),
        ("register", "/account/register"), ("not-found", "/no-such-page"),
    ];

    /// <summary>
    /// Both themes on the phone and both widths in the light theme, each in English and Arabic: the dark theme only changes
    /// colours, which axe checks as well at either width, and the fourth combination would add a quarter to the run time.
    /// </summary>
    private static readonly (int Width, string Theme)[] Sizes = [(360, "light"), (360, "dark"), (1366, "light")];

    /// <summary>Elements that must never sit on top of each other: the header's items, a toast and the price under it.</summary>
    private static readonly string[] KeyElements =
    [
        ".site-header .brand", ".market-status", ".site-header .search", ".site-header .bell", ".site-header .menu-toggle",
        ".site-header .nav > a", ".site-header .nav > form", ".site-header .nav > button", ".toasts > *", "main h1", "[data-cell=last]",
    ];

    [Test]
    public async Task Main_pages_at_360_and_1366_px_in_en_and_ar_light_and_dark_show_no_overflow_overlap_axe_finding_or_console_error()
    {
        var watch = Stopwatch.StartNew();
        await FeedQuotesAsync(1.00m);
        var user = await UserAsync(this, App, _ => App.CreateClient(), "visual");
        var listId = await WatchlistWithRowsAsync(user.Api);
        await CreateAsync(user.Api, new { ticker = "CDM", condition = "PriceAbove", level = 9999, channels = new[] { "InApp" }, note = "Visual check" });
        await CreateAsync(user.Api, new { ticker = "ATW", condition = "PriceBelow", level = 1, channels = new[] { "InApp" } });
        // A second batch of prices: day changes, sparklines and the alert history have something to show.
        await FeedQuotesAsync(1.01m);
        (string Name, string Path)[] userPages =
        [
            ("home", "/"), ("watchlist", $"/watchlists/{listId}"), ("alerts", "/alerts"), ("alert-new", "/alerts/new?ticker=ATW"),
            ("notifications", "/notifications"), ("account", "/account/manage"),
        ];
        var setup = watch.Elapsed;

        var problems = new List<string>();
        var root = Path.Combine(RepoRoot, ".data", "visual");
        foreach (var (width, theme) in Sizes)
        {
            foreach (var language in new[] { "en", "ar" })
            {
                {
                    var combo = $"{width}-{language}-{theme}";
                    var folder = Path.Combine(root, combo);
                    Directory.CreateDirectory(folder);
                    await using var context = await NewContextAsync(new BrowserNewContextOptions
                    {
                        ViewportSize = new ViewportSize { Width = width, Height = width < 800 ? 740 : 768 },
                        IsMobile = width < 800,
                        HasTouch = width < 800,
                        Locale = language == "ar" ? "ar-MA" : "en-US",
                        ColorScheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
                    });
                    // The language as the header's picker remembers it: it wins over the profile's and the browser's.
                    await context.AddCookiesAsync([new Cookie
                    {
                        Name = CookieRequestCultureProvider.DefaultCookieName,
                        Value = CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(Languages.FormattingCulture(language), language)),
                        Url = BaseUrl,
                    }]);
                    var page = await context.NewPageAsync();
                    var errors = new ConsoleErrors(page);
                    foreach (var (name, path) in VisitorPages)
                    {
                        problems.AddRange(await CheckAsync(page, errors, path, Path.Combine(folder, "visitor-" + name + ".png"), $"{combo} visitor {path}", language, theme));
                    }
                    // The profile's language: signing in remembers it in the language cookie.
                    await App.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, language)));
                    await SignInAsync(page, user.Email);
                    errors.Take();
                    foreach (var (name, path) in userPages)
                    {
                        problems.AddRange(await CheckAsync(page, errors, path, Path.Combine(folder, "user-" + name + ".png"), $"{combo} user {path}", language, theme));
                    }
                }
            }
        }
        TestContext.Out.WriteLine($"visual check: setup {setup.TotalSeconds:F1}s, total {watch.Elapsed.TotalSeconds:F1}s (load {Timings[0].TotalSeconds:F0}s, screenshot {Timings[1].TotalSeconds:F0}s, layout {Timings[2].TotalSeconds:F0}s, axe {Timings[3].TotalSeconds:F0}s), screenshots in {root}");
        await File.WriteAllLinesAsync(Path.Combine(root, "problems.txt"), problems);
        Assert.That(problems, Is.Empty, $"{problems.Count} problems (screenshots in {root}):\n" + string.Join("\n", problems));
    }

    private static readonly TimeSpan[] Timings = new TimeSpan[4];

    /// <summary>Opens one page, screenshots it and returns what is wrong with it, each line prefixed with where.</summary>
    private static async Task<List<string>> CheckAsync(IPage page, ConsoleErrors errors, string path, string screenshot, string where, string language, string theme)
    {
        var found = new List<string>();
        var t = Stopwatch.StartNew();
        await page.GotoAsync(path);
        await SettledAsync(page);
        Timings[0] += t.Elapsed; t.Restart();
        if (await page.Locator("html").GetAttributeAsync("lang") is { } lang && lang != language)
        {
            found.Add($"{where}: html lang is {lang}, not {language}");
        }
        if (await page.Locator("html").GetAttributeAsync("data-theme") is { } shown && shown != theme)
        {
            found.Add($"{where}: data-theme is {shown}, not {theme}");
        }
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        Timings[1] += t.Elapsed; t.Restart();
        if (await SidewaysScrollProblemAsync(page) is { } overflow)
        {
            found.Add($"{where}: overflow: {overflow}");
        }
        found.AddRange((await OverlapsAsync(page, KeyElements)).Select(o => $"{where}: overlap: {o}"));
        Timings[2] += t.Elapsed; t.Restart();
        found.AddRange((await SeriousAxeFindingsAsync(page)).Select(a => $"{where}: axe: {a}"));
        Timings[3] += t.Elapsed;
        found.AddRange(errors.Take().Select(e => $"{where}: {e}"));
        return found;
    }

    /// <summary>The page has loaded and htmx has no request in flight (fragments loaded on load have arrived).</summary>
    private static async Task SettledAsync(IPage page)
    {
        await page.WaitForLoadStateAsync(LoadState.Load);
        await page.WaitForFunctionAsync("() => document.fonts.status === 'loaded' && !document.querySelector('.htmx-request')");
    }

    /// <summary>Quotes for every listed instrument around its reference close (times <paramref name="factor"/>), so tables are full.</summary>
    private async Task FeedQuotesAsync(decimal factor)
    {
        var rows = File.ReadAllLines(Path.Combine(RepoRoot, "MarketWatch.Web", "Data", "Seed", "cse-equities.csv")).Skip(1)
            .Select(line => line.Split(','))
            .Select((cells, i) => (cells[0], Math.Round(decimal.Parse(cells[5], CultureInfo.InvariantCulture) * factor * (1 + (i % 7 - 3) / 100m), 2)))
            .ToArray();
        await Ticks.WriteAsync(App, rows);
    }

    private static async Task<int> WatchlistWithRowsAsync(HttpClient api)
    {
        var created = await api.PostAsJsonAsync("/api/watchlists", new { name = "Visual check" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        foreach (var (ticker, note, target) in new[] { ("ATW", "Long term", 800m), ("IAM", "Dividend", 120m), ("BCP", "", 0m), ("CDM", "Watch the results", 500m), ("LHM", "", 0m) })
        {
            var added = await api.PostAsJsonAsync($"/api/watchlists/{id}/items", new { ticker, note, targetPrice = target == 0 ? (decimal?)null : target });
            Assert.That((int)added.StatusCode, Is.EqualTo(201), await added.Content.ReadAsStringAsync());
        }
        return id;
    }
}
