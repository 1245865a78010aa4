using System.Text.Json;
using MarketWatch.Web.Features.Market;
using MarketWatch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// The frame of every page (header, simulated note, footer) and the market pages with real rows, measured at 360 px
/// and 1366 px in English, French and Arabic: one compact header row, nothing scrolled sideways, a sort control on the
/// phone's instruments list, and a primary button readable in both themes.
/// </summary>
public sealed class FrameLayoutTests : BrowserTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Ingest"] = "true",
        ["MarketData:Simulated:DemoMode"] = "true",
        ["MarketData:Simulated:TickIntervalMs"] = "250",
    };

    /// <summary>The overview's movers need moved prices: wait for the simulated feed, so the tables have real rows.</summary>
    [OneTimeSetUp]
    public Task WaitForPricesAsync() =>
        Eventually.ValueAsync(() => App.WithDbAsync(db => db.Quotes.CountAsync(q => q.ChangePercent != 0)), moved => moved >= 20,
            "the simulated feed to move 20 prices");

    private static string Locale(string language) => language switch { "ar" => "ar-MA", "fr" => "fr-FR", _ => "en-US" };

    private Task<IBrowserContext> PhoneAsync(string language, bool javaScript = true) => NewContextAsync(new BrowserNewContextOptions
    {
        ViewportSize = new ViewportSize { Width = 360, Height = 740 },
        IsMobile = true,
        HasTouch = true,
        Locale = Locale(language),
        JavaScriptEnabled = javaScript,
    });

    private Task<IBrowserContext> DeskAsync(string language) => NewContextAsync(new BrowserNewContextOptions
    {
        ViewportSize = new ViewportSize { Width = 1366, Height = 768 },
        Locale = Locale(language),
    });

    private static Task<double> HeightAsync(IPage page, string selector) =>
        page.Locator(selector).EvaluateAsync<double>("e => e.getBoundingClientRect().height");

    [TestCase("en")]
    [TestCase("fr")]
    [TestCase("ar")]
    public async Task On_a_phone_the_header_is_one_compact_row_and_the_market_pages_fit(string language)
    {
        await using var context = await PhoneAsync(language);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);

        Assert.That(await HeightAsync(page, "header.site-header"), Is.LessThanOrEqualTo(64), "brand, search, menu: one row");
        // The simulated note is small and inside a landmark (main), right under the header.
        var note = page.GetByTestId("simulated-banner");
        await Expect(note).ToBeVisibleAsync();
        await Expect(note).ToHaveAttributeAsync("role", "note");
        Assert.That(await note.EvaluateAsync<string>("e => e.closest('main, header, footer, nav, aside')?.tagName.toLowerCase() ?? ''"), Is.EqualTo("main"));
        Assert.That(await note.EvaluateAsync<double>("e => e.getBoundingClientRect().bottom"), Is.LessThanOrEqualTo(140),
            "the header and the note take the top of the screen, not a third of it");

        // The movers have rows and fit the phone without scrolling sideways.
        Assert.That(await page.GetByTestId("most-active").Locator("tbody tr").CountAsync(), Is.EqualTo(5));
        var scrolled = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth + 1)
              .map(w => `${w.querySelector('table')?.dataset.testid}: ${[...w.querySelector('tr').children].map(c => Math.round(c.getBoundingClientRect().width)).join('/')}`)
            """);
        Assert.That(scrolled, Is.Empty, "tables wider than their card (column widths)");
        await AssertNoSidewaysScrollAsync(page);
        foreach (var path in new[] { "/stocks", "/search?q=ban" })
        {
            await AssertNoSidewaysScrollAsync(page, path);
            Assert.That(await HeightAsync(page, "header.site-header"), Is.LessThanOrEqualTo(64), path);
        }

        // The search icon opens the header's field in place; suggestions come as you type.
        await page.GotoAsync("/");
        await Expect(page.Locator("#site-search")).ToBeHiddenAsync();
        await page.GetByTestId("search-toggle").ClickAsync();
        await Expect(page.Locator("#site-search")).ToBeFocusedAsync();
        await page.Locator("#site-search").PressSequentiallyAsync("attij", new() { Delay = 30 });
        await Expect(page.GetByTestId("search-result").First).ToContainTextAsync("ATW");
        await AssertNoSidewaysScrollAsync(page);
    }

    [Test]
    public async Task On_a_phone_the_instruments_are_a_compact_list_with_a_sort_control()
    {
        await using var context = await PhoneAsync("en");
        var page = await context.NewPageAsync();
        await page.GotoAsync("/stocks");
        var rows = page.GetByTestId("instruments").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(77);
        var heights = await rows.EvaluateAllAsync<double[]>("rows => rows.map(r => r.getBoundingClientRect().height)");
        Assert.That(heights.Max(), Is.LessThanOrEqualTo(56), "two short lines a stock, not a seven-line card");

        await page.GetByTestId("sort-by").SelectOptionAsync("change-desc");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("by=change-desc"));
        Assert.That(await ChangesAsync(page), Is.Ordered.Descending);
        await Expect(page.GetByTestId("sort-by")).ToHaveValueAsync("change-desc");
        await AssertNoSidewaysScrollAsync(page);
    }

    [Test]
    public async Task Without_javascript_the_sort_control_sorts_too()
    {
        await using var context = await PhoneAsync("en", javaScript: false);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/stocks");
        await page.GetByTestId("sort-by").SelectOptionAsync("change");
        await page.Locator("form.stock-filters button[type=submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("by=change"));
        Assert.That(await ChangesAsync(page), Is.Ordered.Ascending);
        await Expect(page.GetByTestId("sort-by")).ToHaveValueAsync("change");
    }

    /// <summary>The instruments' change percentages in the order shown (cells[4]; "—" for no quote yet).</summary>
    private static async Task<List<decimal>> ChangesAsync(IPage page)
    {
        var changes = await page.GetByTestId("instruments").Locator("tbody tr")
            .EvaluateAllAsync<string[]>("rows => rows.map(r => r.cells[4].textContent.trim())");
        var values = changes.Where(c => c != "—")
            .Select(c => decimal.Parse(c.Replace(" %", "").Replace(" %", "").Replace("+", "").Replace(",", "."), System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.That(values, Has.Count.GreaterThan(20));
        return values;
    }

    [TestCase("en")]
    [TestCase("fr")]
    [TestCase("ar")]
    public async Task At_1366_px_the_header_is_one_row_the_placeholder_fits_and_the_overview_cards_stay_in_their_grid(string language)
    {
        var email = NewEmail("desk");
        await RegisterAsync(App.CreateClient(), email);
        await App.WithDbAsync(db => db.Users.Where(u => u.Email == email).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, language)));
        await using var context = await DeskAsync(language);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
        await AssertDeskFrameAsync(page, "signed out");
        await AssertNoSidewaysScrollAsync(page);
        // Every overview card lies within the grid it belongs to.
        var outside = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('.grid-3')].flatMap(g => { const box = g.getBoundingClientRect();
                return [...g.children].map(c => [c, c.getBoundingClientRect()])
                  .filter(([c, r]) => r.left < box.left - 1 || r.right > box.right + 1)
                  .map(([c, r]) => `${c.getAttribute('aria-labelledby')} [${Math.round(r.left)}..${Math.round(r.right)}] in [${Math.round(box.left)}..${Math.round(box.right)}]`); })
            """);
        Assert.That(outside, Is.Empty);
        await AssertNoSidewaysScrollAsync(page, "/stocks");

        await SignInAsync(page, email);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
        await AssertDeskFrameAsync(page, "signed in");
        await AssertNoSidewaysScrollAsync(page);
    }

    private static async Task AssertDeskFrameAsync(IPage page, string who)
    {
        Assert.That(await HeightAsync(page, "header.site-header"), Is.LessThanOrEqualTo(64), $"{who}: the header is one row");
        await Expect(page.Locator("#site-nav")).ToBeVisibleAsync();
        await Expect(page.Locator("#site-search")).ToBeVisibleAsync();
        // The placeholder is not cut: its text is narrower than the field's content box.
        var room = await page.Locator("#site-search").EvaluateAsync<double>("""
            i => { const s = getComputedStyle(i); const c = document.createElement('canvas').getContext('2d'); c.font = s.font;
                   return i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) - c.measureText(i.placeholder).width; }
            """);
        Assert.That(room, Is.GreaterThanOrEqualTo(0), $"{who}: the search placeholder fits its field");
        // Language and theme stay at hand (in the footer), signed in or not.
        await Expect(page.Locator("#pref-language")).ToBeVisibleAsync();
        await Expect(page.Locator("#pref-theme")).ToBeVisibleAsync();
    }

    [TestCase("light")]
    [TestCase("dark")]
    public async Task The_visitors_primary_button_and_the_market_pages_pass_contrast(string theme)
    {
        // Tick flashes are the live rows' business (and tested there); here the colours at rest (flashing rows are
        // left out of the axe run too: live.css's reduced-motion rule does not yet reach their cells).
        await Page.EmulateMediaAsync(new() { ReducedMotion = ReducedMotion.Reduce });
        await Page.SetViewportSizeAsync(1366, 768);
        await Page.GotoAsync("/");
        await Page.Locator("#pref-theme").SelectOptionAsync(theme);
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("data-theme", theme);

        var button = Page.Locator("header .btn-primary");
        await Expect(button).ToHaveTextAsync("Create account");
        var ratio = await button.EvaluateAsync<double>(ContrastScript);
        Assert.That(ratio, Is.GreaterThanOrEqualTo(4.5), $"'Create account' in the {theme} theme");

        foreach (var path in new[] { "/", "/stocks", "/search?q=ban" })
        {
            await Page.GotoAsync(path);
            Assert.That(await AxeAsync(Page), Is.Empty, $"{path} in the {theme} theme");
        }
        await Page.SetViewportSizeAsync(360, 740);
        foreach (var path in new[] { "/", "/stocks" })
        {
            await Page.GotoAsync(path);
            Assert.That(await AxeAsync(Page), Is.Empty, $"{path} at 360 px in the {theme} theme");
        }
    }

    /// <summary>The WCAG contrast ratio of an element's text colour on its background (both computed, opaque).</summary>
    private const string ContrastScript = """
        e => { const rgb = c => c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
               const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                                            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
               const s = getComputedStyle(e); const a = lum(rgb(s.color)), b = lum(rgb(s.backgroundColor));
               return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }
        """;

    private static string? _axe;

    /// <summary>axe-core's serious and critical violations on the page as it is (rule: selectors).</summary>
    private static async Task<string[]> AxeAsync(IPage page)
    {
        _axe ??= await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "node_modules", "axe-core", "axe.min.js"));
        // Evaluated through the DevTools protocol, so the page's Content-Security-Policy does not block it.
        await page.EvaluateAsync(_axe);
        var json = await page.EvaluateAsync<string>("""
            async () => { const r = await axe.run({ exclude: [['.flash-up'], ['.flash-down']] }, { resultTypes: ['violations'] });
                return JSON.stringify(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ': ' + v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(', '))); }
            """);
        return JsonSerializer.Deserialize<string[]>(json)!;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "node_modules", "axe-core", "axe.min.js")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("node_modules/axe-core not found above " + TestContext.CurrentContext.TestDirectory);
    }
}
