using System.Text.Json;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Email;
using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>A row a <see cref="DeliveryDispatcher"/> claimed: what sending it needs, and the lease token its outcome must match.</summary>
/// <param name="Destination">Where it goes, for the per-destination limits and circuit breakers: <c>webhook:&lt;url&gt;</c> or <c>channel:&lt;n&gt;</c>.</param>
/// <param name="EventId">The event of feature <paramref name="EventSource"/> (null for a test).</param>
public sealed record ClaimedDelivery(long Id, string UserId, Channel Channel, long? EventId, long? TestSourceId, int Attempts, Guid LeaseToken, string Destination,
    short EventSource = 0);

/// <summary>What one run of a claimed row came to, as far as its destination's circuit breaker is concerned.</summary>
public enum DeliveryRun
{
    /// <summary>Nothing went over the network: skipped, held, waiting for the cap, or the lease was lost.</summary>
    NotAttempted,
    /// <summary>The destination accepted it.</summary>
    Sent,
    /// <summary>The destination answered with a permanent refusal: it is alive.</summary>
    Refused,
    /// <summary>A timeout, a connection failure, a 5xx or 429: the destination may be down.</summary>
    TransientFailure,
}

/// <summary>
/// Sends one claimed outbox row (<see cref="Delivery"/>) through its channel, for the <see cref="DeliveryDispatcher"/>
/// (one scope per row). The channel's switch and quiet hours come first; then one unit of the daily cap is reserved
/// in a short transaction (no lock is held across the network), the notice is worded and sent, and the outcome settles
/// the row and the reservation. Every write matches the claim's lease token, so a run whose row was taken over changes
/// nothing. Transient failures come back with exponential backoff until <see cref="DeliveryOptions.MaxAttempts"/>.
/// A cancellation (the instance is stopping) escapes to the dispatcher, which hands the row back.
/// </summary>
public sealed class DeliveryJob(
    DbContext db,
    NpgsqlDataSource dataSource,
    IOptions<SmtpOptions> smtp,
    Mailer mailer,
    WebPushSender push,
    SmsSender sms,
    WebhookSender webhooks,
    SecretsAtRest secrets,
    PublicUrls urls,
    NoticeSources notices,
    IOptions<DeliveryOptions> options,
    TimeProvider clock,
    ILogger<DeliveryJob> logger)
{
    /// <summary>How long a row waits when its user's cap is taken only by sends still in flight (one may fail and give its unit back).</summary>
    public static readonly TimeSpan CapWait = TimeSpan.FromSeconds(5);

    /// <summary>The wait after the n-th transient failure: the base, doubling, at most <see cref="DeliveryOptions.RetryMaxSeconds"/>.</summary>
    public static TimeSpan Backoff(int attempts, DeliveryOptions settings) =>
        TimeSpan.FromSeconds(Math.Min(settings.RetryMaxSeconds, settings.RetryBaseSeconds * Math.Pow(2, Math.Min(30, Math.Max(0, attempts - 1)))));

    public async Task<DeliveryRun> RunAsync(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == delivery.UserId, cancellationToken);
        if (user is null)
        {
            // The account was deleted: its rows went with it.
            return DeliveryRun.NotAttempted;
        }
        var preferences = await db.Set<NotificationPreferences>().AsNoTracking().SingleOrDefaultAsync(p => p.UserId == user.Id, cancellationToken)
                          ?? new NotificationPreferences { UserId = user.Id };
        var zone = QuietHours.Zone(user.TimeZone);
        var isTest = delivery.EventId is null;

        if (!preferences.IsEnabled(delivery.Channel))
        {
            await CompleteAsync(delivery, ChannelResult.Skipped("Not sent: this channel is off in your notification settings."));
            return DeliveryRun.NotAttempted;
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
            return DeliveryRun.NotAttempted;
        }
        var cap = preferences.DailyCap(delivery.Channel);
        switch (await ReserveAsync(delivery, cap, QuietHours.StartOfDay(zone, now), cancellationToken))
        {
            case Reservation.CapReached:
                await CompleteAsync(delivery, ChannelResult.Skipped("Not sent: the daily limit of {0} for this channel was reached.", cap));
                return DeliveryRun.NotAttempted;
            case Reservation.CapInFlight:
                await PostponeAsync(delivery, clock.GetUtcNow() + CapWait, countsAsAttempt: false, new Text("Waiting to be sent."));
                return DeliveryRun.NotAttempted;
            case Reservation.LeaseLost:
                return DeliveryRun.NotAttempted;
        }

        ChannelResult result;
        Exception? unexpected = null;
        var started = clock.GetTimestamp();
        using (Languages.Use(user.Language))
        {
            // Worded before the send and outside the channel's failure handling: a database error here is not the
            // destination's failure (it spends no attempt and opens no circuit); the dispatcher leaves the row to its lease.
            var notice = delivery.EventId is { } eventId
                ? (await notices.EventsAsync(delivery.EventSource, [eventId], zone, cancellationToken)).GetValueOrDefault(eventId)
                : (await notices.SamplesAsync([new TestSample(delivery.TestSourceId, now)], zone, cancellationToken))[0];
            if (notice is null)
            {
                await CompleteAsync(delivery, isTest || delivery.EventSource == 0
                    ? ChannelResult.Skipped("Not sent: the alert no longer exists.")
                    : ChannelResult.Skipped("Not sent: what it was about no longer exists."));
                return DeliveryRun.NotAttempted;
            }
            try
            {
                result = await SendAsync(delivery, user, preferences, notice, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The exception's own text stays in the log: users see a plain reason in their language. A mail server down
                // or refusing is an ordinary failure (one line); anything else keeps its stack trace.
                unexpected = SmtpTransport.IsConversationError(ex) ? null : ex;
                result = ChannelResult.Retry("The service could not be reached; it will be tried again.") with { Cause = SmtpTransport.Describe(ex) };
            }
        }
        if (result.Outcome == ChannelOutcome.Retry && cancellationToken.IsCancellationRequested)
        {
            // Cut short by the instance stopping, not a failure of the destination: the dispatcher hands the row back.
            throw new OperationCanceledException(cancellationToken);
        }
        DeliveryLog.Attempt(logger, delivery, result, clock.GetElapsedTime(started), unexpected);
        var settings = options.Value;
        if (result.Outcome == ChannelOutcome.Retry && delivery.Attempts < settings.MaxAttempts)
        {
            await PostponeAsync(delivery, clock.GetUtcNow() + Backoff(delivery.Attempts, settings), countsAsAttempt: true, result.Detail);
            return DeliveryRun.TransientFailure;
        }
        await CompleteAsync(delivery, result.Outcome == ChannelOutcome.Retry ? result with { Outcome = ChannelOutcome.Failed } : result);
        return result.Outcome switch
        {
            ChannelOutcome.Sent => DeliveryRun.Sent,
            ChannelOutcome.Retry => DeliveryRun.TransientFailure,
            ChannelOutcome.Failed => DeliveryRun.Refused,
            _ => DeliveryRun.NotAttempted,
        };
    }

    private enum Reservation { Reserved, CapReached, CapInFlight, LeaseLost }

    /// <summary>
    /// Takes one unit of the user's daily cap for this channel, or says why not. Counted under a transaction-scoped
    /// advisory lock per user and channel, so parallel runs cannot all pass: what was sent today plus what other runs
    /// reserved and are sending now. The lock ends with this short transaction; the send happens without it. Tests
    /// count too (a test SMS costs like any other).
    /// </summary>
    private async Task<Reservation> ReserveAsync(ClaimedDelivery delivery, int cap, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The count is a statement of its own, after the lock: it sees what the previous holder committed.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext(@lock))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("lock", $"delivery-cap:{delivery.UserId}:{(int)delivery.Channel}");
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }
        long sent, reserved;
        await using (var count = new NpgsqlCommand($"""
            SELECT count(*) FILTER (WHERE status = {(int)DeliveryStatus.Sent}),
                   count(*) FILTER (WHERE status = {(int)DeliveryStatus.Sending} AND cap_reserved AND id <> @id)
            FROM deliveries
            WHERE user_id = @user AND channel = @channel
              AND ((status = {(int)DeliveryStatus.Sent} AND completed_at >= @since) OR (status = {(int)DeliveryStatus.Sending} AND completed_at IS NULL))
            """, connection, transaction))
        {
            count.Parameters.AddWithValue("user", delivery.UserId);
            count.Parameters.AddWithValue("channel", (int)delivery.Channel);
            count.Parameters.AddWithValue("since", since);
            count.Parameters.AddWithValue("id", delivery.Id);
            await using var reader = await count.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            (sent, reserved) = (reader.GetInt64(0), reader.GetInt64(1));
        }
        if (sent >= cap)
        {
            return Reservation.CapReached;
        }
        if (sent + reserved >= cap)
        {
            return Reservation.CapInFlight;
        }
        await using (var reserve = new NpgsqlCommand(
            $"UPDATE deliveries SET cap_reserved = true WHERE id = @id AND status = {(int)DeliveryStatus.Sending} AND lease_token = @token",
            connection, transaction))
        {
            reserve.Parameters.AddWithValue("id", delivery.Id);
            reserve.Parameters.AddWithValue("token", delivery.LeaseToken);
            if (await reserve.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return Reservation.LeaseLost;
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return Reservation.Reserved;
    }

    private async Task<ChannelResult> SendAsync(ClaimedDelivery delivery, ApplicationUser user, NotificationPreferences preferences, Notice notice, CancellationToken cancellationToken)
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
                return await webhooks.SendAsync(preferences.WebhookUrl!, secrets.RevealOrNull(SecretsAtRest.WebhookSecret, preferences.WebhookSecret) ?? "", JsonSerializer.Serialize(notice.WebhookBody, JsonSerializerOptions.Web),
                    delivery.Id, cancellationToken);
            default:
                return ChannelResult.Skipped("Not sent: this channel is off in your notification settings.");
        }
    }
    private Task CompleteAsync(ClaimedDelivery delivery, ChannelResult result)
    {
        var status = result.Outcome switch
        {
            ChannelOutcome.Sent => DeliveryStatus.Sent,
            ChannelOutcome.Skipped => DeliveryStatus.Skipped,
            _ => DeliveryStatus.Failed,
        };
        return UpdateAsync(delivery, status, result.Detail, null, clock.GetUtcNow(), null);
    }

    /// <summary>Back to Pending until <paramref name="at"/>: a dispatcher's timer claims it then.</summary>
    private Task PostponeAsync(ClaimedDelivery delivery, DateTimeOffset at, bool countsAsAttempt, Text detail) =>
        UpdateAsync(delivery, DeliveryStatus.Pending, detail, at, null, countsAsAttempt ? null : delivery.Attempts - 1);

    /// <summary>
    /// Records the outcome and releases the cap reservation, only while this claim still holds the row (its lease
    /// token): a run whose row another dispatcher took over changes nothing. Not cancellable: a send that happened must
    /// be recorded, also while the instance stops.
    /// </summary>
    private async Task UpdateAsync(ClaimedDelivery delivery, DeliveryStatus status, Text detail, DateTimeOffset? nextAttempt, DateTimeOffset? completed, int? attempts)
    {
        await using var command = dataSource.CreateCommand($"""
            UPDATE deliveries SET status = @status, detail_key = @key, detail_args = @args, next_attempt_at = @next, completed_at = @completed,
                lease_until = NULL, lease_token = NULL, cap_reserved = false, attempts = coalesce(@attempts, attempts)
            WHERE id = @id AND status = {(int)DeliveryStatus.Sending} AND lease_token = @token
            """);
        command.Parameters.AddWithValue("id", delivery.Id);
        command.Parameters.AddWithValue("token", delivery.LeaseToken);
        command.Parameters.AddWithValue("status", (int)status);
        command.Parameters.AddWithValue("key", detail.Key);
        command.Parameters.AddWithValue("args", detail.Args.Select(a => Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray());
        command.Parameters.AddWithValue("next", (object?)nextAttempt ?? DBNull.Value);
        command.Parameters.AddWithValue("completed", (object?)completed ?? DBNull.Value);
        command.Parameters.Add(new NpgsqlParameter("attempts", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)attempts ?? DBNull.Value });
        if (await command.ExecuteNonQueryAsync(CancellationToken.None) == 0)
        {
            logger.LogInformation("Delivery {DeliveryId} was taken over before its outcome ({Status}) was recorded", delivery.Id, status);
        }
    }
}
