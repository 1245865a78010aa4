using MarketWatch.Tests.Features.Alerts;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>A delivery that failed for good stays in the alert's history with its reason, and the user sends it again from there.</summary>
public sealed class DeliveryResendTests : BrowserTest
{
    private LoopbackHttpServer? _receiver;
    private volatile int _status = 503;
    private int _received;

    /// <summary>A webhook receiver that is down (503) until the test brings it back.</summary>
    private LoopbackHttpServer Receiver => _receiver ??= LoopbackHttpServer.StartAsync(http =>
    {
        Interlocked.Increment(ref _received);
        http.Response.StatusCode = _status;
        return Task.CompletedTask;
    }).GetAwaiter().GetResult();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["MarketData:Simulated:DemoMode"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["App:BaseUrl"] = "https://marketwatch.example",
        // One attempt: the first 503 is final, as after an outage longer than the whole retry schedule.
        ["Delivery:MaxAttempts"] = "1",
    };

    [OneTimeTearDown]
    public async Task StopReceiverAsync()
    {
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    [Test]
    public async Task A_failed_webhook_shows_why_in_the_history_and_resend_sends_it()
    {
        await Ticks.WriteAsync(App, ("ATW", 600m));
        var email = await SignInNewUserAsync(Page, "resend");
        var api = App.CreateClient();
        var login = await api.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        api.DefaultRequestHeaders.Authorization = new("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
        await AlertTesting.WebhookOnlyAsync(api, new Uri(Receiver.Address, "/hook").ToString());
        var alertId = await AlertTesting.CreateAsync(api, new { ticker = "ATW", condition = "PriceAbove", level = 610, channels = new[] { "Webhook" } });
        await AlertTesting.WaitArmedAsync(App, 1);

        await Ticks.WriteAsync(App, ("ATW", 611m));
        await Eventually.TrueAsync(() => App.WithDbAsync(db => db.Set<Delivery>().AnyAsync(d => d.TestSourceId == null && d.EventId != null && d.Channel == Channel.Webhook
                                                                                            && d.Status == DeliveryStatus.Failed)),
            "the webhook delivery to fail");

        await Page.GotoAsync($"/alerts/{alertId}");
        var row = Page.GetByTestId("firings").Locator("[data-channel=Webhook]");
        await Expect(row).ToContainTextAsync("Failed");
        await Expect(row.GetByTestId("delivery-detail")).ToHaveTextAsync("The webhook answered 503. Attempts made: 1.");

        _status = 200;
        await row.GetByTestId("resend").ClickAsync();
        // The row comes back at once, queued, and follows itself until it went out: no reload.
        await Expect(row).ToContainTextAsync("Sent", new() { Timeout = 20_000 });
        await Expect(row.GetByTestId("delivery-detail")).ToHaveTextAsync("The webhook answered 200.");
        await Expect(row.GetByTestId("resend")).ToHaveCountAsync(0);
        Assert.That(Volatile.Read(ref _received), Is.EqualTo(2), "the failed attempt and the resent one");
    }
}
