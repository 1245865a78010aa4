using MarketWatch.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// Live rows under a fast simulated feed (a tick every 100 ms): the browser patches only the changed cells, at most
/// once per animation frame per row, and flashes the price cell alone, subtly enough that its text keeps 4.5:1.
/// </summary>
public sealed class LiveTickTests : BrowserTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Ingest"] = "true",
        ["MarketData:Simulated:DemoMode"] = "true",
        ["MarketData:Simulated:TickIntervalMs"] = "100",
    };

    private static readonly string[] Tickers = ["IAM", "ATW", "BCP", "LHM"];

    private async Task OpenWatchlistAsync()
    {
        await SignInNewUserAsync(Page, "live");
        await Page.GotoAsync("/watchlists");
        await Page.Locator("ul[data-testid=lists] a").First.ClickAsync();
        foreach (var ticker in Tickers)
        {
            await Page.Locator("#add-search").FillAsync(ticker);
            await Page.GetByTestId("add-" + ticker).ClickAsync();
            await Expect(Page.Locator($"#row-{ticker}")).ToBeVisibleAsync();
            await Page.Locator("#add-search").FillAsync("");
        }
        // Adding rows swaps the table: the stream reconnects with every row registered.
        await Expect(Page.Locator("[data-live-status]")).ToHaveAttributeAsync("data-state", "live");
    }

    // Counts, per animation frame and row, the fragments applied (data-time changes on the row) and records every
    // node replaced or changed, with the cell it belongs to.
    private const string Observe = """
        () => {
          const w = window.__live = { frame: 0, applied: {}, maxPerFrame: 0, replacedRows: 0, touched: {}, prices: 0, sparkPaths: 0, sparkReplaced: 0 };
          const tick = () => { w.frame++; requestAnimationFrame(tick); };
          requestAnimationFrame(tick);
          const tbody = document.querySelector('[data-testid=watchlist] tbody');
          const cellOf = (node) => {
            const el = node.nodeType === 1 ? node : node.parentElement;
            const cell = el && el.closest('td, th');
            if (!cell) return null;
            return cell.dataset.cell || (cell.matches('th') ? 'name' : cell.className || 'cell');
          };
          new MutationObserver((records) => {
            for (const r of records) {
              if (r.target === tbody && r.type === 'childList') { w.replacedRows += r.removedNodes.length; continue; }
              if (r.type === 'attributes' && r.attributeName === 'points') w.sparkPaths++;
              if (r.type === 'childList') w.sparkReplaced += Array.from(r.removedNodes).filter((n) => n.nodeName === 'svg').length;
              if (r.type === 'attributes' && r.target.matches?.('tbody > tr') && r.attributeName === 'data-time') {
                const key = r.target.id + '@' + w.frame;
                w.applied[key] = (w.applied[key] || 0) + 1;
                w.maxPerFrame = Math.max(w.maxPerFrame, w.applied[key]);
                continue;
              }
              if (r.type === 'attributes' && r.attributeName === 'class' && r.target.matches?.('[data-cell]')) continue; // the flash
              const cell = cellOf(r.target);
              if (!cell) continue;
              w.touched[cell] = (w.touched[cell] || 0) + 1;
              if (cell === 'last' && r.type === 'characterData') w.prices++;
            }
          }).observe(tbody, { subtree: true, childList: true, attributes: true, characterData: true });
        }
        """;

    [Test]
    public async Task Fast_ticks_patch_each_row_at_most_once_per_frame_and_leave_unchanged_cells_alone()
    {
        await OpenWatchlistAsync();
        await Page.EvaluateAsync(Observe);

        // Live values keep arriving: prices change in place, many times (a sparkline, when it moves, gets a new path).
        await Eventually.TrueAsync(() => Page.EvaluateAsync<bool>("window.__live.prices >= 10"), "10 price changes in place", TimeSpan.FromSeconds(60));

        var replacedRows = await Page.EvaluateAsync<int>("window.__live.replacedRows");
        var maxPerFrame = await Page.EvaluateAsync<int>("window.__live.maxPerFrame");
        var touched = await Page.EvaluateAsync<Dictionary<string, int>>("window.__live.touched");
        var sparkReplaced = await Page.EvaluateAsync<int>("window.__live.sparkReplaced");
        Assert.Multiple(() =>
        {
            Assert.That(replacedRows, Is.Zero, "rows replaced as a whole");
            Assert.That(maxPerFrame, Is.EqualTo(1), "fragments applied to one row within one frame");
            Assert.That(sparkReplaced, Is.Zero, "sparklines replaced instead of given a new path");
            // The name, the year's range (fixed during a session) and the buttons never change under ticks.
            Assert.That(touched.Keys.Intersect(["name", "year-range", "row-actions", "handle-cell"]), Is.Empty,
                "cells touched: " + string.Join(", ", touched.Select(t => $"{t.Key}={t.Value}")));
        });
    }

    // At the start of the flash (the strongest tint: the animation only fades it), the price cell's text against its
    // background composited over whatever is behind it; and the animations running on the row and its other cells.
    private const string MeasureFlash = """
        () => {
          const cell = Array.from(document.querySelectorAll('tbody > tr [data-cell=last]'))
            .find((c) => c.getAnimations({ subtree: true }).some((a) => a.playState === 'running'));
          if (!cell) return null;
          cell.getAnimations({ subtree: true }).forEach((a) => { a.pause(); a.currentTime = 0; });
          // Colours as the browser computes them (the flash interpolates in oklab): composited on a canvas.
          const ctx = Object.assign(document.createElement('canvas'), { width: 1, height: 1 }).getContext('2d', { willReadFrequently: true });
          const over = (top, below) => {
            ctx.clearRect(0, 0, 1, 1);
            ctx.fillStyle = `rgb(${below.join(',')})`;
            ctx.fillRect(0, 0, 1, 1);
            ctx.fillStyle = top;
            ctx.fillRect(0, 0, 1, 1);
            return Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
          };
          // Backgrounds from the page down to the cell, composited.
          const chain = [];
          for (let el = cell; el; el = el.parentElement) chain.unshift(getComputedStyle(el).backgroundColor);
          let bg = [255, 255, 255];
          for (const c of chain) bg = over(c, bg);
          // The flash is an overlay on the cell (its ::after), over the text too, at its opacity at this frame.
          const overlay = getComputedStyle(cell, '::after');
          const tint = (c) => over(overlay.backgroundColor.replace(/\/ ([\d.]+)\)/, (m, a) => `/ ${a * overlay.opacity})`), c);
          const fg = tint(over(getComputedStyle(cell).color, bg));
          bg = tint(bg);
          const lum = (c) => {
            const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
          };
          const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
          const row = cell.closest('tr');
          const others = Array.from(row.children).filter((c) => c !== cell).map((c) => getComputedStyle(c).animationName);
          const result = {
            contrast: (hi + 0.05) / (lo + 0.05),
            flashName: overlay.animationName,
            direction: cell.classList.contains('tick-up') ? 'up' : 'down',
            tint: overlay.backgroundColor + ' at ' + overlay.opacity,
            row: getComputedStyle(row).animationName,
            others: others.filter((n) => n !== 'none'),
          };
          cell.getAnimations({ subtree: true }).forEach((a) => a.play());
          return JSON.stringify(result);
        }
        """;

    private sealed record Flash(double Contrast, string FlashName, string Direction, string Tint, string Row, string[] Others);
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    [TestCase("light")]
    [TestCase("dark")]
    public async Task A_tick_flashes_the_price_cell_only_and_keeps_its_text_readable(string theme)
    {
        await OpenWatchlistAsync();
        await Page.EvaluateAsync($"document.documentElement.dataset.theme = '{theme}'");
        var seen = new HashSet<string>();
        // Both directions: wait until an up tick and a down tick have been measured.
        await Eventually.TrueAsync(async () =>
        {
            var json = await Page.EvaluateAsync<string?>(MeasureFlash);
            if (json is null)
            {
                return false;
            }
            var flash = System.Text.Json.JsonSerializer.Deserialize<Flash>(json, Json)!;
            Assert.Multiple(() =>
            {
                Assert.That(flash.FlashName, Does.StartWith("tick"));
                Assert.That(flash.Row, Is.EqualTo("none"), "the row itself flashes");
                Assert.That(flash.Others, Is.Empty, "other cells of the row flash");
                Assert.That(flash.Contrast, Is.GreaterThanOrEqualTo(4.5), $"{theme}: text on {flash.Tint}");
            });
            seen.Add(flash.Direction);
            return seen.Count == 2;
        }, "an up and a down flash of a price cell");
    }

    [Test]
    public async Task Without_motion_the_price_cell_is_underlined_but_not_animated()
    {
        await Page.EmulateMediaAsync(new() { ReducedMotion = ReducedMotion.Reduce });
        await OpenWatchlistAsync();
        var cell = Page.Locator("tbody > tr [data-cell=last].tick-up, tbody > tr [data-cell=last].tick-down").First;
        await Expect(cell).ToBeAttachedAsync();
        Assert.That(await cell.EvaluateAsync<string>("c => getComputedStyle(c).animationName + getComputedStyle(c, '::after').animationName"), Is.EqualTo("nonenone"));
        Assert.That(await cell.EvaluateAsync<string>("c => getComputedStyle(c, '::after').boxShadow"), Does.Contain("inset"));
    }

    [Test]
    public async Task A_target_saved_from_the_row_menu_stays_while_prices_tick()
    {
        await OpenWatchlistAsync();
        await Page.Locator("#row-IAM [data-row-menu]").ClickAsync();
        await Page.Locator("#target-IAM").FillAsync("777");
        await Page.Locator("#menu-IAM form button[type=submit]").ClickAsync();
        var target = Page.Locator("#row-IAM [data-cell=target]");
        await Expect(target).ToContainTextAsync("777.00");
        await Expect(Page.Locator("[data-live-status]")).ToHaveAttributeAsync("data-state", "live");

        // Several ticks of IAM reach the row after the save: the target they carry is the saved one, not the old "—".
        var time = await Page.Locator("#row-IAM").GetAttributeAsync("data-time");
        for (var i = 0; i < 3; i++)
        {
            await Expect(Page.Locator("#row-IAM")).Not.ToHaveAttributeAsync("data-time", time ?? "", new() { Timeout = 30_000 });
            time = await Page.Locator("#row-IAM").GetAttributeAsync("data-time");
        }
        await Expect(target).ToContainTextAsync("777.00");
        await Expect(target.GetByTestId("distance")).ToContainTextAsync("%");
    }

    [Test]
    public async Task The_list_performance_of_the_day_moves_with_the_prices()
    {
        await OpenWatchlistAsync();
        var average = Page.GetByTestId("list-average");
        await Expect(average).ToContainTextAsync("%");
        var first = await average.TextContentAsync();
        // Four stocks ticking every 100 ms: the equal-weighted average of their changes moves.
        await Expect(average).Not.ToHaveTextAsync(first ?? "", new() { Timeout = 30_000 });
        var breadth = await Page.GetByTestId("list-breadth").TextContentAsync();
        var counts = System.Text.RegularExpressions.Regex.Matches(breadth ?? "", @"\d+").Select(m => int.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.That(counts.Sum(), Is.EqualTo(Tickers.Length), "advancers + decliners + unchanged = the list's stocks");
    }
}
