using MarketWatch.Tests.Features.Alerts;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// What issue 11 added, on a 360 px phone in English and Arabic: the admin's failed deliveries and held-back ticks, and a
/// failed delivery with its reason and Resend in the alert history and the notification tests. No sideways scrolling,
/// and every button on the screen (not in a table that scrolls by itself).
/// </summary>
public sealed class DeliveryLayoutTests : BrowserTest
{
    private const string AdminEmail = "layout-admin@example.com";
    private LoopbackHttpServer _receiver = null!;
    private long _alertId;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Simulated:DemoMode"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Admin:Email"] = AdminEmail,
        // The first 503 is final: the delivery is failed at once.
        ["Delivery:MaxAttempts"] = "1",
    };

    [OneTimeSetUp]
    public async Task FailedDeliveriesAndHeldBackTicksAsync()
    {
        _receiver = await LoopbackHttpServer.StartAsync(http =>
        {
            http.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        await Ticks.WriteAsync(App, ("ATW", 600m));
        await RegisterAsync(App.CreateClient(), AdminEmail);
        await ConfirmEmailAsync(AdminEmail);
        var api = App.CreateClient();
        var login = await api.PostAsJsonAsync("/api/auth/login", new { email = AdminEmail, password = Password });
        api.DefaultRequestHeaders.Authorization = new("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
        await AlertTesting.WebhookOnlyAsync(api, new Uri(_receiver.Address, "/hooks/marketwatch-alerts").ToString());
        _alertId = await AlertTesting.CreateAsync(api, new { ticker = "ATW", condition = "PriceAbove", level = 610, channels = new[] { "Webhook" } });
        await AlertTesting.WaitArmedAsync(App, 1);
        await Ticks.WriteAsync(App, ("ATW", 611m));
        var tested = await api.PostAsJsonAsync("/api/notifications/test", new { channels = new[] { "Webhook" } });
        Assert.That((int)tested.StatusCode, Is.LessThan(300), await tested.Content.ReadAsStringAsync());
        await Eventually.TrueAsync(() => App.WithDbAsync(db => db.Set<Delivery>().Where(d => d.Status == DeliveryStatus.Failed)
                .AnyAsync(d => d.EventId != null)),
            "the alert's webhook delivery to fail");
        await Eventually.TrueAsync(() => App.WithDbAsync(db => db.Set<Delivery>().AnyAsync(d => d.Status == DeliveryStatus.Failed && d.EventId == null && d.TestSourceId == null)),
            "the test's webhook delivery to fail");

        await App.WithDbAsync(async db =>
        {
            var instruments = await db.Set<Instrument>().Where(i => i.Ticker == "ATW" || i.Ticker == "IAM").ToDictionaryAsync(i => i.Ticker, i => i.Id);
            var now = DateTimeOffset.UtcNow;
            var session = DateOnly.FromDateTime(now.UtcDateTime);
            db.Set<QuarantinedTick>().AddRange(
                new QuarantinedTick { InstrumentId = instruments["ATW"], Time = now, SessionDate = session, Price = 915.5m, ReferencePrice = 611m, ChangePercent = 49.84m,
                                      Reason = QuarantineReason.OutsideThreshold, Status = QuarantineStatus.Pending, Source = "Test" },
                new QuarantinedTick { InstrumentId = instruments["IAM"], Time = now, SessionDate = session, Price = 0m, ReferencePrice = 100m, ChangePercent = -100m,
                                      Reason = QuarantineReason.NotPositive, Status = QuarantineStatus.Pending, Source = "Test" },
                new QuarantinedTick { InstrumentId = instruments["ATW"], Time = now.AddMinutes(-5), SessionDate = session, Price = 700m, ReferencePrice = 600m,
                                      ChangePercent = 16.67m, Reason = QuarantineReason.OutsideThreshold, Status = QuarantineStatus.Discarded,
                                      ResolvedBy = "a-rather-long-administrator-address@marketwatch.example.com", ResolvedAt = now, Source = "Test" });
            return await db.SaveChangesAsync();
        });
    }

    [OneTimeTearDown]
    public async Task StopReceiverAsync() => await _receiver.DisposeAsync();

    [TestCase("en")]
    [TestCase("ar")]
    public async Task The_failed_deliveries_and_held_back_ticks_fit_a_360_px_phone(string language)
    {
        // Signed in, the pages speak the account's language.
        await App.WithDbAsync(db => db.Users.Where(u => u.Email == AdminEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, language)));
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        await SignInAsync(page, AdminEmail);

        await AssertFitsAsync(page, "/admin/deliveries", language);
        await Expect(page.GetByTestId("failed-deliveries").Locator("tbody tr")).ToHaveCountAsync(2);
        await AssertOnScreenAsync(page, page.GetByTestId("resend-all"));
        await AssertOnScreenAsync(page, page.GetByTestId("failed-deliveries").GetByTestId("resend"));

        await AssertFitsAsync(page, "/admin/feed", language);
        var held = page.GetByTestId("quarantine").Locator("tr[data-status=Pending]");
        await Expect(held).ToHaveCountAsync(2);
        await AssertOnScreenAsync(page, held.Locator("button"));

        foreach (var path in new[] { $"/alerts/{_alertId}", "/alerts/history" })
        {
            await AssertFitsAsync(page, path, language);
            var failed = page.GetByTestId("firings").Locator("[data-status=Failed]");
            await Expect(failed.GetByTestId("delivery-detail")).ToBeVisibleAsync();
            await AssertOnScreenAsync(page, failed.GetByTestId("resend"));
        }

        await AssertFitsAsync(page, "/account/manage/notifications", language);
        var test = page.GetByTestId("test-deliveries").Locator("[data-status=Failed]");
        await Expect(test.GetByTestId("delivery-detail")).ToBeVisibleAsync();
        await AssertOnScreenAsync(page, test.GetByTestId("resend"));
    }

    private static async Task AssertFitsAsync(IPage page, string path, string language)
    {
        await AssertNoSidewaysScrollAsync(page, path);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("dir", language == "ar" ? "rtl" : "ltr");
    }

    /// <summary>Every matching element lies within the screen's width: the user sees it without scrolling anything sideways.</summary>
    private static async Task AssertOnScreenAsync(IPage page, ILocator elements)
    {
        var width = page.ViewportSize!.Width;
        var count = await elements.CountAsync();
        Assert.That(count, Is.GreaterThan(0), $"{elements} on {page.Url}");
        for (var i = 0; i < count; i++)
        {
            var box = await elements.Nth(i).BoundingBoxAsync();
            Assert.That(box, Is.Not.Null, $"{elements} #{i} on {page.Url} is displayed");
            Assert.That(box!.X >= 0 && box.X + box.Width <= width, Is.True,
                $"{elements} #{i} on {page.Url} spans {box.X:0}..{box.X + box.Width:0} px of a {width} px screen");
        }
    }
}
