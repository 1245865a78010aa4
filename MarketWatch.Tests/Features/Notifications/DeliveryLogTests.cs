using MarketWatch.Tests.Features.Alerts;
using System.Globalization;
using System.Net.Http.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Infrastructure.Email;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Notifications;

/// <summary>
/// What the logs say about deliveries: one warning per failed attempt with the delivery id, the cause (HTTP status,
/// network error) and the duration, and no stack trace for an ordinary failure of a webhook or a mail server.
/// </summary>
public sealed class DeliveryLogTests : AppTest
{
    private readonly LogRecorder _logs = new();
    private LoopbackHttpServer? _receiver;
    private int _hooks;
    // Nothing listens here: every SMTP conversation is refused.
    private readonly int _closedSmtpPort = Ports.Free();

    /// <summary>A webhook receiver that answers 503 to the first request and 200 after.</summary>
    private LoopbackHttpServer Receiver => _receiver ??= LoopbackHttpServer.StartAsync(http =>
    {
        http.Response.StatusCode = Interlocked.Increment(ref _hooks) == 1 ? 503 : 200;
        return Task.CompletedTask;
    }).GetAwaiter().GetResult();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = _closedSmtpPort.ToString(CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
        ["App:BaseUrl"] = "https://marketwatch.example",
        ["Jobs:SchedulePollSeconds"] = "1",
        ["Delivery:RetryBaseSeconds"] = "1",
        ["Delivery:MaxAttempts"] = "2",
        ["Webhooks:AllowPrivateNetworks"] = "true",
    };

    protected override Action<IWebHostBuilder>? ConfigureApp => builder => builder.ConfigureLogging(logging => logging.AddProvider(_logs));

    [OneTimeTearDown]
    public async Task StopReceiverAsync()
    {
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    private List<LogRecorder.Entry> AttemptsOf(long deliveryId) =>
        _logs.Entries.Where(e => e.Category == typeof(DeliveryJob).FullName && e.State.TryGetValue("DeliveryId", out var id) && Equals(id, deliveryId)).ToList();

    private async Task<Delivery> TestDeliveryAsync(User user, Channel channel)
    {
        Assert.That((int)(await user.Api.PostAsJsonAsync("/api/notifications/test", new { channels = new[] { channel } })).StatusCode, Is.EqualTo(202));
        return await Eventually.ValueAsync(
            () => App.WithDbAsync(db => db.Set<Delivery>().AsNoTracking().SingleAsync(d => d.UserId == user.Id && d.Channel == channel)),
            d => d.Status is DeliveryStatus.Sent or DeliveryStatus.Failed or DeliveryStatus.Skipped, $"the {channel} test to settle");
    }

    [Test]
    public async Task A_failed_webhook_attempt_is_one_warning_with_status_and_duration_and_no_stack_trace()
    {
        var user = await UserAsync(this, App, Client, "logs");
        await AlertTesting.WebhookOnlyAsync(user.Api, new Uri(Receiver.Address, "/hook").ToString());

        var delivery = await TestDeliveryAsync(user, Channel.Webhook);
        Assert.That((delivery.Status, delivery.Attempts), Is.EqualTo((DeliveryStatus.Sent, 2)), "503, then 200");

        var entries = AttemptsOf(delivery.Id);
        Assert.That(entries, Has.Count.EqualTo(1), "one warning for the failed attempt, none for the one that went out");
        var warning = entries[0];
        Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning.Exception, Is.Null, "an HTTP status is not worth a stack trace");
        Assert.That(warning.State["Cause"], Is.EqualTo("HTTP 503"));
        Assert.That(warning.State["Channel"], Is.EqualTo(Channel.Webhook));
        Assert.That(warning.State["ElapsedMs"], Is.TypeOf<long>().And.GreaterThanOrEqualTo(0L));
        Assert.That(warning.Message, Does.Contain($"Delivery {delivery.Id} over Webhook failed (attempt 1"));
    }

    [Test]
    public async Task A_mail_server_that_refuses_is_one_warning_per_attempt_without_a_stack_trace()
    {
        var user = await UserAsync(this, App, Client, "logs");
        var delivery = await TestDeliveryAsync(user, Channel.Email);
        Assert.That((delivery.Status, delivery.Attempts), Is.EqualTo((DeliveryStatus.Failed, 2)));

        var entries = AttemptsOf(delivery.Id);
        Assert.That(entries, Has.Count.EqualTo(2), "one line per attempt");
        Assert.That(entries.Select(e => (e.Level, e.Exception)), Is.All.EqualTo((LogLevel.Warning, (Exception?)null)));
        Assert.That(entries.Select(e => e.State["Cause"]?.ToString()), Is.All.Contains("ConnectionRefused"));

        // The account emails' job says it the same way (its first attempt runs when the account is made).
        var accountMail = await Eventually.ValueAsync(
            () => Task.FromResult(_logs.Entries.Where(e => e.Category == typeof(EmailDeliveryJob).FullName).ToList()), e => e.Count > 0, "the account email's failed attempt");
        Assert.That(accountMail.Select(e => e.Exception), Is.All.Null);
        Assert.That(accountMail[0].Message, Does.Contain("ConnectionRefused"));
        // Hangfire's retry filter would log while it schedules the retry: once the retry is scheduled, it has spoken.
        var monitoring = App.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
        await Eventually.TrueAsync(() => monitoring.ScheduledJobs(0, 100).Any(j => j.Value.Job?.Type == typeof(EmailDeliveryJob)), "the account email's retry to be scheduled");
        Assert.That(_logs.Entries.Where(e => e.Exception is System.Net.Sockets.SocketException).Select(e => e.Category), Is.Empty,
            "nobody else (Hangfire's retry filter) logs the refused connection with its stack trace");
    }
}
