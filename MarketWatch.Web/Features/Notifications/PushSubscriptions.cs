using Microsoft.EntityFrameworkCore.Metadata.Builders;
using System.Security.Cryptography;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>One browser/device a user allowed to receive web push notifications (the Push API subscription).</summary>
public sealed class PushSubscription
{
    public const int NameMaxLength = 60;

    public int Id { get; set; }
    public required string UserId { get; set; }
    public required string Endpoint { get; set; }
    /// <summary>The browser's P-256 public key (base64url) and auth secret: what the push payload is encrypted for.</summary>
    public required string P256dh { get; set; }
    public required string Auth { get; set; }
    public string Name { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The server's VAPID key pair (P-256), made on first use and shared by every instance through the database.</summary>
public sealed class VapidKey
{
    public int Id { get; set; }
    public required string PublicKey { get; set; }
    /// <summary>The private scalar, base64url; stored encrypted (<see cref="SecretsAtRest.VapidPrivateKey"/>), clear once loaded by <see cref="VapidKeys"/>.</summary>
    public required string PrivateKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class PushSubscriptionConfiguration : IEntityTypeConfiguration<PushSubscription>
{
    public void Configure(EntityTypeBuilder<PushSubscription> e)
    {
        e.ToTable("push_subscriptions");
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        // One row per account and browser: a browser shared by two accounts has a row for each, and posting an
        // endpoint never touches another account's row. The index also serves "this user's devices".
        e.HasIndex(s => new { s.UserId, s.Endpoint }).IsUnique();
        e.Property(s => s.Endpoint).HasMaxLength(2000);
        e.Property(s => s.P256dh).HasMaxLength(200);
        e.Property(s => s.Auth).HasMaxLength(100);
        e.Property(s => s.Name).HasMaxLength(PushSubscription.NameMaxLength);
    }
}

internal sealed class VapidKeyConfiguration : IEntityTypeConfiguration<VapidKey>
{
    public void Configure(EntityTypeBuilder<VapidKey> e)
    {
        e.ToTable("vapid_keys");
        e.Property(k => k.Id).ValueGeneratedNever();
        e.Property(k => k.PublicKey).HasMaxLength(200);
        e.Property(k => k.PrivateKey).HasMaxLength(500);
    }
}

/// <summary>
/// The VAPID keys: generated once (the first instance to ask inserts them; the others read the same row), then
/// kept in memory. Browsers subscribe with the public key; the alerts' web push delivery signs with the private one,
/// which the row holds encrypted with Data Protection.
/// </summary>
public sealed class VapidKeys(IServiceScopeFactory scopes, SecretsAtRest secrets, TimeProvider clock)
{
    private VapidKey? _key;

    public async Task<VapidKey> GetAsync(CancellationToken cancellationToken)
    {
        if (_key is not null)
        {
            return _key;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var key = await db.Set<VapidKey>().AsNoTracking().SingleOrDefaultAsync(k => k.Id == 1, cancellationToken);
        if (key is null)
        {
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var parameters = ecdsa.ExportParameters(includePrivateParameters: true);
            var publicKey = new byte[65];
            publicKey[0] = 0x04; // uncompressed point, as the Push API wants it
            parameters.Q.X!.CopyTo(publicKey, 1);
            parameters.Q.Y!.CopyTo(publicKey, 33);
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO vapid_keys (id, public_key, private_key, created_at)
                VALUES (1, {WebEncoders.Base64UrlEncode(publicKey)}, {secrets.Protect(SecretsAtRest.VapidPrivateKey, WebEncoders.Base64UrlEncode(parameters.D!))}, {clock.GetUtcNow()})
                ON CONFLICT (id) DO NOTHING
                """, cancellationToken);
            key = await db.Set<VapidKey>().AsNoTracking().SingleAsync(k => k.Id == 1, cancellationToken);
        }
        return _key = new VapidKey
        {
            Id = key.Id,
            PublicKey = key.PublicKey,
            PrivateKey = secrets.Reveal(SecretsAtRest.VapidPrivateKey, key.PrivateKey),
            CreatedAt = key.CreatedAt,
        };
    }
}
