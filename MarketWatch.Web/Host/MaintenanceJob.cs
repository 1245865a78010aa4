using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Market;
using Hangfire;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Host;

public sealed class MaintenanceOptions
{
    /// <summary>Days a finished outbox email (sent, failed or local) is kept.</summary>
    public int EmailRetentionDays { get; set; } = 30;
    /// <summary>Days after which an account whose email was never confirmed is deleted.</summary>
    public int UnconfirmedAccountDays { get; set; } = 7;
    /// <summary>Days of minute bars kept (the 1D and 1W charts need a week).</summary>
    public int MinuteBarDays { get; set; } = 8;
    /// <summary>Days of feed events kept for /admin/feed.</summary>
    public int FeedEventDays { get; set; } = 30;
    /// <summary>Days a read in-app notification is kept (unread ones stay; alert firings and their delivery results stay as history).</summary>
    public int ReadNotificationDays { get; set; } = 90;
    /// <summary>Days the results of "send a test" are kept.</summary>
    public int TestDeliveryDays { get; set; } = 30;
}

public sealed record MaintenanceResult(int EmailsPurged, int AccountsPurged, int MinuteBarsPurged = 0, int FeedEventsPurged = 0,
    int NotificationsPurged = 0, int TestDeliveriesPurged = 0);

/// <summary>
/// Hourly: purges old outbox emails, accounts never confirmed, old minute bars and feed events, read in-app
/// notifications and test deliveries. Set-based deletes, one statement each.
/// </summary>
public sealed class MaintenanceJob(AppDbContext db, IOptions<MaintenanceOptions> options, TimeProvider clock, ILogger<MaintenanceJob> logger)
{
    public const string Id = "maintenance";

    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public async Task<MaintenanceResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var emailCutoff = now.AddDays(-options.Value.EmailRetentionDays);
        var emails = await db.EmailMessages
            .Where(m => m.Status != EmailStatus.Pending && m.CreatedAt < emailCutoff)
            .ExecuteDeleteAsync(cancellationToken);
        var accountCutoff = now.AddDays(-options.Value.UnconfirmedAccountDays);
        // Identity's own tables (roles, logins, tokens) and API tokens cascade in the database.
        var accounts = await db.Users
            .Where(u => !u.EmailConfirmed && u.CreatedAt < accountCutoff)
            .ExecuteDeleteAsync(cancellationToken);
        var minuteCutoff = now.AddDays(-options.Value.MinuteBarDays);
        var minuteBars = await db.MinuteBars.Where(b => b.Time < minuteCutoff).ExecuteDeleteAsync(cancellationToken);
        var feedCutoff = now.AddDays(-options.Value.FeedEventDays);
        var feedEvents = await db.FeedEvents.Where(e => e.Time < feedCutoff).ExecuteDeleteAsync(cancellationToken);
        var readCutoff = now.AddDays(-options.Value.ReadNotificationDays);
        var notifications = await db.Set<Features.Notifications.InAppNotification>()
            .Where(n => n.ReadAt != null && n.ReadAt < readCutoff)
            .ExecuteDeleteAsync(cancellationToken);
        var testCutoff = now.AddDays(-options.Value.TestDeliveryDays);
        var tests = await db.Set<Features.Notifications.Delivery>()
            .Where(d => d.EventId == null && d.SourceEventId == null && d.CreatedAt < testCutoff && d.Status != Features.Notifications.DeliveryStatus.Pending
                        && d.Status != Features.Notifications.DeliveryStatus.Sending)
            .ExecuteDeleteAsync(cancellationToken);
        logger.LogInformation(
            "Maintenance purged {Emails} emails, {Accounts} unconfirmed accounts, {MinuteBars} minute bars, {FeedEvents} feed events, {Notifications} read notifications, {Tests} test deliveries",
            emails, accounts, minuteBars, feedEvents, notifications, tests);
        return new MaintenanceResult(emails, accounts, minuteBars, feedEvents, notifications, tests);
    }
}
