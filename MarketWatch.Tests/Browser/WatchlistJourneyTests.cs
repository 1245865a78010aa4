using System.Net;
using System.Net.Sockets;
using MarketWatch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>Watchlists in a real browser: the whole flow the issue lists, live ticks, and reconnection after a restart.</summary>
public sealed class WatchlistJourneyTests : BrowserTest
{

    private static async Task AddBySearchAsync(IPage page, string query, string ticker)
    {
        await page.Locator("#add-search").FillAsync(query);
        await page.GetByTestId("add-" + ticker).ClickAsync();
        await Expect(page.Locator($"#row-{ticker}")).ToBeVisibleAsync();
        await page.Locator("#add-search").FillAsync("");
    }

    private ILocator Rows => Page.GetByTestId("watchlist").Locator("tbody tr");

    [Test]
    public async Task Create_add_by_search_reorder_rename_note_sort_export_import_share_and_delete()
    {
        await Ticks.WriteAsync(App, ("IAM", 122.4m), ("ATW", 747.45m));
        await SignInNewUserAsync(Page, "wl");

        await Page.GotoAsync("/watchlists");
        await Page.Locator("#Name").FillAsync("Banks");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create the list" }).ClickAsync();
        await Expect(Page.GetByTestId("list-name")).ToContainTextAsync("Banks");
        await Expect(Page.GetByTestId("empty-list")).ToBeVisibleAsync();

        await AddBySearchAsync(Page, "IAM", "IAM");
        await AddBySearchAsync(Page, "attij", "ATW");
        await Expect(Rows).ToHaveCountAsync(2);
        Assert.That(await Rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.ticker)"), Is.EqualTo(new[] { "IAM", "ATW" }));

        // Drag ATW above IAM by its handle (SortableJS in pointer mode: press, nudge, move, release).
        var handle = Page.Locator("#row-ATW .drag-handle");
        await handle.HoverAsync();
        var from = await handle.BoundingBoxAsync();
        var target = await Page.Locator("#row-IAM").BoundingBoxAsync();
        var (x, y) = (from!.X + from.Width / 2, from.Y + from.Height / 2);
        await Page.Mouse.MoveAsync(x, y);
        await Page.Mouse.DownAsync();
        await Page.Mouse.MoveAsync(x, y - 5, new() { Steps = 2 });
        await Page.Mouse.MoveAsync(x, target!.Y + 4, new() { Steps = 15 });
        // SortableJS moves the row while the pointer is down; on a busy machine a few more small moves may be needed.
        var nudges = 0;
        await Eventually.TrueAsync(async () =>
        {
            if (await Rows.First.GetAttributeAsync("data-ticker") == "ATW")
            {
                return true;
            }
            await Page.Mouse.MoveAsync(x, target.Y + 2 + (nudges++ % 4), new() { Steps = 2 });
            return false;
        }, "SortableJS to move ATW above IAM while the pointer is down", TimeSpan.FromSeconds(10));
        var saved = await Page.RunAndWaitForResponseAsync(() => Page.Mouse.UpAsync(), r => r.Url.Contains("/reorder"));
        Assert.That(saved.Status, Is.EqualTo(200));
        await Expect(Rows.First).ToHaveAttributeAsync("data-ticker", "ATW");
        await Page.ReloadAsync();
        Assert.That(await Rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.ticker)"), Is.EqualTo(new[] { "ATW", "IAM" }), "the order was saved");

        // Rename.
        await Page.Locator("#rename").FillAsync("Moroccan banks");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Rename" }).ClickAsync();
        await Expect(Page.GetByTestId("list-name")).ToContainTextAsync("Moroccan banks");

        // A note and a target on ATW.
        await Page.Locator("#row-ATW [data-row-menu]").ClickAsync();
        await Page.Locator("#note-ATW").FillAsync("Buy below 700");
        await Page.Locator("#target-ATW").FillAsync("700");
        await Page.Locator("#menu-ATW form button[type=submit]").ClickAsync();
        await Expect(Page.Locator("#row-ATW").GetByTestId("note")).ToHaveTextAsync("Buy below 700");
        await Expect(Page.Locator("#row-ATW").GetByTestId("distance")).ToContainTextAsync("%");

        // Sort by change %: IAM is up, ATW down, so IAM comes first.
        await Page.GetByTestId("watchlist").GetByRole(AriaRole.Button, new() { Name = "Change %", Exact = true }).ClickAsync();
        await Expect(Page.Locator("th[aria-sort=descending]")).ToContainTextAsync("Change %");
        Assert.That(await Rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.ticker)"), Is.EqualTo(new[] { "IAM", "ATW" }));

        // Export, then import the file into a new list.
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByTestId("export").ClickAsync());
        var file = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.csv");
        await download.SaveAsAsync(file);
        var csv = await File.ReadAllTextAsync(file);
        Assert.That(csv, Does.Contain("ATW,Buy below 700,700").And.Contain("IAM,,"));
        var listUrl = Page.Url;
        await Page.GotoAsync("/watchlists");
        await Page.Locator("#Name").FillAsync("Imported");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create the list" }).ClickAsync();
        await Page.Locator("#upload").SetInputFilesAsync(file);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId("import-report")).ToContainTextAsync("Imported: 2 added, 0 updated.");
        await Expect(Rows).ToHaveCountAsync(2);
        await Expect(Page.Locator("#row-ATW").GetByTestId("note")).ToHaveTextAsync("Buy below 700");

        // Share the first list and open the link signed out.
        await Page.GotoAsync(listUrl);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Share a read-only link" }).ClickAsync();
        var shareUrl = await Page.GetByTestId("share-url").InputValueAsync();
        // "Copy link" puts it on the clipboard and says so.
        await Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await Page.GetByTestId("copy-link").ClickAsync();
        await Expect(Page.GetByTestId("copy-status")).ToHaveTextAsync("Copied");
        Assert.That(await Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"), Is.EqualTo(shareUrl));
        await using (var anonymous = await NewContextAsync(new BrowserNewContextOptions()))
        {
            var visitor = await anonymous.NewPageAsync();
            await visitor.GotoAsync(shareUrl);
            await Expect(visitor.GetByTestId("list-name")).ToHaveTextAsync("Moroccan banks");
            await Expect(visitor.GetByTestId("watchlist").Locator("tbody tr")).ToHaveCountAsync(2);
            await Expect(visitor.Locator("body")).Not.ToContainTextAsync("Buy below 700");
            await Expect(visitor.Locator("header")).ToContainTextAsync("Sign in");
        }

        // Delete, with confirmation.
        Page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Delete the list" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/watchlists$"));
        await Expect(Page.GetByTestId("lists")).Not.ToContainTextAsync("Moroccan banks");
        await Expect(Page.GetByTestId("lists")).ToContainTextAsync("Imported");
    }

    [Test]
    public async Task A_tick_changes_the_row_within_a_second_without_reload()
    {
        await Ticks.WriteAsync(App, ("BCP", 320m));
        await SignInNewUserAsync(Page, "wl");
        await Page.GotoAsync("/watchlists");
        await Page.Locator("ul[data-testid=lists] a").First.ClickAsync();
        await AddBySearchAsync(Page, "BCP", "BCP");
        await Expect(Page.Locator("[data-live-status]")).ToHaveAttributeAsync("data-state", "live");
        await Page.EvaluateAsync("window.__notReloaded = true");

        await Ticks.WriteAsync(App, ("BCP", 327.85m));
        await Expect(Page.Locator("#row-BCP [data-field=last]")).ToHaveTextAsync("327.85", new() { Timeout = 1000 });
        await Expect(Page.Locator("#row-BCP [data-cell=last]")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("tick-up"));
        Assert.That(await Page.EvaluateAsync<bool>("window.__notReloaded === true"), Is.True, "no reload");
    }

    [Test]
    public async Task A_tab_hidden_then_shown_again_keeps_its_rows_live()
    {
        await Ticks.WriteAsync(App, ("LHM", 1900m));
        await SignInNewUserAsync(Page, "wl");
        await Page.GotoAsync("/watchlists");
        await Page.Locator("ul[data-testid=lists] a").First.ClickAsync();
        await AddBySearchAsync(Page, "LHM", "LHM");
        await Expect(Page.Locator("[data-live-status]")).ToHaveAttributeAsync("data-state", "live");

        // The browser hides the tab (the stream reconnects throttled), then shows it again (full speed).
        foreach (var hidden in new[] { true, false })
        {
            await Page.EvaluateAsync($$"""
                () => {
                  Object.defineProperty(document, 'hidden', { configurable: true, get: () => {{(hidden ? "true" : "false")}} });
                  document.dispatchEvent(new Event('visibilitychange'));
                }
                """);
            await Expect(Page.Locator("[sse-connect]:not([data-sse-background])")).ToHaveAttributeAsync("sse-connect", new System.Text.RegularExpressions.Regex(hidden ? "hidden=1" : "^[^?]*$"));
            // Notifications are not throttled: a hidden tab still gets its toasts and bell at once.
            await Expect(Page.Locator("[data-toasts]")).ToHaveAttributeAsync("sse-connect", "/stream/notifications");
        }
        await Expect(Page.Locator("[data-live-status]")).ToHaveAttributeAsync("data-state", "live");
        await Ticks.WriteAsync(App, ("LHM", 1911.5m));
        await Expect(Page.Locator("#row-LHM [data-field=last]")).ToHaveTextAsync("1,911.50", new() { Timeout = 5000 });
    }

    [Test]
    public async Task The_instrument_page_adds_to_a_list_and_its_price_moves_live()
    {
        await SignInNewUserAsync(Page, "wl");
        await Page.GotoAsync("/stocks/CIH");
        await Page.GetByTestId("add-to-watchlist").Locator("summary").ClickAsync();
        await Page.GetByTestId("add-to-watchlist").GetByRole(AriaRole.Button, new() { Name = "My watchlist" }).ClickAsync();
        await Expect(Page.GetByTestId("added-to")).ToContainTextAsync("My watchlist");
        await Page.GetByTestId("add-to-watchlist").GetByRole(AriaRole.Button, new() { Name = "My watchlist" }).ClickAsync();
        await Expect(Page.Locator("#add-menu-result")).ToContainTextAsync("CIH is already in this list.");

        await Expect(Page.Locator("[data-live-status]")).ToHaveAttributeAsync("data-state", "live");
        await Ticks.WriteAsync(App, ("CIH", 411.11m));
        await Expect(Page.GetByTestId("last")).ToHaveTextAsync("411.11", new() { Timeout = 2000 });
    }
}

/// <summary>After the server restarts, the page reconnects by itself and shows the new price.</summary>
[Category("Browser")]
public sealed class WatchlistReconnectTests
{
    [Test]
    public async Task The_page_reconnects_after_a_server_restart_and_shows_the_new_price()
    {
        var database = await TestDatabase.CreateAsync();
        var port = Ports.Free();
        var app = new MarketWatchFactory(database, kestrel: true, port: port);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        try
        {
            var baseUrl = app.ServerAddress.ToString().TrimEnd('/');
            await Ticks.WriteAsync(app, ("ATW", 750m));
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, Locale = "en-US" });
            var page = await context.NewPageAsync();
            await page.GotoAsync("/stocks/ATW");
            var status = page.Locator("[data-live-status]");
            await Expect(status).ToHaveAttributeAsync("data-state", "live");
            await Expect(page.GetByTestId("last")).ToHaveTextAsync("750.00");

            await app.DisposeAsync();
            await Expect(status).ToHaveAttributeAsync("data-state", "reconnecting", new() { Timeout = 10_000 });

            app = new MarketWatchFactory(database, kestrel: true, port: port);
            Assert.That(app.ServerAddress.Port, Is.EqualTo(port));
            await Ticks.WriteAsync(app, ("ATW", 765.55m));
            await Expect(page.GetByTestId("last")).ToHaveTextAsync("765.55", new() { Timeout = 15_000 });
            await Expect(status).ToHaveAttributeAsync("data-state", "live");
        }
        finally
        {
            await app.DisposeAsync();
            await TestDatabase.DropAsync(database);
        }
    }
}
