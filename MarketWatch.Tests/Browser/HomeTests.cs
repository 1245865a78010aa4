using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// The personal home (issue 15, item 15) and the formats every page shares: dates people cannot misread, times in the
/// profile's zone (offline banner included), one unit per amount column, signs in reading order in Arabic (item 7).
/// </summary>
public sealed partial class HomeTests : BrowserTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Simulated:DemoMode"] = "true",
    };

    private readonly LogRecorder _logs = new();

    protected override Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp => _logs.AddTo;

    [TearDown]
    public void PrintServerErrors() => _logs.WriteExceptions(TestContext.Out);

    /// <summary>IAM up 5 %, ATW down 5 % against their previous close, whatever the template's closes.</summary>
    private async Task MoveQuotesAsync()
    {
        await Ticks.WriteAsync(App, ("IAM", 100m), ("ATW", 700m));
        var closes = await App.WithDbAsync(db => (from q in db.Quotes join i in db.Instruments on q.InstrumentId equals i.Id
                                                   where i.Ticker == "IAM" || i.Ticker == "ATW" select new { i.Ticker, q.PreviousClose })
            .ToDictionaryAsync(q => q.Ticker, q => q.PreviousClose));
        await Ticks.WriteAsync(App, ("IAM", Math.Round(closes["IAM"] * 1.05m, 2)), ("ATW", Math.Round(closes["ATW"] * 0.95m, 2)));
    }

    /// <summary>IAM and ATW in the default list (a target on IAM), an alert on ATW that fired today and told the bell, an armed one near IAM's price.</summary>
    private async Task SeedAsync(string email)
    {
        var user = (await App.FindUserAsync(email))!;
        await App.WithDbAsync(async db =>
        {
            var now = DateTimeOffset.UtcNow;
            var list = await db.Set<Watchlist>().SingleAsync(w => w.UserId == user.Id && w.IsDefault);
            var ids = await db.Instruments.Where(i => i.Ticker == "IAM" || i.Ticker == "ATW").ToDictionaryAsync(i => i.Ticker, i => i.Id);
            var iamLast = await db.Quotes.Where(q => q.InstrumentId == ids["IAM"]).Select(q => q.Last).SingleAsync();
            db.AddRange(
                new WatchlistItem { WatchlistId = list.Id, InstrumentId = ids["IAM"], Position = 0, AddedAt = now, TargetPrice = Math.Round(iamLast * 1.0456m, 2) },
                new WatchlistItem { WatchlistId = list.Id, InstrumentId = ids["ATW"], Position = 1, AddedAt = now });
            var fired = new Alert { UserId = user.Id, InstrumentId = ids["ATW"], Condition = AlertCondition.PriceBelow, Level = 9999m, Status = AlertStatus.Triggered, CreatedAt = now, UpdatedAt = now, LastFiredAt = now };
            var near = new Alert { UserId = user.Id, InstrumentId = ids["IAM"], Condition = AlertCondition.PriceAbove, Level = Math.Round(iamLast * 1.01m, 2), Status = AlertStatus.Active, CreatedAt = now, UpdatedAt = now, ExpiresAt = now.AddDays(90) };
            db.AddRange(fired, near);
            await db.SaveChangesAsync();
            var firing = new AlertFiring { AlertId = fired.Id, UserId = user.Id, InstrumentId = ids["ATW"], Condition = AlertCondition.PriceBelow, Level = 9999m, Price = 700m, FiredAt = now, Source = "engine" };
            db.Add(firing);
            await db.SaveChangesAsync();
            db.Add(new InAppNotification { UserId = user.Id, EventId = firing.Id, CreatedAt = now });
            return await db.SaveChangesAsync();
        });
    }

    /// <summary>The language switcher's choice (the culture cookie, which signing in resets to the profile's language).</summary>
    private Task SpeakAsync(IBrowserContext context, string language) =>
        context.AddCookiesAsync([new Cookie { Name = ".AspNetCore.Culture", Value = $"c={Web.Infrastructure.Localization.Languages.FormattingCulture(language)}|uic={language}", Url = BaseUrl }]);

    [Test]
    public async Task A_signed_in_user_finds_their_list_live_todays_alerts_notifications_and_movers_at_home()
    {
        await MoveQuotesAsync();
        var email = await SignInNewUserAsync(Page, "home");
        await SeedAsync(email);

        await Page.GotoAsync("/");
        await Expect(Page.GetByTestId("welcome")).ToHaveTextAsync("Welcome, Test Investor.");
        var rows = Page.GetByTestId("home-list-rows").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0)).ToContainTextAsync("IAM");
        await Expect(rows.Nth(1)).ToContainTextAsync("ATW");
        await Expect(Page.GetByTestId("home-fired")).ToContainTextAsync("ATW");
        await Expect(Page.GetByTestId("home-near")).ToContainTextAsync("IAM");
        await Expect(Page.GetByTestId("home-notifications").Locator("li")).ToHaveCountAsync(1);
        await Expect(Page.GetByTestId("gainers")).ToContainTextAsync("IAM");
        await Expect(Page.GetByTestId("losers")).ToContainTextAsync("ATW");
        // Portfolios do not exist yet: nothing stands in for them.
        await Expect(Page.Locator("main")).Not.ToContainTextAsync("ortfolio");

        // Live: a tick on IAM reaches its row over the quotes stream.
        await Expect(Page.Locator("[data-live-status]")).ToHaveAttributeAsync("data-state", "live");
        await Ticks.WriteAsync(App, ("IAM", 123.45m));
        await Expect(rows.Nth(0)).ToContainTextAsync("123.45");

        // "Market" in the navigation opens the overview for everyone.
        Assert.That(await Page.Locator("header a, nav a").Filter(new() { HasTextString = "Market" }).Filter(new() { HasNotText = "MarketWatch" }).First.GetAttributeAsync("href"), Is.EqualTo("/market"));
        await Page.GotoAsync("/market");
        await Expect(Page.GetByTestId("sectors")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("home-list")).ToHaveCountAsync(0);
    }

    [Test]
    public async Task A_visitor_gets_the_market_overview_at_the_root_and_at_market()
    {
        await MoveQuotesAsync();
        foreach (var path in new[] { "/", "/market" })
        {
            await Page.GotoAsync(path);
            await Expect(Page.GetByTestId("gainers")).ToBeVisibleAsync();
            await Expect(Page.GetByTestId("home-list")).ToHaveCountAsync(0);
        }
    }

    [Test]
    public async Task A_new_user_sees_what_to_do_first_and_the_home_fits_a_phone_and_a_desk()
    {
        await MoveQuotesAsync();
        var email = NewEmail("homenew");
        await RegisterAsync(App.CreateClient(), email);
        foreach (var language in new[] { "en", "ar" })
        {
            await using var phone = await NewPhoneContextAsync(language);
            var page = await phone.NewPageAsync();
            await SignInAsync(page, email);
            await SpeakAsync(phone, language);
            await page.GotoAsync("/");
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
            await Expect(page.GetByTestId("home-list-empty").Locator("a.btn").First).ToBeVisibleAsync();
            await Expect(page.GetByTestId("home-alerts-empty")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("home-notifications-empty")).ToBeVisibleAsync();
            await AssertNoSidewaysScrollAsync(page);
        }
        await SeedAsync(email);
        foreach (var (width, language) in new[] { (360, "en"), (360, "ar"), (1366, "en"), (1366, "fr") })
        {
            await using var context = await NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 800 } });
            var page = await context.NewPageAsync();
            await SignInAsync(page, email);
            await SpeakAsync(context, language);
            await page.GotoAsync("/");
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
            await Expect(page.GetByTestId("home-list-rows").Locator("tbody tr")).ToHaveCountAsync(2);
            await AssertNoSidewaysScrollAsync(page);
        }
    }

    /// <summary>Where the sign, the first digit and the percent sign of a figure are drawn, left to right, via Range rects.</summary>
    private const string SignOrder = """
        (el) => { const text = el.firstChild && el.firstChild.nodeType === 3 ? el.firstChild : [...el.childNodes].find(n => n.nodeType === 3 && /\d/.test(n.data));
          const s = text.data; const at = (i) => { const r = document.createRange(); r.setStart(text, i); r.setEnd(text, i + 1); return r.getBoundingClientRect().left; };
          const sign = s.search(/[+\-]/), digit = s.search(/\d/), percent = s.indexOf('%');
          return [at(sign), at(digit), percent < 0 ? null : at(percent), s]; }
        """;

    private static async Task AssertReadsLeftToRightAsync(ILocator figure, string what)
    {
        var order = await figure.EvaluateAsync<System.Text.Json.JsonElement>(SignOrder);
        var (sign, digit) = (order[0].GetDouble(), order[1].GetDouble());
        Assert.That(sign, Is.LessThan(digit), $"{what}: the sign of '{order[3]}' is drawn after its digits");
        if (order[2].ValueKind != System.Text.Json.JsonValueKind.Null)
        {
            Assert.That(order[2].GetDouble(), Is.GreaterThan(digit), $"{what}: the % of '{order[3]}' is drawn before its digits");
        }
    }

    [Test]
    public async Task In_arabic_signed_percents_and_targets_read_sign_digits_percent_from_left_to_right()
    {
        await MoveQuotesAsync();
        var email = NewEmail("homear");
        await RegisterAsync(App.CreateClient(), email);
        await SeedAsync(email);
        await using var context = await NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 800 }, Locale = "ar-MA" });
        await SpeakAsync(context, "ar");
        var page = await context.NewPageAsync();

        await page.GotoAsync("/market");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await AssertReadsLeftToRightAsync(page.GetByTestId("gainers").Locator("td.up").First, "overview gainer");
        await AssertReadsLeftToRightAsync(page.GetByTestId("losers").Locator("td.down").First, "overview loser");

        await SignInAsync(page, email);
        await SpeakAsync(context, "ar");
        await page.GotoAsync("/");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await AssertReadsLeftToRightAsync(page.Locator("#quote-IAM td.up").First, "home list gain");
        await AssertReadsLeftToRightAsync(page.Locator("#quote-ATW td.down").First, "home list loss");

        await page.GotoAsync("/watchlists");
        await page.Locator("ul[data-testid=lists] a").First.ClickAsync();
        await AssertReadsLeftToRightAsync(page.Locator("#row-IAM").GetByTestId("distance"), "watchlist target");
    }

    [GeneratedRegex(@"\b\d{1,2}/\d{1,2}/\d{2,4}\b")]
    private static partial Regex UsDate();

    [GeneratedRegex(@"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")]
    private static partial Regex DayMonthYear();

    [Test]
    public async Task Dates_read_day_month_year_and_amount_columns_keep_one_unit()
    {
        await MoveQuotesAsync();
        var email = await SignInNewUserAsync(Page, "dates");
        await SeedAsync(email);
        foreach (var path in new[] { "/alerts", "/notifications", "/market" })
        {
            await Page.GotoAsync(path);
            var text = await Page.Locator("main").InnerTextAsync();
            Assert.That(text, Does.Match(DayMonthYear().ToString()), $"{path} shows no '1 Dec 2026' date");
            Assert.That(UsDate().IsMatch(text), Is.False, $"{path} shows a US-style date");
        }

        // The overview's tables: value traded in millions in every cell, the unit said once in the header and explained.
        await Page.GotoAsync("/market");
        var unit = Page.GetByTestId("gainers").GetByTestId("value-unit");
        await Expect(unit).ToHaveTextAsync("(M MAD)");
        await Expect(unit).ToHaveAttributeAsync("title", "In millions of Moroccan dirhams");
        var cells = await Page.Locator("[data-testid=gainers] tbody tr td:nth-child(4), [data-testid=losers] tbody tr td:nth-child(4)").AllInnerTextsAsync();
        Assert.That(cells, Is.Not.Empty.And.All.Match(@"^\d{1,3}(,\d{3})*\.\d{2}$"));

        // All instruments: every value traded in "M MAD", every market cap in "bn MAD", the units and "≈" explained.
        await Page.GotoAsync("/stocks");
        var values = await Page.Locator("[data-testid=instruments] tbody td:nth-child(7)").AllInnerTextsAsync();
        Assert.That(values.Where(v => v != "—"), Is.Not.Empty.And.All.Match(@"^[\d.,]+ M MAD$"));
        var caps = await Page.Locator("[data-testid=instruments] tbody td:nth-child(8)").AllInnerTextsAsync();
        Assert.That(caps.Where(v => v != "—"), Is.Not.Empty.And.All.Match(@"^(≈ ?)?[\d.,]+ bn MAD$"));
        await Expect(Page.GetByTestId("units-legend")).ToContainTextAsync("M MAD = millions");
        if (await Page.Locator("abbr.estimate").CountAsync() > 0)
        {
            await Expect(Page.Locator("abbr.estimate").First).ToHaveAttributeAsync("title", new Regex("^Estimated"));
        }
    }

    [Test]
    public async Task The_offline_banner_tells_the_snapshot_time_in_the_profiles_zone_not_the_browsers()
    {
        var email = NewEmail("offzone");
        await RegisterAsync(App.CreateClient(), email);
        await App.WithDbAsync(db => db.Users.Where(u => u.NormalizedEmail == email.ToUpperInvariant())
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.TimeZone, "Asia/Tokyo")));
        await using var context = await NewContextAsync(new BrowserNewContextOptions
        {
            ServiceWorkers = ServiceWorkerPolicy.Allow, TimezoneId = "America/New_York", Locale = "en-US",
            ViewportSize = new ViewportSize { Width = 360, Height = 740 }, IsMobile = true, HasTouch = true,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.WaitForFunctionAsync("async () => (await navigator.serviceWorker.ready) && !!navigator.serviceWorker.controller");
        await SignInAsync(page, email);
        await page.GotoAsync("/watchlists");
        await page.Locator("ul[data-testid=lists] a").First.ClickAsync();
        var listPath = new Uri(page.Url).AbsolutePath;
        await page.ReloadAsync();
        await page.WaitForFunctionAsync("async () => !!(await (await caches.open('mw-user')).match('/__mw/last-watchlist'))");

        await context.SetOfflineAsync(true);
        await page.GotoAsync(listPath);
        var banner = page.GetByTestId("offline-snapshot");
        await Expect(banner).ToContainTextAsync("Offline: this list as it was at");
        var at = DateTimeOffset.Parse(await banner.GetAttributeAsync("data-time") ?? "", System.Globalization.CultureInfo.InvariantCulture);
        var tokyo = TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"));
        var newYork = TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        var text = await banner.InnerTextAsync();
        Assert.That(text, Does.Contain($"{tokyo.Day} {tokyo:MMM} {tokyo:yyyy}, {tokyo:HH:mm}").Or.Contain($"{tokyo.Day} Sept {tokyo:yyyy}, {tokyo:HH:mm}"), "the profile's zone (Tokyo), day first, 24-hour clock");
        Assert.That(text, Does.Not.Contain(newYork.ToString("HH:mm")).And.Not.Contain(newYork.ToString("h:mm")), "not the browser's zone (New York)");
        Assert.That(UsDate().IsMatch(text), Is.False);
    }
}
