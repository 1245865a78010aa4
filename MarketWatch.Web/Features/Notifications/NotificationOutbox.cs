using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Npgsql;

namespace MarketWatch.Web.Features.Notifications;

public enum TestResult { Sent, NotFound, TooSoon }

/// <summary>What asking to send one delivery again gave: queued, no such row of this user, or a row that has not failed.</summary>
public enum ResendOutcome { Queued, NotFound, NotFailed }

/// <summary>The answer to a resend of one row: the outcome and the row as it now is (null when not found).</summary>
public sealed record ResendResult(ResendOutcome Outcome, TestDelivery? Row);

/// <summary>
/// Which failed rows an admin resends: of one channel (all when null), completed in [<see cref="From"/>,
/// <see cref="To"/>) (open ends when null), optionally only the given ids.
/// </summary>
public sealed record FailedDeliveryFilter(Channel? Channel = null, DateTimeOffset? From = null, DateTimeOffset? To = null, IReadOnlyCollection<long>? Ids = null);

/// <summary>
/// The outbox as the features above see it: "deliver this to this user on these channels". A feature writes
/// <see cref="Delivery"/> rows (and an <see cref="InAppNotification"/> for the in-app channel) naming its own event,
/// in its own transaction with <see cref="NotifyDueAsync"/>, and the <see cref="DeliveryDispatcher"/> sends them; it words
/// them through its <see cref="INoticeSource"/>.
/// </summary>
public sealed class NotificationOutbox(DbContext db, NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>NOTIFY channel: the payload names the users with new in-app notifications ("*" for too many).</summary>
    public const string UserNotificationsChannel = "user_notifications";
    /// <summary>At most one test per user in this interval: a test can send an SMS, and SMS cost money.</summary>
    public static readonly TimeSpan TestInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// NOTIFY channel of <see cref="DeliveryDispatcher"/>: "rows are due now". Sent in the transaction that makes them
    /// due (on commit, every instance's dispatcher claims at once); the payload means nothing.
    /// </summary>
    public const string DeliveriesDueChannel = "deliveries_due";

    private const string NotifyDueSql = $"SELECT pg_notify('{DeliveriesDueChannel}', '')";

    /// <summary>Wakes the dispatchers when <paramref name="transaction"/> commits (at once without one): for code that writes due rows.</summary>
    public static async Task NotifyDueAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(NotifyDueSql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The same NOTIFY as one command of a caller's batch.</summary>
    public static NpgsqlBatchCommand NotifyDueCommand() => new(NotifyDueSql);

    /// <summary>
    /// Wakes every instance's dispatcher now: after committing rows made due (<c>status = Pending, next_attempt_at =
    /// now</c>, e.g. a resend). Prefer <see cref="NotifyDueAsync"/> inside the writing transaction; without either the
    /// dispatchers' timer still finds the rows within <see cref="DeliveryOptions.PollSeconds"/>.
    /// </summary>
    public async Task WakeAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(NotifyDueSql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>What a resent row says until its next attempt (the user sees it in the history).</summary>
    public static readonly Text QueuedAgain = new Text("Queued to be sent again.");

    /// <summary>
    /// Makes the user's own failed rows among <paramref name="ids"/> due again (see <see cref="ResendWhereAsync"/>);
    /// rows of other users and rows that have not failed are left as they are. Returns how many were queued.
    /// </summary>
    public async Task<int> ResendAsync(string userId, IReadOnlyCollection<long> ids, CancellationToken cancellationToken) =>
        (await ResendWhereAsync(userId, new FailedDeliveryFilter(Ids: ids), cancellationToken)).Count;

    /// <summary>One row of the user, sent again when it failed; says why not otherwise (another user's row is not found).</summary>
    public async Task<ResendResult> ResendOneAsync(string userId, long id, CancellationToken cancellationToken)
    {
        var queued = await ResendWhereAsync(userId, new FailedDeliveryFilter(Ids: [id]), cancellationToken);
        var row = await FindAsync(userId, id, cancellationToken);
        return row is null ? new ResendResult(ResendOutcome.NotFound, null)
            : new ResendResult(queued.Count == 1 ? ResendOutcome.Queued : ResendOutcome.NotFailed, row);
    }

    /// <summary>Failed rows of every user that match the filter, made due again (an admin's bulk resend). Returns their ids.</summary>
    public Task<List<long>> ResendFailedAsync(FailedDeliveryFilter filter, CancellationToken cancellationToken) =>
        ResendWhereAsync(null, filter, cancellationToken);

    /// <summary>
    /// The one definition of a resend, for users and admins: only rows in state Failed (a Skipped row was not sent on
    /// purpose: the user's own settings, quiet hours or daily limit decided it) go back to Pending, due now, with their
    /// attempts reset (a full retry schedule again) and <see cref="QueuedAgain"/> as their detail; then the sender is woken.
    /// </summary>
    private async Task<List<long>> ResendWhereAsync(string? userId, FailedDeliveryFilter filter, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var command = dataSource.CreateCommand($"""
            UPDATE deliveries SET status = {(int)DeliveryStatus.Pending}, next_attempt_at = @now, attempts = 0, lease_until = NULL,
                completed_at = NULL, detail_key = @detail, detail_args = NULL
            WHERE status = {(int)DeliveryStatus.Failed}
              AND (@user::text IS NULL OR user_id = @user)
              AND (@ids::bigint[] IS NULL OR id = ANY(@ids))
              AND (@channel::integer IS NULL OR channel = @channel)
              AND (@from::timestamptz IS NULL OR completed_at >= @from)
              AND (@to::timestamptz IS NULL OR completed_at < @to)
            RETURNING id
            """);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("detail", QueuedAgain.Key);
        command.Parameters.Add(new NpgsqlParameter("user", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)userId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)filter.Ids?.ToArray() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("channel", NpgsqlTypes.NpgsqlDbType.Integer) { Value = filter.Channel is { } c ? (int)c : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("from", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)filter.From ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("to", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)filter.To ?? DBNull.Value });
        var ids = new List<long>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        // The one place a resend wakes the dispatchers (of every instance).
        if (ids.Count > 0)
        {
            await WakeAsync(cancellationToken);
        }
        return ids;
    }

    /// <summary>One of the user's deliveries as the pages show it; null when there is none of that id for this user.</summary>
    public Task<TestDelivery?> FindAsync(string userId, long id, CancellationToken cancellationToken) =>
        db.Set<Delivery>().AsNoTracking().Where(d => d.Id == id && d.UserId == userId)
            .Select(d => new TestDelivery(d.CreatedAt, new DeliverySummary(d.Id, d.Channel, d.Status, d.Attempts, d.DetailKey, d.DetailArgs, d.CompletedAt)))
            .SingleOrDefaultAsync(cancellationToken);

    /// <summary>
    /// The one definition of what is written for a message: given a CTE <paramref name="rows"/> with columns
    /// <c>user_id, ch, event_id, test_source_id</c> (one row per channel), the CTEs <c>inapp</c> (the notification
    /// centre's row, for the in-app channel) and <c>deliveries</c> (one outbox row per channel; in-app is delivered the
    /// moment it is written), returning <c>id, channel, user_id, status, event_id</c>. Parameters: <c>@now</c>, <c>@shown_in_app</c>.
    /// <paramref name="source"/> is the writing feature's <see cref="INoticeSource.EventSource"/>.
    /// Used inside a feature's own statement, so the message is written in the feature's transaction.
    /// </summary>
    public static string InsertSql(string rows, short source = 0)
    {
        // Alerts' events go to firing_id (keyed to their firings); another feature's to source_event_id.
        var eventColumn = source == 0 ? "firing_id" : "source_event_id";
        return $"""
        inapp AS (
            INSERT INTO notifications (user_id, {eventColumn}, event_source, test_alert_id, created_at)
            SELECT user_id, event_id, {source}, test_source_id, @now FROM {rows} WHERE ch = {(int)Channel.InApp}
        ), deliveries AS (
            INSERT INTO deliveries (user_id, channel, {eventColumn}, event_source, alert_id, status, attempts, detail_key, created_at, next_attempt_at, completed_at)
            SELECT user_id, ch, event_id, {source}, test_source_id,
                   CASE WHEN ch = {(int)Channel.InApp} THEN {(int)DeliveryStatus.Sent} ELSE {(int)DeliveryStatus.Pending} END,
                   CASE WHEN ch = {(int)Channel.InApp} THEN 1 ELSE 0 END,
                   CASE WHEN ch = {(int)Channel.InApp} THEN @shown_in_app END,
                   @now, CASE WHEN ch = {(int)Channel.InApp} THEN NULL ELSE @now END, CASE WHEN ch = {(int)Channel.InApp} THEN @now END
            FROM {rows}
            RETURNING id, channel, user_id, status, {eventColumn} AS event_id
        )
        """;
    }

    /// <summary>The parameters <see cref="InsertSql"/> reads.</summary>
    public static void AddInsertParameters(NpgsqlParameterCollection parameters, DateTimeOffset now)
    {
        parameters.AddWithValue("now", now);
        parameters.AddWithValue("shown_in_app", Delivery.ShownInApp.Key);
    }

    /// <summary>
    /// Test deliveries (no event behind them) through <paramref name="channels"/>: of one item of the feature's
    /// (<paramref name="testSourceId"/>, worded as its sample) or, with none, the generic sample. At most one every
    /// <see cref="TestInterval"/> per user.
    /// </summary>
    public async Task<TestResult> SendTestAsync(string userId, long? testSourceId, IEnumerable<Channel> channels, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var chosen = channels.Distinct().Select(c => (int)c).ToArray();
        var pending = false;
        var inApp = false;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            // Checked and written under a per-user lock: parallel requests cannot all pass the interval. The check is a
            // statement of its own, so that it sees what a request that held the lock before us committed.
            await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext(@lock))", connection, transaction))
            {
                lockCommand.Parameters.AddWithValue("lock", "alert-test:" + userId);
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var check = new NpgsqlCommand(
                "SELECT EXISTS (SELECT 1 FROM deliveries WHERE user_id = @user AND firing_id IS NULL AND source_event_id IS NULL AND created_at > @since)", connection, transaction))
            {
                check.Parameters.AddWithValue("user", userId);
                check.Parameters.AddWithValue("since", now - TestInterval);
                if ((bool)(await check.ExecuteScalarAsync(cancellationToken))!)
                {
                    return TestResult.TooSoon;
                }
            }
            await using (var insert = new NpgsqlCommand($"""
                WITH rows AS (
                    SELECT @user AS user_id, ch, NULL::bigint AS event_id, @test_source::bigint AS test_source_id FROM unnest(@channels) AS ch
                ), {InsertSql("rows")}
                SELECT id, channel, status FROM deliveries
                """, connection, transaction))
            {
                insert.Parameters.AddWithValue("user", userId);
                insert.Parameters.AddWithValue("test_source", (object?)testSourceId ?? DBNull.Value);
                insert.Parameters.AddWithValue("channels", chosen);
                AddInsertParameters(insert.Parameters, now);
                await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    inApp |= reader.GetInt32(1) == (int)Channel.InApp;
                    pending |= reader.GetInt32(2) == (int)DeliveryStatus.Pending;
                }
            }
            if (inApp)
            {
                await PostgresListener.NotifyAsync(connection, UserNotificationsChannel, [userId], cancellationToken, transaction);
            }
            if (pending)
            {
                await NotifyDueAsync(connection, transaction, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return TestResult.Sent;
    }

    /// <summary>The user's latest test deliveries (of one item, or the generic ones), newest first.</summary>
    public Task<List<TestDelivery>> TestsAsync(string userId, long? testSourceId, CancellationToken cancellationToken) =>
        db.Set<Delivery>().AsNoTracking()
            .Where(d => d.UserId == userId && d.EventId == null && d.SourceEventId == null && d.TestSourceId == testSourceId)
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
