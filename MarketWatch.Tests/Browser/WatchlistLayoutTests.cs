using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Watchlists;
using MarketWatch.Web.Features.Market;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// The watchlist page as people see it with a realistic list (a dozen rows with notes and targets): one line per row
/// on a desk, compact rows on a phone, menus within the screen, drag to reorder, no console error.
/// </summary>
public sealed class WatchlistLayoutTests : BrowserTest
{
    private static readonly (string Ticker, decimal Price)[] Prices =
    [
        ("ADH", 39.9m), ("ADI", 540m), ("AFM", 1110m), ("AGM", 6850m), ("AKT", 1560m), ("ALM", 1890m),
        ("ARD", 468m), ("ATH", 95.5m), ("ATL", 161m), ("ATW", 747.45m), ("BCP", 320m), ("BCI", 615m),
    ];

    /// <summary>Signs a new user in (in a language), fills their default list with a dozen rows, and opens it.</summary>
    private async Task<int> OpenRealisticListAsync(IPage page, string language)
    {
        await Ticks.WriteAsync(App, Prices);
        var email = NewEmail("wl");
        await RegisterAsync(App.CreateClient(), email);
        var listId = await App.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Email == email);
            user.Language = language;
            var list = await db.Set<Watchlist>().SingleAsync(w => w.UserId == user.Id);
            var instruments = await db.Set<Instrument>().Where(i => Prices.Select(p => p.Ticker).Contains(i.Ticker)).OrderBy(i => i.Ticker).ToListAsync();
            var position = 0;
            foreach (var instrument in instruments)
            {
                db.Add(new WatchlistItem
                {
                    WatchlistId = list.Id, InstrumentId = instrument.Id, Position = position++, AddedAt = DateTimeOffset.UtcNow,
                    Note = position % 3 == 0 ? null : "Buy on weakness below the 200-day average; results due in March, dividend expected in June",
                    TargetPrice = position % 4 == 0 ? null : Prices.Single(p => p.Ticker == instrument.Ticker).Price * 1.1m,
                });
            }
            await db.SaveChangesAsync();
            return list.Id;
        });
        await SignInAsync(page, email);
        await page.GotoAsync($"/watchlists/{listId}");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
        await Expect(page.GetByTestId("watchlist").Locator("tbody tr")).ToHaveCountAsync(Prices.Length);
        return listId;
    }

    private static List<string> RecordConsoleErrors(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") lock (errors) errors.Add(message.Text); };
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
        return errors;
    }

    [TestCase("en")]
    [TestCase("fr")]
    [TestCase("ar")]
    public async Task At_1366_px_every_row_is_one_line_and_the_table_fits_its_card(string language)
    {
        await using var context = await NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
        var page = await context.NewPageAsync();
        var errors = RecordConsoleErrors(page);
        await OpenRealisticListAsync(page, language);

        await AssertNoSidewaysScrollAsync(page);
        var heights = await page.GetByTestId("watchlist").Locator("tbody tr").EvaluateAllAsync<double[]>("rows => rows.map(r => r.getBoundingClientRect().height)");
        Assert.That(heights, Has.All.LessThanOrEqualTo(56), "row heights at 1366 px");
        var (table, card) = (await page.GetByTestId("watchlist").BoundingBoxAsync(), await page.Locator("#watchlist-table").BoundingBoxAsync());
        Assert.That(table!.Width, Is.LessThanOrEqualTo(card!.Width + 0.5), "the table fits its card");
        // Every header sits on one baseline.
        var headerBottoms = await page.GetByTestId("watchlist").Locator("thead th").EvaluateAllAsync<double[]>(
            "cells => cells.map(c => { const r = c.getBoundingClientRect(); return Math.round(r.bottom); })");
        Assert.That(headerBottoms.Distinct().Count(), Is.EqualTo(1), "headers share one bottom line");
        // The note is cut to one line, its full text a hover (title) away.
        var note = page.Locator("#row-ADH").GetByTestId("note");
        await Expect(note).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex("dividend expected in June"));
        // A good part of the list is above the fold.
        var visible = await page.GetByTestId("watchlist").Locator("tbody tr").EvaluateAllAsync<int>("rows => rows.filter(r => r.getBoundingClientRect().bottom <= innerHeight).length");
        Assert.That(visible, Is.GreaterThanOrEqualTo(3), "rows above the fold at 1366 × 768");
        Assert.That(errors, Is.Empty, "console errors");
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task On_a_phone_the_row_menu_opens_within_the_screen(string language)
    {
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        var errors = RecordConsoleErrors(page);
        await OpenRealisticListAsync(page, language);
        await AssertNoSidewaysScrollAsync(page);

        await page.Locator("#row-ATW [data-row-menu]").ClickAsync();
        var editor = page.Locator("#note-ATW");
        await Expect(editor).ToBeVisibleAsync();
        var box = await page.Locator("#menu-ATW").BoundingBoxAsync();
        Assert.That(box!.X, Is.GreaterThanOrEqualTo(0), "left edge");
        Assert.That(box.X + box.Width, Is.LessThanOrEqualTo(360), "right edge");
        Assert.That(box.Y, Is.GreaterThanOrEqualTo(0), "top edge");
        Assert.That(box.Y + box.Height, Is.LessThanOrEqualTo(740), "bottom edge");
        Assert.That(errors, Is.Empty, "console errors");
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task Compact_rows_are_one_line_on_a_phone_and_the_choice_is_remembered(string language)
    {
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        var errors = RecordConsoleErrors(page);
        await OpenRealisticListAsync(page, language);
        var rows = page.GetByTestId("watchlist").Locator("tbody tr");
        var toggle = page.GetByTestId("compact-toggle");
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        var cardHeight = (await rows.First.BoundingBoxAsync())!.Height;

        await toggle.ClickAsync();
        await Expect(page.GetByTestId("compact-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
        // htmx settles the swapped table's own attributes a moment after the swap: measure once its class says compact.
        await Expect(page.GetByTestId("watchlist-table")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bcompact\b"));
        var heights = await rows.EvaluateAllAsync<double[]>("rows => rows.map(r => r.getBoundingClientRect().height)");
        Assert.That(heights, Has.Length.GreaterThanOrEqualTo(10), "the realistic list's rows");
        Assert.That(heights, Has.All.LessThanOrEqualTo(56), $"one line per stock (a card was {cardHeight:0} px)");
        await AssertNoSidewaysScrollAsync(page);

        await page.ReloadAsync();
        await Expect(page.GetByTestId("compact-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.That((await rows.First.BoundingBoxAsync())!.Height, Is.LessThanOrEqualTo(56), "remembered for this list");
        Assert.That(errors, Is.Empty, "console errors");
    }

    [TestCase(1366, 768)]
    [TestCase(360, 740)]
    public async Task Dragging_a_row_by_its_handle_saves_the_new_order(int width, int height)
    {
        await using var context = await NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, HasTouch = width < 400 });
        var page = await context.NewPageAsync();
        var errors = RecordConsoleErrors(page);
        await OpenRealisticListAsync(page, "en");
        var rows = page.GetByTestId("watchlist").Locator("tbody tr");
        Assert.That(await rows.First.GetAttributeAsync("data-ticker"), Is.EqualTo("ADH"));

        var handle = page.Locator("#row-ADI .drag-handle");
        await Expect(handle).ToBeVisibleAsync();
        // On a phone the second card's handle starts below the fold (behind the bottom navigation): scroll as a person would.
        await handle.EvaluateAsync("h => h.scrollIntoView({ block: 'center' })");
        var from = await handle.BoundingBoxAsync();
        Assert.That(from!.Width, Is.GreaterThanOrEqualTo(24), "a handle big enough for a finger");
        var to = await page.Locator("#row-ADH").BoundingBoxAsync();
        var (x, y) = (from.X + from.Width / 2, from.Y + from.Height / 2);
        await page.Mouse.MoveAsync(x, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(x, y - 4, new() { Steps = 2 });
        await page.Mouse.MoveAsync(x, to!.Y + 3, new() { Steps = 12 });
        await Expect(rows.First).ToHaveAttributeAsync("data-ticker", "ADI");
        var saved = await page.RunAndWaitForResponseAsync(() => page.Mouse.UpAsync(), r => r.Url.Contains("/reorder"));
        Assert.That(saved.Status, Is.EqualTo(200));
        await page.ReloadAsync();
        Assert.That((await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.ticker)")).Take(2), Is.EqualTo(new[] { "ADI", "ADH" }), "the order was saved");
        Assert.That(errors, Is.Empty, "console errors (CSP) during the drag");
    }
}
