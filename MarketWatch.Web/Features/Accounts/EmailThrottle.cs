using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketWatch.Web.Features.Accounts;

/// <summary><c>Accounts:EmailThrottle</c>: how many emails the app sends on request, per address and per account.</summary>
public sealed class EmailThrottleOptions
{
    /// <summary>Emails to one address within the window, whoever asked (protects a stranger's inbox).</summary>
    public int PerRecipient { get; set; } = 3;
    /// <summary>Emails about one account within the window, to any address (protects against one account spraying).</summary>
    public int PerUser { get; set; } = 5;
    public int WindowMinutes { get; set; } = 60;
}

public enum EmailThrottleResult
{
    Allowed,
    /// <summary>The address got its share: the caller says nothing different (the requester may not own it).</summary>
    RecipientLimited,
    /// <summary>The account asked for its share: the caller may tell its own user to try later.</summary>
    UserLimited,
}

/// <summary>One email sent on request (kept for the throttle's window only).</summary>
public sealed class AccountEmailSend
{
    public long Id { get; set; }
    /// <summary>The address, normalized (upper case, trimmed).</summary>
    public required string Recipient { get; set; }
    /// <summary>The account the email is about, when there is one.</summary>
    public string? UserId { get; set; }
    public required string Kind { get; set; }
    public DateTimeOffset SentAt { get; set; }
}

internal sealed class AccountEmailSendConfiguration : IEntityTypeConfiguration<AccountEmailSend>
{
    public void Configure(EntityTypeBuilder<AccountEmailSend> e)
    {
        e.ToTable("account_email_sends");
        e.Property(s => s.Recipient).HasMaxLength(256);
        e.Property(s => s.UserId).HasMaxLength(450);
        e.Property(s => s.Kind).HasMaxLength(32);
        e.HasIndex(s => new { s.Recipient, s.SentAt });
        e.HasIndex(s => new { s.UserId, s.SentAt }).HasFilter("user_id IS NOT NULL");
    }
}

/// <summary>
/// Per-recipient and per-account limits on the emails anyone can make the app send (confirmations, resets, address
/// changes, "someone tried"). Counted in PostgreSQL under advisory locks, so the limit holds across instances and races.
/// Notices (kinds starting with <see cref="NoticePrefix"/>: "someone tried to use your address") have a bucket of their
/// own, one per address and kind per window: otherwise a stranger could spend an owner's allowance with three register
/// attempts and silence that owner's own password reset.
/// </summary>
public sealed class EmailThrottle(DbContext db, IOptions<EmailThrottleOptions> options, TimeProvider clock)
{
    public const string NoticePrefix = "notice:";

    public async Task<EmailThrottleResult> TryReserveAsync(string recipient, string? userId, string kind, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var notice = kind.StartsWith(NoticePrefix, StringComparison.Ordinal);
        var normalized = recipient.Trim().ToUpperInvariant();
        var now = clock.GetUtcNow();
        var since = now.AddMinutes(-o.WindowMinutes);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            var npgsqlTransaction = (NpgsqlTransaction)transaction.GetDbTransaction();
            // Both keys locked in one order (sorted), so two requests never wait on each other in a cycle.
            await using (var lockCommand = new NpgsqlCommand(
                "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT unnest(ARRAY[hashtextextended(@r, 0), hashtextextended(@u, 0)]) AS k) keys ORDER BY k",
                connection, npgsqlTransaction))
            {
                lockCommand.Parameters.AddWithValue("r", "mw.email-to:" + normalized);
                lockCommand.Parameters.AddWithValue("u", "mw.email-for:" + (userId ?? normalized));
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var purge = new NpgsqlCommand(
                "DELETE FROM account_email_sends WHERE sent_at < @since AND (recipient = @r OR user_id = @u)", connection, npgsqlTransaction))
            {
                purge.Parameters.AddWithValue("since", since);
                purge.Parameters.AddWithValue("r", normalized);
                purge.Parameters.Add(new NpgsqlParameter("u", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)userId ?? DBNull.Value });
                await purge.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var command = new NpgsqlCommand("""
                WITH counts AS (
                    SELECT (SELECT count(*) FROM account_email_sends WHERE recipient = @r AND sent_at >= @since
                              AND CASE WHEN @notice THEN kind = @kind ELSE kind NOT LIKE 'notice:%' END) AS by_recipient,
                           (SELECT count(*) FROM account_email_sends WHERE @u IS NOT NULL AND user_id = @u AND sent_at >= @since) AS by_user),
                inserted AS (
                    INSERT INTO account_email_sends (recipient, user_id, kind, sent_at)
                    SELECT @r, @u, @kind, @now FROM counts WHERE by_recipient < @maxR AND by_user < @maxU
                    RETURNING 1)
                SELECT by_recipient, by_user, (SELECT count(*) FROM inserted) FROM counts;
                """, connection, npgsqlTransaction);
            command.Parameters.AddWithValue("since", since);
            command.Parameters.AddWithValue("r", normalized);
            command.Parameters.Add(new NpgsqlParameter("u", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)userId ?? DBNull.Value });
            command.Parameters.AddWithValue("kind", kind);
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("notice", notice);
            command.Parameters.AddWithValue("maxR", notice ? 1L : o.PerRecipient);
            command.Parameters.AddWithValue("maxU", (long)o.PerUser);
            EmailThrottleResult result;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                result = reader.GetInt64(2) > 0 ? EmailThrottleResult.Allowed
                    : reader.GetInt64(1) >= o.PerUser ? EmailThrottleResult.UserLimited
                    : EmailThrottleResult.RecipientLimited;
            }
            await transaction.CommitAsync(cancellationToken);
            return result;
        });
    }
}
