using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>Alerts in a real browser: made from the instrument page, fired by a tick, told by toast and bell, kept in the history.</summary>
public sealed class AlertJourneyTests : BrowserTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // The simulated market trades around the clock, so session-only alerts fire whatever the hour of the run.
        ["MarketData:Simulated:DemoMode"] = "true",
    };


    [Test]
    public async Task Create_from_the_instrument_page_a_tick_crosses_toast_bell_and_history()
    {
        await Ticks.WriteAsync(App, ("ATW", 747.45m));
        await SignInNewUserAsync(Page, "alerts");

        await Page.GotoAsync("/stocks/ATW");
        await Page.GetByTestId("create-alert").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/alerts/new\\?ticker=ATW$"));
        await Expect(Page.Locator("#Input_Ticker")).ToHaveValueAsync("ATW");
        await Expect(Page.Locator("#Input_Level")).ToHaveValueAsync("747.45");
        await Expect(Page.GetByTestId("current-price")).ToContainTextAsync("747.45");

        // "Price at or above" the current price already holds: the form says so before saving.
        await Page.Locator("#Input_Condition").SelectOptionAsync("PriceAbove");
        await Expect(Page.GetByTestId("fires-immediately")).ToBeVisibleAsync();
        // Crossing conditions never hold already; the channel-high field appears only for channels.
        await Page.Locator("#Input_Condition").SelectOptionAsync("CrossesUp");
        await Expect(Page.Locator("#Input_Level2")).ToBeHiddenAsync();
        await Page.Locator("#Input_Level").FillAsync("750");
        await Expect(Page.GetByTestId("alert-ok")).ToBeVisibleAsync();
        await Page.Locator("#Input_Note").FillAsync("{ticker} at {price}: time to look");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create alert" }).ClickAsync();

        await Expect(Page.GetByTestId("status")).ToContainTextAsync("Alert created");
        var row = Page.GetByTestId("alerts").Locator("tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.First).ToContainTextAsync("Crosses above 750.00");
        await Expect(row.First.GetByTestId("alert-state")).ToHaveTextAsync("Armed");
        await Expect(Page.Locator("[data-bell-count]")).ToBeHiddenAsync();

        await Ticks.WriteAsync(App, ("ATW", 748m));
        await Ticks.WriteAsync(App, ("ATW", 752.1m));

        var toast = Page.GetByTestId("toast");
        await Expect(toast).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(toast).ToContainTextAsync("ATW: Crosses above 750.00");
        await Expect(toast).ToContainTextAsync("ATW at 752.10 MAD: time to look");
        await Expect(Page.Locator("[data-bell-count]")).ToHaveTextAsync("1");

        await Page.ReloadAsync();
        await Expect(Page.GetByTestId("alerts").Locator("tbody tr").First.GetByTestId("alert-state")).ToHaveTextAsync("Triggered");
        await Page.GetByRole(AriaRole.Link, new() { Name = "History" }).Last.ClickAsync();
        var firing = Page.GetByTestId("firings").Locator("tbody tr");
        await Expect(firing).ToHaveCountAsync(1);
        await Expect(firing.First).ToContainTextAsync("752.10");
        await Expect(firing.First.Locator("[data-channel=InApp]")).ToContainTextAsync("Sent");

        await Page.GetByTestId("bell").ClickAsync();
        await Expect(Page.GetByTestId("notifications").Locator("li.unread")).ToHaveCountAsync(1);
        await Page.GetByTestId("mark-all-read").ClickAsync();
        await Expect(Page.GetByTestId("notifications").Locator("li.unread")).ToHaveCountAsync(0);
        await Expect(Page.Locator("[data-bell-count]")).ToBeHiddenAsync();
    }

    [Test]
    public async Task A_toast_reaches_every_open_page_of_the_user_and_no_other_user()
    {
        await Ticks.WriteAsync(App, ("IAM", 120m));
        await SignInNewUserAsync(Page, "alerts");
        var second = await Page.Context.NewPageAsync();
        await second.GotoAsync("/notifications");
        await Expect(second.GetByTestId("no-notifications")).ToBeVisibleAsync();

        await using var otherContext = await NewContextAsync(new BrowserNewContextOptions());
        var stranger = await otherContext.NewPageAsync();
        var strangerEmail = await SignInNewUserAsync(stranger, "alerts");

        await Page.GotoAsync("/alerts/new?ticker=IAM");
        await Page.Locator("#Input_Condition").SelectOptionAsync("CrossesDown");
        await Page.Locator("#Input_Level").FillAsync("119");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create alert" }).ClickAsync();
        await Expect(Page.GetByTestId("status")).ToBeVisibleAsync();

        await Ticks.WriteAsync(App, ("IAM", 118.5m));
        await Expect(Page.GetByTestId("toast")).ToContainTextAsync("IAM: Crosses below 119.00", new() { Timeout = 15_000 });
        await Expect(second.GetByTestId("toast")).ToContainTextAsync("IAM: Crosses below 119.00");
        await Expect(second.Locator("[data-bell-count]")).ToHaveTextAsync("1");
        // The notification centre open in that tab lists it without a reload.
        await Expect(second.GetByTestId("notifications").Locator("li.unread")).ToContainTextAsync("IAM: Crosses below 119.00");
        // The stranger's page is told of something of its own: its stream, which would have carried the alert before
        // this, is done with it. Only that toast and count then show.
        var strangerApi = App.CreateClient();
        var login = await strangerApi.PostAsJsonAsync("/api/auth/login", new { email = strangerEmail, password = Password });
        strangerApi.DefaultRequestHeaders.Authorization = new("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
        Assert.That((int)(await strangerApi.PostAsJsonAsync("/api/notifications/test", new { channels = new[] { "InApp" } })).StatusCode, Is.EqualTo(202));
        await Expect(stranger.GetByTestId("toast")).ToContainTextAsync("Test");
        await Expect(stranger.GetByTestId("toast")).ToHaveCountAsync(1);
        await Expect(stranger.GetByTestId("toast").Filter(new() { HasText = "IAM" })).ToHaveCountAsync(0);
        await Expect(stranger.Locator("[data-bell-count]")).ToHaveTextAsync("1");
    }

    [Test]
    public async Task Bad_input_shows_field_errors_pause_resume_search_and_delete()
    {
        await Ticks.WriteAsync(App, ("BCP", 280m), ("CIH", 330m));
        await SignInNewUserAsync(Page, "alerts");

        await Page.GotoAsync("/alerts/new");
        await Page.Locator("#Input_Ticker").FillAsync("NOPE");
        await Page.Locator("#Input_Condition").SelectOptionAsync("EntersChannel");
        await Page.Locator("#Input_Level").FillAsync("300");
        await Page.Locator("#Input_Level2").FillAsync("290");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create alert" }).ClickAsync();
        await Expect(Page.Locator("[data-valmsg-for='Input.Ticker']")).ToContainTextAsync("No instrument with the ticker NOPE.");
        await Expect(Page.Locator("[data-valmsg-for='Input.Level2']")).ToContainTextAsync("The channel's high must be above its low.");
        await Expect(Page.Locator("#Input_Level2")).ToBeVisibleAsync();

        await Page.Locator("#Input_Ticker").FillAsync("BCP");
        await Page.Locator("#Input_Level2").FillAsync("310");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create alert" }).ClickAsync();
        await Page.GotoAsync("/alerts/new?ticker=CIH");
        await Page.Locator("#Input_Level").FillAsync("400");
        await Page.Locator("#Input_Note").FillAsync("dividend season");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create alert" }).ClickAsync();
        var rows = Page.GetByTestId("alerts").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2);

        await Page.Locator("#alert-search").FillAsync("dividend");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("CIH");
        await Page.Locator("#alert-search").FillAsync("");
        await Expect(rows).ToHaveCountAsync(2);

        // Edit: the form opens with the alert's values; a bad value is refused, a good one saved.
        await rows.Filter(new() { HasText = "CIH" }).GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await Expect(Page.Locator("#Input_Ticker")).ToHaveValueAsync("CIH");
        await Expect(Page.Locator("#Input_Note")).ToHaveValueAsync("dividend season");
        await Page.Locator("#Input_Level").FillAsync("-5");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Page.Locator("[data-valmsg-for='Input.Level']")).ToContainTextAsync("Give a price greater than 0.");
        await Page.Locator("#Input_Level").FillAsync("410");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Page.GetByTestId("status")).ToContainTextAsync("Alert saved");
        await Expect(rows.Filter(new() { HasText = "CIH" })).ToContainTextAsync("410.00");
        await Expect(rows.Filter(new() { HasText = "CIH" })).Not.ToContainTextAsync("400.00");

        var bcp = rows.Filter(new() { HasText = "BCP" });
        await bcp.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Expect(Page.GetByTestId("status")).ToHaveTextAsync("Alert paused.");
        await Page.GotoAsync("/alerts?status=Paused");
        await Expect(rows).ToHaveCountAsync(1);
        await rows.First.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(Page.GetByTestId("status")).ToHaveTextAsync("Alert resumed.");
        await Expect(Page.GetByTestId("no-alerts")).ToBeVisibleAsync();

        await Page.GotoAsync("/alerts");
        Page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await rows.Filter(new() { HasText = "BCP" }).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("CIH");
    }

    [Test]
    public async Task Notification_settings_refuse_bad_input_and_the_test_reports_each_channel()
    {
        var email = await SignInNewUserAsync(Page, "alerts");
        await Page.GotoAsync("/account/manage/notifications");
        await Page.Locator("#Input_WebhookUrl").FillAsync("http://10.0.0.5/hook");
        await Page.Locator("#Input_EmailDailyCap").FillAsync("5000");
        await Page.Locator("#Input_QuietStart").FillAsync("22:00");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Page.Locator("[data-valmsg-for='Input.WebhookUrl']")).Not.ToBeEmptyAsync();
        await Expect(Page.Locator("[data-valmsg-for='Input.EmailDailyCap']")).ToContainTextAsync("between 0 and 1000");
        await Expect(Page.Locator("[data-valmsg-for='Input.QuietStart']")).ToContainTextAsync("Give both a start and an end");

        await Page.Locator("#Input_WebhookUrl").FillAsync("");
        await Page.Locator("#Input_EmailDailyCap").FillAsync("20");
        await Page.Locator("#Input_QuietEnd").FillAsync("07:00");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Page.GetByTestId("status")).ToHaveTextAsync("Your notification settings were saved.");
        await Expect(Page.Locator("#Input_QuietStart")).ToHaveValueAsync("22:00");

        await Page.GetByTestId("send-test").ClickAsync();
        var results = Page.GetByTestId("test-deliveries");
        await Expect(results.Locator("[data-channel=InApp]")).ToContainTextAsync("Sent");
        // The account's email is not confirmed: the email channel says why it did not send (after its job ran).
        // The page shows the state it was loaded with: once the outbox has done its work, reload.
        await Features.Alerts.AlertTesting.OutboxDrainedAsync(App, (await App.FindUserAsync(email))!.Id);
        await Page.ReloadAsync();
        await Expect(results.Locator("[data-channel=Email]")).ToContainTextAsync("your email address is not confirmed yet");
        // The in-app test is in the notification centre: the bell counts it.
        await Expect(Page.Locator("[data-bell-count]")).ToHaveTextAsync("1");
        await Page.GetByTestId("bell").ClickAsync();
        await Expect(Page.GetByTestId("notifications")).ToContainTextAsync("Test — ATW");
    }

    [Test]
    public async Task An_alert_on_a_whole_watchlist_made_from_the_list_page_fires_for_its_stocks()
    {
        await Ticks.WriteAsync(App, ("TQM", 1000m), ("TMA", 600m));
        await SignInNewUserAsync(Page, "list-alerts");
        await Page.GotoAsync("/watchlists");
        await Page.Locator("#Name").FillAsync("Energy");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create the list" }).ClickAsync();
        foreach (var ticker in new[] { "TQM", "TMA" })
        {
            await Page.Locator("#add-search").FillAsync(ticker);
            await Page.GetByTestId("add-" + ticker).ClickAsync();
            await Expect(Page.Locator($"#row-{ticker}")).ToBeVisibleAsync();
        }

        await Page.GetByTestId("alert-on-list").ClickAsync();
        await Expect(Page.Locator("#Input_WatchlistId option:checked")).ToHaveTextAsync("Energy");
        await Page.Locator("#Input_Condition").SelectOptionAsync("PriceAbove");
        await Page.Locator("#Input_Level").FillAsync("900");
        // TQM (1,000) is already above 900: the form warns before saving.
        await Expect(Page.GetByTestId("fires-immediately")).ToContainTextAsync("1");
        await Page.Locator("#Input_Level").FillAsync("1100");
        await Expect(Page.GetByTestId("alert-ok")).ToBeVisibleAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create alert" }).ClickAsync();
        await Expect(Page.GetByTestId("alerts").Locator("tbody tr").First).ToContainTextAsync("Energy");

        await Ticks.WriteAsync(App, ("TQM", 1105m));
        await Expect(Page.GetByTestId("toast")).ToContainTextAsync("TQM: Price at or above 1,100.00", new() { Timeout = 15_000 });
        await Ticks.WriteAsync(App, ("TMA", 1101m));
        await Expect(Page.GetByTestId("toast").Filter(new() { HasText = "TMA" })).ToBeVisibleAsync();
        await Expect(Page.Locator("[data-bell-count]")).ToHaveTextAsync("2");
    }

    [Test]
    public async Task Many_alerts_at_once_toast_the_newest_and_say_how_many_more()
    {
        var user = await Features.Alerts.AlertTesting.UserAsync(this, App, _ => App.CreateClient(), "many");
        await Ticks.WriteAsync(App, ("BOA", 200m));
        for (var i = 0; i < 8; i++)
        {
            await Features.Alerts.AlertTesting.CreateAsync(user.Api, new { ticker = "BOA", condition = "CrossesUp", level = 201 + i, channels = new[] { "InApp" } });
        }
        await SignInAsync(Page, user.Email);
        await Features.Alerts.AlertTesting.WaitArmedAsync(App, 8);

        await Ticks.WriteAsync(App, ("BOA", 215m));
        await Expect(Page.Locator("[data-bell-count]")).ToHaveTextAsync("8", new() { Timeout = 15_000 });
        await Expect(Page.GetByTestId("toast").Filter(new() { HasText = "3 more notifications" })).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("toast")).ToHaveCountAsync(6, new() { Timeout = 2_000 });
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task The_alert_pages_fit_a_360_px_phone(string language)
    {
        var user = await Features.Alerts.AlertTesting.UserAsync(this, App, _ => App.CreateClient(), "phone-" + language);
        await Ticks.WriteAsync(App, ("CMA", 1500m));
        var id = await Features.Alerts.AlertTesting.CreateAsync(user.Api, new
        {
            ticker = "CMA", condition = "PriceAbove", level = 1400, channels = new[] { "InApp", "Email" },
            note = "A long note about {ticker} reaching {price}, to see that the table keeps to the width of a phone screen",
        });
        await Eventually.ValueAsync(() => Features.Alerts.AlertTesting.FiringsAsync(App, id), f => f.Count == 1, "the firing");
        // Signed in, the page speaks the account's language.
        await App.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, language)));
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        await SignInAsync(page, user.Email);
        foreach (var path in new[] { "/alerts", "/alerts/new?ticker=CMA", $"/alerts/{id}", "/alerts/history", "/notifications", "/account/manage/notifications" })
        {
            await AssertNoSidewaysScrollAsync(page, path);
            await Expect(page.Locator("html")).ToHaveAttributeAsync("dir", language == "ar" ? "rtl" : "ltr");
        }
    }
}
