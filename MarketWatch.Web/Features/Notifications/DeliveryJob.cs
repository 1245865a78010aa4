using System.Text.Json;
using Hangfire;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Email;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>
/// Sends one outbox row (<see cref="Delivery"/>) through its channel. The job first claims the row (pending, or a
/// lease that ran out), so two jobs for one row never both send, and a row already Sent is never sent again.
/// Transient failures come back with exponential backoff until <see cref="DeliveryOptions.MaxAttempts"/>; quiet hours hold or
/// drop the message as the user chose; the daily cap per channel skips it.
/// </summary>
/// <summary>Settings of section <c>Delivery</c>.</summary>
public sealed class DeliveryOptions
{
    public int MaxAttempts { get; set; } = 6;
    /// <summary>The first wait after a transient failure; each next one doubles (at most an hour).</summary>
    public int RetryBaseSeconds { get; set; } = 30;
}

public sealed class DeliveryJob(
    DbContext db,
    NpgsqlDataSource dataSource,
    IBackgroundJobClient jobs,
    IOptions<SmtpOptions> smtp,
    Mailer mailer,
    WebPushSender push,
    SmsSender sms,
    WebhookSender webhooks,
    PublicUrls urls,
    INoticeSource notices,
    IOptions<DeliveryOptions> options,
    TimeProvider clock,
    ILogger<DeliveryJob> logger)
{
    public const string Queue = "alerts";
    /// <summary>Longer than any one send can take (SMTP's own timeout is 30 s); after it another job may take the row over.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    /// <summary>How long a job waits for another job of the same user and channel: well inside the lease.</summary>
    public static readonly TimeSpan CapLockWait = TimeSpan.FromSeconds(60);

    /// <summary>With the defaults 30 s, 1 min, 2 min, 4 min, 8 min: the wait after the n-th transient failure.</summary>
    public static TimeSpan Backoff(int attempts, int baseSeconds) =>
        TimeSpan.FromSeconds(Math.Min(3600, baseSeconds * Math.Pow(2, Math.Max(0, attempts - 1))));

    [AutomaticRetry(Attempts = 0)]
    [Queue(Queue)]
    public async Task SendAsync(long deliveryId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var delivery = await ClaimAsync(deliveryId, now, cancellationToken);
        if (delivery is null)
        {
            return;
        }
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == delivery.UserId, cancellationToken);
        if (user is null)
        {
            return;
        }
        var preferences = await db.Set<NotificationPreferences>().AsNoTracking().SingleOrDefaultAsync(p => p.UserId == user.Id, cancellationToken)
                          ?? new NotificationPreferences { UserId = user.Id };
        var zone = QuietHours.Zone(user.TimeZone);
        var isTest = delivery.EventId is null;

        if (!preferences.IsEnabled(delivery.Channel))
        {
            await CompleteAsync(delivery, ChannelResult.Skipped("Not sent: this channel is off in your notification settings."));
            return;
        }
        // Tests go out at once: the user is looking at the settings page, waiting for them.
        if (!isTest && QuietHours.EndsAt(preferences.QuietStart, preferences.QuietEnd, zone, now) is { } quietEnds)
        {
            if (preferences.QuietMode == QuietHoursMode.Drop)
            {
                await CompleteAsync(delivery, ChannelResult.Skipped("Not sent: it came during your quiet hours."));
            }
            else
            {
                await PostponeAsync(delivery, quietEnds, countsAsAttempt: false, new Text("Held until your quiet hours end."));
            }
            return;
        }
        // The cap is counted and spent under one lock per user and channel, so parallel jobs cannot all pass it. Tests
        // count too (a test SMS costs like any other). A job that waits too long comes back later instead of
        // holding a worker (and of outliving its lease).
        await using var capLock = await AdvisoryLock.TryAcquireAsync(dataSource, $"delivery-cap:{user.Id}:{(int)delivery.Channel}", CapLockWait, cancellationToken);
        if (capLock is null)
        {
            await PostponeAsync(delivery, clock.GetUtcNow().AddSeconds(5), countsAsAttempt: false, new Text("Waiting to be sent."));
            return;
        }
        var cap = preferences.DailyCap(delivery.Channel);
        var since = QuietHours.StartOfDay(zone, now);
        var sentToday = await db.Set<Delivery>().CountAsync(d => d.UserId == user.Id && d.Channel == delivery.Channel
                                                                && d.Status == DeliveryStatus.Sent && d.CompletedAt >= since, cancellationToken);
        if (sentToday >= cap)
        {
            await CompleteAsync(delivery, ChannelResult.Skipped("Not sent: the daily limit of {0} for this channel was reached.", cap));
            return;
        }

        ChannelResult result;
        Exception? unexpected = null;
        var started = clock.GetTimestamp();
        try
        {
            using (Languages.Use(user.Language))
            {
                var notice = delivery.EventId is { } eventId
                    ? (await notices.EventsAsync([eventId], zone, cancellationToken)).GetValueOrDefault(eventId)
                    : (await notices.SamplesAsync([new TestSample(delivery.TestSourceId, now)], zone, cancellationToken))[0];
                if (notice is null)
                {
                    await CompleteAsync(delivery, ChannelResult.Skipped("Not sent: the alert no longer exists."));
                    return;
                }
                result = await SendAsync(delivery, user, preferences, notice, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The exception's own text stays in the log: users see a plain reason in their language. A mail server down
            // or refusing is an ordinary failure (one line); anything else keeps its stack trace.
            unexpected = SmtpTransport.IsConversationError(ex) ? null : ex;
            result = ChannelResult.Retry("The service could not be reached; it will be tried again.") with { Cause = SmtpTransport.Describe(ex) };
        }
        DeliveryLog.Attempt(logger, delivery, result, clock.GetElapsedTime(started), unexpected);
        if (result.Outcome == ChannelOutcome.Retry && delivery.Attempts < options.Value.MaxAttempts)
        {
            await PostponeAsync(delivery, clock.GetUtcNow() + Backoff(delivery.Attempts, options.Value.RetryBaseSeconds), countsAsAttempt: true, result.Detail);
            return;
        }
        await CompleteAsync(delivery, result.Outcome == ChannelOutcome.Retry ? result with { Outcome = ChannelOutcome.Failed } : result);
    }

    private async Task<ChannelResult> SendAsync(Delivery delivery, ApplicationUser user, NotificationPreferences preferences, Notice notice, CancellationToken cancellationToken)
    {
        switch (delivery.Channel)
        {
            case Channel.Email:
                if (!user.EmailConfirmed || user.Email is null)
                {
                    return ChannelResult.Skipped("Not sent: your email address is not confirmed yet.");
                }
                var content = EmailLayout.Render(
                    notice.Title,
                    [notice.Body, .. notice.Note is null ? Array.Empty<string>() : [notice.Note], notice.Detail],
                    notice.LinkText,
                    urls.Absolute(notice.LinkPath),
                    notice.SettingsText) with { MessageId = urls.MessageId($"delivery-{delivery.Id}") }; // the same for every attempt
                if (!smtp.Value.Enabled)
                {
                    await mailer.QueueAsync(user.Email, content, cancellationToken);
                    return ChannelResult.Skipped("No mail server is configured: the message is in the local outbox.");
                }
                await SmtpTransport.SendAsync(smtp.Value, user.Email, content, cancellationToken);
                return ChannelResult.Sent("The mail server accepted it.");
            case Channel.Push:
                return await push.SendAsync(user.Id, new PushPayload(notice.Title, notice.Note is null ? notice.Body : notice.Body + "\n" + notice.Note,
                    notice.LinkPath, notice.Tag), cancellationToken);
            case Channel.Sms:
                var text = notice.ShortText.Length > 320 ? notice.ShortText[..320] : notice.ShortText;
                return await sms.SendAsync(preferences.PhoneNumber!, text, cancellationToken);
            case Channel.Webhook:
                return await webhooks.SendAsync(preferences.WebhookUrl!, preferences.WebhookSecret ?? "", JsonSerializer.Serialize(notice.WebhookBody, JsonSerializerOptions.Web), cancellationToken);
            default:
                return ChannelResult.Skipped("Not sent: this channel is off in your notification settings.");
        }
    }

    private async Task<Delivery?> ClaimAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var claimed = await db.Set<Delivery>().FromSqlInterpolated($"""
            UPDATE deliveries SET status = {(int)DeliveryStatus.Sending}, lease_until = {now + Lease}, attempts = attempts + 1
            WHERE id = {id}
              AND ((status = {(int)DeliveryStatus.Pending} AND (next_attempt_at IS NULL OR next_attempt_at <= {now.AddSeconds(1)}))
                OR (status = {(int)DeliveryStatus.Sending} AND lease_until < {now}))
            RETURNING *
            """).AsNoTracking().ToListAsync(cancellationToken);
        return claimed.SingleOrDefault();
    }

    private async Task CompleteAsync(Delivery delivery, ChannelResult result)
    {
        var status = result.Outcome switch
        {
            ChannelOutcome.Sent => DeliveryStatus.Sent,
            ChannelOutcome.Skipped => DeliveryStatus.Skipped,
            _ => DeliveryStatus.Failed,
        };
        await UpdateAsync(delivery, status, result.Detail, null, clock.GetUtcNow(), null);
    }

    private async Task PostponeAsync(Delivery delivery, DateTimeOffset at, bool countsAsAttempt, Text detail)
    {
        if (await UpdateAsync(delivery, DeliveryStatus.Pending, detail, at, null, countsAsAttempt ? null : delivery.Attempts - 1))
        {
            jobs.Schedule<DeliveryJob>(job => job.SendAsync(delivery.Id, CancellationToken.None), at);
        }
    }

    /// <summary>
    /// Records the outcome, only while this job still holds the row (its lease): a job that outlived its lease, whose
    /// row another job took over, changes nothing. Not cancellable: a send that happened must be recorded.
    /// </summary>
    private async Task<bool> UpdateAsync(Delivery delivery, DeliveryStatus status, Text detail, DateTimeOffset? nextAttempt, DateTimeOffset? completed, int? attempts)
    {
        await using var command = dataSource.CreateCommand($"""
            UPDATE deliveries SET status = @status, detail_key = @key, detail_args = @args, next_attempt_at = @next,
                completed_at = @completed, lease_until = NULL, attempts = coalesce(@attempts, attempts)
            WHERE id = @id AND status = {(int)DeliveryStatus.Sending} AND lease_until = @lease
            """);
        command.Parameters.AddWithValue("id", delivery.Id);
        command.Parameters.AddWithValue("lease", delivery.LeaseUntil!.Value);
        command.Parameters.AddWithValue("status", (int)status);
        command.Parameters.AddWithValue("key", detail.Key);
        command.Parameters.AddWithValue("args", detail.Args.Select(a => Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray());
        command.Parameters.AddWithValue("next", (object?)nextAttempt ?? DBNull.Value);
        command.Parameters.AddWithValue("completed", (object?)completed ?? DBNull.Value);
        command.Parameters.Add(new NpgsqlParameter("attempts", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)attempts ?? DBNull.Value });
        return await command.ExecuteNonQueryAsync(CancellationToken.None) == 1;
    }
}
