using Hangfire;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Npgsql;

namespace MarketWatch.Web.Features.Notifications;

public enum TestResult { Sent, NotFound, TooSoon }

/// <summary>
/// The outbox as the features above see it: "deliver this to this user on these channels". A feature writes
/// <see cref="Delivery"/> rows (and an <see cref="InAppNotification"/> for the in-app channel) naming its own event,
/// then hands the pending ones here; it words them through its <see cref="INoticeSource"/>.
/// </summary>
public sealed class NotificationOutbox(DbContext db, NpgsqlDataSource dataSource, IBackgroundJobClient jobs, TimeProvider clock)
{
    /// <summary>NOTIFY channel: the payload names the users with new in-app notifications ("*" for too many).</summary>
    public const string UserNotificationsChannel = "user_notifications";
    /// <summary>At most one test per user in this interval: a test can send an SMS, and SMS cost money.</summary>
    public static readonly TimeSpan TestInterval = TimeSpan.FromSeconds(30);

    /// <summary>Queues the send of rows already committed as pending.</summary>
    public static void Enqueue(IBackgroundJobClient jobs, IEnumerable<long> deliveryIds)
    {
        foreach (var id in deliveryIds)
        {
            jobs.Enqueue<DeliveryJob>(job => job.SendAsync(id, CancellationToken.None));
        }
    }

    /// <summary>The outbox row of one channel, as written now: the in-app channel is delivered the moment it is written.</summary>
    public static Delivery NewDelivery(string userId, Channel channel, DateTimeOffset now, long? eventId = null, long? testSourceId = null)
    {
        var inApp = channel == Channel.InApp;
        return new Delivery
        {
            UserId = userId,
            EventId = eventId,
            TestSourceId = testSourceId,
            Channel = channel,
            Status = inApp ? DeliveryStatus.Sent : DeliveryStatus.Pending,
            Attempts = inApp ? 1 : 0,
            DetailKey = inApp ? Delivery.ShownInApp.Key : null,
            CreatedAt = now,
            NextAttemptAt = inApp ? null : now,
            CompletedAt = inApp ? now : null,
        };
    }

    /// <summary>Outbox rows whose job never ran (the process died after the commit) or whose sender died mid-way.</summary>
    public async Task<int> RequeueLostAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            UPDATE deliveries SET next_attempt_at = @now
            WHERE (status = {(int)DeliveryStatus.Pending} AND next_attempt_at < @stale) OR (status = {(int)DeliveryStatus.Sending} AND lease_until < @now)
            RETURNING id
            """);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("stale", now.AddMinutes(-2));
        var ids = new List<long>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        Enqueue(jobs, ids);
        return ids.Count;
    }

    /// <summary>
    /// Test deliveries (no event behind them) through <paramref name="channels"/>: of one item of the feature's
    /// (<paramref name="testSourceId"/>, worded as its sample) or, with none, the generic sample. At most one every
    /// <see cref="TestInterval"/> per user.
    /// </summary>
    public async Task<TestResult> SendTestAsync(string userId, long? testSourceId, IEnumerable<Channel> channels, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var since = now - TestInterval;
        var deliveries = channels.Distinct().Select(c => NewDelivery(userId, c, now, testSourceId: testSourceId)).ToList();
        var inApp = deliveries.Any(d => d.Channel == Channel.InApp);
        // Checked and written under a per-user lock: parallel requests cannot all pass the interval.
        var sent = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtext({"alert-test:" + userId}))", cancellationToken);
            if (await db.Set<Delivery>().AnyAsync(d => d.UserId == userId && d.EventId == null && d.CreatedAt > since, cancellationToken))
            {
                return false;
            }
            db.AddRange(deliveries);
            if (inApp)
            {
                db.Add(new InAppNotification { UserId = userId, CreatedAt = now, TestSourceId = testSourceId });
            }
            // Changes are accepted only after the commit, so a retry of the whole unit writes them again.
            await db.SaveChangesAsync(acceptAllChangesOnSuccess: false, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.AcceptAllChanges();
            return true;
        });
        if (!sent)
        {
            db.ChangeTracker.Clear();
            return TestResult.TooSoon;
        }
        if (inApp)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await PostgresListener.NotifyAsync(connection, UserNotificationsChannel, [userId], cancellationToken);
        }
        Enqueue(jobs, deliveries.Where(d => d.Status == DeliveryStatus.Pending).Select(d => d.Id));
        return TestResult.Sent;
    }

    /// <summary>The user's latest test deliveries (of one item, or the generic ones), newest first.</summary>
    public Task<List<TestDelivery>> TestsAsync(string userId, long? testSourceId, CancellationToken cancellationToken) =>
        db.Set<Delivery>().AsNoTracking()
            .Where(d => d.UserId == userId && d.EventId == null && d.TestSourceId == testSourceId)
            .OrderByDescending(d => d.Id).Take(20)
            .Select(d => new TestDelivery(d.CreatedAt, new DeliverySummary(d.Id, d.Channel, d.Status, d.Attempts, d.DetailKey, d.DetailArgs, d.CompletedAt)))
            .ToListAsync(cancellationToken);

    /// <summary>202, or 429 with Retry-After when the user sent a test moments ago.</summary>
    public static IResult Tested(TestResult result, HttpContext http, IStringLocalizer L)
    {
        if (result == TestResult.TooSoon)
        {
            http.Response.Headers.RetryAfter = ((int)TestInterval.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(title: L["Too many requests"], detail: L["Wait a moment before sending another test."], statusCode: StatusCodes.Status429TooManyRequests);
        }
        return Results.Accepted();
    }
}
