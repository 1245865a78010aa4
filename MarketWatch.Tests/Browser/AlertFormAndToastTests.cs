using System.Net.Http.Json;
using MarketWatch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>
/// The alert form and its toasts as a new user meets them: the confirmation agrees with the table, an alert that fires
/// the moment it is made still toasts, a toast on a phone leaves the price visible, and the phone form fits and says
/// what each condition's level is.
/// </summary>
public sealed class AlertFormAndToastTests : BrowserTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Simulated:DemoMode"] = "true",
    };

    [Test]
    public async Task The_confirmation_agrees_with_the_table_and_a_firing_at_creation_toasts()
    {
        await Ticks.WriteAsync(App, ("IAM", 120m));
        await SignInNewUserAsync(Page, "confirm");

        // Not holding yet: armed, said and shown.
        await Page.GotoAsync("/alerts/new?ticker=IAM");
        await Page.Locator("#Input_Condition").SelectOptionAsync("PriceAbove");
        await Page.Locator("#Input_Level").FillAsync("150");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create alert" }).ClickAsync();
        await Expect(Page.GetByTestId("status")).ToHaveTextAsync("Alert created. It is armed.");
        await Expect(Page.GetByTestId("alert-state")).ToHaveTextAsync("Armed");

        // Already holding: it fires at once. Whatever the list read first, the message and the row agree, and the
        // firing is toasted on the list (it happened while the browser went from the form to the list).
        await Page.GotoAsync("/alerts/new?ticker=IAM");
        await Page.Locator("#Input_Condition").SelectOptionAsync("PriceAbove");
        await Page.Locator("#Input_Level").FillAsync("100");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create alert" }).ClickAsync();
        var status = await Page.GetByTestId("status").TextContentAsync();
        var row = Page.Locator("tr", new() { Has = Page.GetByText("Price at or above 100.00") });
        var state = await row.GetByTestId("alert-state").TextContentAsync();
        Assert.That(state == "Triggered" ? status == "Alert created. Its condition already held, so it fired at once." : status == "Alert created. It is armed.",
            Is.True, $"the message \"{status}\" next to a row in state \"{state}\"");
        await Expect(Page.GetByTestId("toast")).ToContainTextAsync("IAM: Price at or above 100.00", new() { Timeout = 15_000 });
        await Expect(Page.Locator("[data-bell-count]")).ToHaveTextAsync("1");
        // Once it was seen in full (or closed), another page does not toast it again.
        await Page.GetByTestId("toast").Locator("[data-toast-close]").ClickAsync();
        await Page.ReloadAsync();
        await Expect(Page.Locator("[data-bell-count]")).ToHaveTextAsync("1");
        await Expect(Page.GetByTestId("toast")).ToHaveCountAsync(0);
        // And the list, read again, says Triggered.
        await Expect(row.GetByTestId("alert-state")).ToHaveTextAsync("Triggered");
    }

    [Test]
    public async Task A_toast_on_a_phone_leaves_the_price_and_the_bottom_navigation_visible()
    {
        var user = await Features.Alerts.AlertTesting.UserAsync(this, App, _ => App.CreateClient(), "toast-phone");
        await Ticks.WriteAsync(App, ("IAM", 120m));
        await using var context = await NewPhoneContextAsync("en");
        var page = await context.NewPageAsync();
        await SignInAsync(page, user.Email);
        await page.GotoAsync("/stocks/IAM");
        await Expect(page.Locator("#price-IAM")).ToBeVisibleAsync();
        // Sent before or after the page's stream opened, it is toasted (a stream that opens sends the last seconds' unread).
        var sent = await user.Api.PostAsJsonAsync("/api/notifications/test", new { channels = new[] { "InApp" } });
        Assert.That((int)sent.StatusCode, Is.EqualTo(202));
        var toast = page.GetByTestId("toast");
        await Expect(toast).ToBeVisibleAsync();

        var toastBox = (await toast.BoundingBoxAsync())!;
        var priceBox = (await page.Locator("#price-IAM").BoundingBoxAsync())!;
        var navBox = (await page.Locator("nav.bottom-nav").BoundingBoxAsync())!;
        Assert.That(Intersects(toastBox, priceBox), Is.False, $"the toast {Describe(toastBox)} covers the price {Describe(priceBox)}");
        Assert.That(Intersects(toastBox, navBox), Is.False, $"the toast {Describe(toastBox)} covers the bottom navigation {Describe(navBox)}");
        Assert.That(toastBox.X, Is.GreaterThanOrEqualTo(0));
        Assert.That(toastBox.X + toastBox.Width, Is.LessThanOrEqualTo(360));
        Assert.That(toastBox.Height, Is.LessThanOrEqualTo(80), "a compact toast on a phone");
    }

    private static bool Intersects(LocatorBoundingBoxResult a, LocatorBoundingBoxResult b) =>
        a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height;

    private static string Describe(LocatorBoundingBoxResult box) => $"({box.X:0},{box.Y:0} {box.Width:0}×{box.Height:0})";

    [TestCase("en", "Price (MAD)", "Change on the day (%)", "Shares traded today", "Channel low (MAD)")]
    [TestCase("fr", "Cours (MAD)", "Variation du jour (%)", "Titres échangés aujourd'hui", "Bas du canal (MAD)")]
    [TestCase("ar", "السعر (درهم)", "تغير اليوم (%)", "الأسهم المتداولة اليوم", "الحد الأدنى للقناة (درهم)")]
    public async Task The_phone_alert_form_fits_and_names_what_each_condition_needs(string language, string price, string percent, string shares, string channel)
    {
        // Email unconfirmed: that channel shows its reason and "Set up", the row that was cramped.
        var email = NewEmail("form-" + language);
        await RegisterAsync(App.CreateClient(), email);
        await App.WithDbAsync(db => db.Users.Where(u => u.NormalizedEmail == email.ToUpperInvariant()).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, language)));
        await Ticks.WriteAsync(App, ("IAM", 120m));
        await using var context = await NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 360, Height = 740 }, IsMobile = true, HasTouch = true,
            Locale = language switch { "ar" => "ar-MA", "fr" => "fr-FR", _ => "en-US" },
        });
        var page = await context.NewPageAsync();
        await SignInAsync(page, email);

        await AssertNoSidewaysScrollAsync(page, "/alerts/new?ticker=IAM");
        var label = page.GetByTestId("level-label");
        await Expect(label).ToHaveTextAsync(price);
        // Nothing in the form is wider than its box (the channels fieldset was 8 px wider), and "Set up" keeps to one line.
        var overflow = await page.EvaluateAsync<string[]>(@"() => [...document.querySelectorAll('.alert-form fieldset, .alert-form .field')]
            .filter(e => e.offsetParent && (e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5 || e.getBoundingClientRect().left < -0.5))
            .map(e => e.className + ' ' + (e.querySelector('legend,label')?.textContent ?? '') + ' ' + e.scrollWidth + '/' + e.clientWidth)");
        Assert.That(overflow, Is.Empty);
        var setUp = page.Locator(".channel-setup").First;
        await Expect(setUp).ToBeVisibleAsync();
        var lines = await setUp.EvaluateAsync<double>("e => { const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects().length; }");
        Assert.That(lines, Is.EqualTo(1), "\"Set up\" wraps");

        foreach (var (condition, expected) in new[] { ("ChangeUp", percent), ("VolumeAbove", shares), ("EntersChannel", channel), ("PriceBelow", price) })
        {
            await page.Locator("#Input_Condition").SelectOptionAsync(condition);
            await Expect(label).ToHaveTextAsync(expected);
            await Expect(page.GetByTestId("level-help")).Not.ToBeEmptyAsync();
            await AssertNoSidewaysScrollAsync(page);
        }

        // Right on the first render too, before any script runs: an alert on volume opens its edit page with the shares label.
        await page.Locator("#Input_Condition").SelectOptionAsync("VolumeAbove");
        await page.Locator("#Input_Level").FillAsync("1000000");
        await page.Locator(".alert-form button[type=submit]").ClickAsync();
        await Expect(page.GetByTestId("status")).ToBeVisibleAsync();
        // /alerts names its search landmark (the header's site search is the other one).
        Assert.That(await page.Locator("form.filters[role=search]").GetAttributeAsync("aria-label"), Is.Not.Null.And.Not.Empty);
        var edit = await page.Locator("a[href$='/edit']").First.GetAttributeAsync("href");
        await page.RouteAsync("**/dist/js/**", route => route.AbortAsync());
        await page.GotoAsync(edit!);
        await Expect(page.GetByTestId("level-label")).ToHaveTextAsync(shares);
        await page.UnrouteAllAsync();
    }
}
