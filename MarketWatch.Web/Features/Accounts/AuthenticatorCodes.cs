using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>The last authenticator time step accepted for an account: a code of that step or an earlier one is refused.</summary>
public sealed class AuthenticatorStep
{
    public required string UserId { get; set; }
    public long LastStep { get; set; }
}

/// <summary>
/// Identity's authenticator codes (RFC 6238: 30-second steps, two steps of drift either way) used at most once: the
/// accepted step is recorded in PostgreSQL with a conditional upsert, so a code seen by someone looking over a
/// shoulder or replayed from a phished page does not work again, on any instance. Every place that checks an
/// authenticator code (sign-in, the API's login, turning two-factor on, re-authentication) goes through this provider.
/// </summary>
public sealed class AuthenticatorCodes(DbContext db, TimeProvider clock) : AuthenticatorTokenProvider<ApplicationUser>
{
    private const int StepSeconds = 30;
    private const int Drift = 2;

    public override async Task<bool> ValidateAsync(string purpose, string token, UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key) || token.Length != 6 || !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            || Base32Decode(key) is not { } secret)
        {
            return false;
        }
        var now = clock.GetUtcNow().ToUnixTimeSeconds() / StepSeconds;
        for (var step = now - Drift; step <= now + Drift; step++)
        {
            if (Compute(secret, step) == code)
            {
                return await ClaimAsync(user.Id, step);
            }
        }
        return false;
    }

    /// <summary>True when this step is later than every step accepted before (one row per account, updated atomically).</summary>
    private async Task<bool> ClaimAsync(string userId, long step) =>
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO authenticator_steps (user_id, last_step) VALUES ({userId}, {step})
            ON CONFLICT (user_id) DO UPDATE SET last_step = excluded.last_step
            WHERE authenticator_steps.last_step < excluded.last_step
            """) == 1;

    private static int Compute(byte[] secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[HMACSHA1.HashSizeInBytes];
        HMACSHA1.HashData(secret, counter, hash);
        var offset = hash[^1] & 0x0f;
        var binary = BinaryPrimitives.ReadInt32BigEndian(hash[offset..]) & 0x7fffffff;
        return binary % 1_000_000;
    }

    private static byte[]? Base32Decode(string input)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var output = new List<byte>(input.Length * 5 / 8);
        int bits = 0, value = 0;
        foreach (var c in input.TrimEnd('='))
        {
            var index = alphabet.IndexOf(char.ToUpperInvariant(c));
            if (index < 0)
            {
                return null;
            }
            value = (value << 5) | index;
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)(value >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. output];
    }
}

internal sealed class AuthenticatorStepConfiguration : IEntityTypeConfiguration<AuthenticatorStep>
{
    public void Configure(EntityTypeBuilder<AuthenticatorStep> step)
    {
        step.ToTable("authenticator_steps");
        step.HasKey(s => s.UserId);
        step.HasOne<ApplicationUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_authenticator_steps_users_user_id");
    }
}
