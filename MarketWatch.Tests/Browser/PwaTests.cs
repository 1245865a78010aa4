using System.Buffers.Binary;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>The installable app on a phone: manifest, service worker, offline snapshot, push notifications.</summary>
public sealed class PwaTests : BrowserTest
{
    private async Task<IPage> PhoneAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        // The worker installs, activates and claims the page; from then on navigations go through it.
        await page.WaitForFunctionAsync("async () => (await navigator.serviceWorker.ready) && !!navigator.serviceWorker.controller");
        return page;
    }

    [Test]
    public async Task The_manifest_is_served_valid_and_its_icons_have_the_declared_sizes()
    {
        var http = App.CreateClient();
        var response = await http.GetAsync("/manifest.webmanifest");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/manifest+json"));
        var manifest = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(manifest.GetProperty("name").GetString(), Is.EqualTo("MarketWatch"));
        Assert.That(manifest.GetProperty("short_name").GetString(), Is.Not.Empty);
        Assert.That(manifest.GetProperty("display").GetString(), Is.EqualTo("standalone"));
        Assert.That(manifest.GetProperty("start_url").GetString(), Does.StartWith("/"));
        Assert.That(manifest.GetProperty("scope").GetString(), Is.EqualTo("/"));
        Assert.That(manifest.GetProperty("theme_color").GetString(), Does.StartWith("#"));
        Assert.That(manifest.GetProperty("shortcuts").EnumerateArray().Select(s => s.GetProperty("url").GetString()), Does.Contain("/watchlists"));

        var images = manifest.GetProperty("icons").EnumerateArray().Concat(manifest.GetProperty("screenshots").EnumerateArray()).ToList();
        Assert.That(manifest.GetProperty("icons").EnumerateArray().Select(i => (i.GetProperty("sizes").GetString(), i.GetProperty("purpose").GetString())),
            Is.SupersetOf(new[] { ("192x192", "any"), ("512x512", "any"), ("512x512", "maskable") }));
        foreach (var image in images)
        {
            var bytes = await http.GetByteArrayAsync(image.GetProperty("src").GetString());
            Assert.That(bytes[1..4], Is.EqualTo("PNG"u8.ToArray()), image.GetProperty("src").GetString());
            var (width, height) = (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
            Assert.That($"{width}x{height}", Is.EqualTo(image.GetProperty("sizes").GetString()), image.GetProperty("src").GetString());
        }

        var arabic = new HttpRequestMessage(HttpMethod.Get, "/manifest.webmanifest");
        arabic.Headers.AcceptLanguage.ParseAdd("ar");
        var rtl = JsonDocument.Parse(await (await http.SendAsync(arabic)).Content.ReadAsStringAsync()).RootElement;
        Assert.That((rtl.GetProperty("lang").GetString(), rtl.GetProperty("dir").GetString()), Is.EqualTo(("ar", "rtl")));
    }

    [Test]
    public async Task The_service_worker_controls_the_page_and_precaches_the_shell_but_never_the_api()
    {
        await using var context = await NewPhoneContextAsync("en", ServiceWorkerPolicy.Allow);
        var page = await PhoneAsync(context);
        var caches = await page.EvaluateAsync<string[]>("async () => { const out = []; for (const n of await caches.keys()) for (const r of await (await caches.open(n)).keys()) out.push(new URL(r.url).pathname); return out; }");
        Assert.That(caches, Is.SupersetOf(new[] { "/dist/js/app.js", "/dist/css/app.css", "/dist/icons/icon-192.png", "/offline" }));
        await page.EvaluateAsync("async () => { await fetch('/api/market/status'); await fetch('/dist/js/chart.js'); }");
        caches = await page.EvaluateAsync<string[]>("async () => { const out = []; for (const n of await caches.keys()) for (const r of await (await caches.open(n)).keys()) out.push(new URL(r.url).pathname); return out; }");
        Assert.That(caches.Any(c => c.StartsWith("/api/") || c.StartsWith("/stream/")), Is.False);
    }

    [Test]
    public async Task Offline_shows_the_offline_page_and_the_last_watchlist_snapshot_which_sign_out_deletes()
    {
        var email = NewEmail("offline");
        await RegisterAsync(App.CreateClient(), email);
        await using var context = await NewPhoneContextAsync("en", ServiceWorkerPolicy.Allow);
        var page = await PhoneAsync(context);
        await SignInAsync(page, email);

        await page.GotoAsync("/watchlists");
        await page.Locator("ul[data-testid=lists] a").First.ClickAsync();
        await page.Locator("#add-search").FillAsync("IAM");
        await page.GetByTestId("add-IAM").ClickAsync();
        await Expect(page.Locator("#row-IAM")).ToBeVisibleAsync();
        var listPath = new Uri(page.Url).AbsolutePath;
        await page.ReloadAsync();
        await page.WaitForFunctionAsync("async () => !!(await (await caches.open('mw-user')).match('/__mw/last-watchlist'))");

        await context.SetOfflineAsync(true);
        await page.GotoAsync("/");
        await Expect(page.GetByTestId("offline-page")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-last-snapshot]")).ToContainTextAsync("Open your last watchlist");
        await page.Locator("[data-last-snapshot]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(listPath + "$"));
        await Expect(page.GetByTestId("offline-snapshot")).ToContainTextAsync("Offline: this list as it was at");
        await Expect(page.Locator("#row-IAM")).ToBeVisibleAsync();

        await context.SetOfflineAsync(false);
        await page.GotoAsync("/");
        await page.Locator(".menu-toggle").ClickAsync();
        await page.Locator("form[action='/account/logout'] button").First.ClickAsync();
        await Expect(page.Locator("header")).ToContainTextAsync("Sign in");
        await page.WaitForFunctionAsync("async () => !(await caches.has('mw-user'))");
        await context.SetOfflineAsync(true);
        await page.GotoAsync(listPath);
        await Expect(page.GetByTestId("offline-page")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-last-snapshot]")).ToHaveCountAsync(0);
        await Expect(page.Locator("body")).Not.ToContainTextAsync("IAM");
    }

    [Test]
    public async Task A_push_event_shows_a_notification_with_the_payloads_title()
    {
        await using var context = await NewPhoneContextAsync("en", ServiceWorkerPolicy.Allow);
        await context.GrantPermissionsAsync(["notifications"]);
        var page = await PhoneAsync(context);
        var cdp = await context.NewCDPSessionAsync(page);
        var registration = new TaskCompletionSource<string>();
        cdp.Event("ServiceWorker.workerRegistrationUpdated").OnEvent += (_, e) =>
        {
            foreach (var r in e!.Value.GetProperty("registrations").EnumerateArray())
            {
                if (!r.GetProperty("isDeleted").GetBoolean())
                {
                    registration.TrySetResult(r.GetProperty("registrationId").GetString()!);
                }
            }
        };
        await cdp.SendAsync("ServiceWorker.enable");
        var id = await registration.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // A push delivered to a worker still installing is lost: wait until the page's worker is active first.
        await page.EvaluateAsync("async () => { await navigator.serviceWorker.ready; }");
        var payload = JsonSerializer.Serialize(new { title = "ATW crossed 760", body = "Attijariwafa Bank at 761.20 MAD", url = "/stocks/ATW", tag = "alert-1" });
        await cdp.SendAsync("ServiceWorker.deliverPushMessage", new Dictionary<string, object>
        {
            ["origin"] = BaseUrl,
            ["registrationId"] = id,
            ["data"] = payload,
        });
        // The worker fetches the notification's icons before it shows it: on a busy machine that takes a while, so the
        // wait is the suite's default rather than a tighter one.
        var shown = await Eventually.ValueAsync(() => page.EvaluateAsync<string[]>(
                "async () => (await (await navigator.serviceWorker.ready).getNotifications()).map(x => x.title + '|' + x.tag + '|' + x.body)"),
            notifications => notifications.Length > 0, "the service worker to show the pushed notification");
        Assert.That(shown, Is.EqualTo(new[] { "ATW crossed 760|alert-1|Attijariwafa Bank at 761.20 MAD" }));
    }

    [Test]
    public async Task Enabling_push_on_a_device_stores_it_through_the_api_with_the_pages_antiforgery_token()
    {
        await using var context = await NewPhoneContextAsync("en", ServiceWorkerPolicy.Allow);
        await context.GrantPermissionsAsync(["notifications"]);
        // Headless Chromium has no push service: the browser's subscribe answers a subscription of its own making, so
        // what is tested is the app's script and the server (the POST is cookie-signed-in and must carry the token).
        await context.AddInitScriptAsync("""
            PushManager.prototype.subscribe = async () => ({ toJSON: () => ({ endpoint: 'https://push.example.net/send/this-phone',
              keys: { p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM', auth: 'tBHItJI5svbpez7KI4CCXg' } }) });
            """);
        var page = await PhoneAsync(context);
        var email = await SignInNewUserAsync(page, "push-device");
        await page.GotoAsync("/account/manage/devices");
        await page.Locator("[data-push-enable]").ClickAsync();
        // The script reloads the page once the server has the device: the user sees it listed. Waiting for that also
        // keeps the context from being closed mid-reload, which Chromium (156) can fail to answer at all.
        await Expect(page.GetByTestId("devices")).ToContainTextAsync("push.example.net");
        await page.WaitForLoadStateAsync(LoadState.Load);
        var stored = await Eventually.ValueAsync(() => App.WithDbAsync(db => db.Set<Web.Features.Notifications.PushSubscription>()
                .CountAsync(s => s.Endpoint == "https://push.example.net/send/this-phone" && db.Users.Any(u => u.Id == s.UserId && u.Email == email))),
            count => count == 1, "the device to be stored");
        Assert.That(stored, Is.EqualTo(1));
    }
}
