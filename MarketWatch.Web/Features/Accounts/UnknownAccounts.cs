using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>Failed sign-ins for an address that has no account, counted like Identity counts them for real ones.</summary>
public sealed class SignInFailure
{
    public required string NormalizedEmail { get; set; }
    public int FailedCount { get; set; }
    public DateTimeOffset? LockoutEnd { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class SignInFailureConfiguration : IEntityTypeConfiguration<SignInFailure>
{
    public void Configure(EntityTypeBuilder<SignInFailure> e)
    {
        e.ToTable("sign_in_failures");
        e.HasKey(f => f.NormalizedEmail);
        e.Property(f => f.NormalizedEmail).HasMaxLength(256);
        e.HasIndex(f => f.UpdatedAt);
    }
}

/// <summary>
/// A sign-in for an address without an account costs what a wrong password costs (a password hash is checked and a
/// failure written), and locks out after as many attempts, with the same message: neither the time taken nor the
/// answer tells whether the account exists.
/// </summary>
public sealed class UnknownAccounts(DbContext db, IPasswordHasher<ApplicationUser> hasher, IOptions<IdentityOptions> identity, TimeProvider clock)
{
    private static readonly Lock HashLock = new();
    private static string? _dummyHash;

    public async Task<bool> IsLockedOutAsync(string email, CancellationToken cancellationToken)
    {
        var key = Normalize(email);
        var now = clock.GetUtcNow();
        return await db.Set<SignInFailure>().AnyAsync(f => f.NormalizedEmail == key && f.LockoutEnd > now, cancellationToken);
    }

    /// <summary>Checks the password against a dummy hash, then records the failure; true when the address is now locked out.</summary>
    public async Task<bool> FailAsync(string email, string password, CancellationToken cancellationToken)
    {
        var dummy = new ApplicationUser();
        hasher.VerifyHashedPassword(dummy, DummyHash(dummy), password);
        var lockout = identity.Value.Lockout;
        var now = clock.GetUtcNow();
        var until = now + lockout.DefaultLockoutTimeSpan;
        // One statement: a count that reaches the limit becomes a lockout (and starts again from 0), as in Identity.
        var locked = await db.Database.SqlQuery<DateTimeOffset?>($"""
            INSERT INTO sign_in_failures (normalized_email, failed_count, lockout_end, updated_at)
            VALUES ({Normalize(email)}, CASE WHEN 1 >= {lockout.MaxFailedAccessAttempts} THEN 0 ELSE 1 END,
                    CASE WHEN 1 >= {lockout.MaxFailedAccessAttempts} THEN {until} END, {now})
            ON CONFLICT (normalized_email) DO UPDATE SET
                failed_count = CASE WHEN sign_in_failures.failed_count + 1 >= {lockout.MaxFailedAccessAttempts} THEN 0 ELSE sign_in_failures.failed_count + 1 END,
                lockout_end = CASE WHEN sign_in_failures.failed_count + 1 >= {lockout.MaxFailedAccessAttempts} THEN {until} ELSE sign_in_failures.lockout_end END,
                updated_at = {now}
            RETURNING lockout_end AS "Value"
            """).ToListAsync(cancellationToken);
        // Rows of addresses nobody tried for a day go (indexed on updated_at).
        var stale = now.AddDays(-1);
        await db.Set<SignInFailure>().Where(f => f.UpdatedAt < stale).ExecuteDeleteAsync(cancellationToken);
        return locked.FirstOrDefault() is { } end && end > now;
    }

    private string DummyHash(ApplicationUser dummy)
    {
        lock (HashLock)
        {
            return _dummyHash ??= hasher.HashPassword(dummy, Guid.NewGuid().ToString("N"));
        }
    }

    private static string Normalize(string email) => email.Trim().ToUpperInvariant();
}
