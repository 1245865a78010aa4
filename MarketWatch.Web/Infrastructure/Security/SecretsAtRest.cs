using Microsoft.AspNetCore.DataProtection;

namespace MarketWatch.Web.Infrastructure.Security;

/// <summary>
/// Secrets the app must read back (webhook signing keys, the VAPID private key, authenticator keys) are stored
/// encrypted with Data Protection, one purpose per kind, so a copy of the database alone does not hold them. A stored
/// value starts with <see cref="Marker"/>; a value without it is a row written before encryption, read as it is until
/// <see cref="IPlaintextSecrets"/> converts it (at <c>migrate</c>).
/// </summary>
public sealed class SecretsAtRest(IDataProtectionProvider provider)
{
    /// <summary>Data Protection's output is base64url, which never holds ':'; no plaintext secret the app makes starts with this.</summary>
    public const string Marker = "mwdp1:";

    public const string WebhookSecret = "MarketWatch.Secrets.WebhookSecret";
    public const string VapidPrivateKey = "MarketWatch.Secrets.VapidPrivateKey";
    public const string AuthenticatorKey = "MarketWatch.Secrets.AuthenticatorKey";
    public const string RecoveryCodes = "MarketWatch.Secrets.RecoveryCodes";

    public static bool IsProtected(string? stored) => stored is not null && stored.StartsWith(Marker, StringComparison.Ordinal);

    /// <summary>The value to store for <paramref name="secret"/>.</summary>
    public string Protect(string purpose, string secret) => Marker + provider.CreateProtector(purpose).Protect(secret);

    /// <summary>The secret a stored value holds (a legacy plaintext value is returned as it is).</summary>
    public string Reveal(string purpose, string stored) =>
        IsProtected(stored) ? provider.CreateProtector(purpose).Unprotect(stored[Marker.Length..]) : stored;

    public string? RevealOrNull(string purpose, string? stored) => stored is null ? null : Reveal(purpose, stored);
}

/// <summary>
/// One kind of secret column that may still hold plaintext rows from before encryption; <c>migrate</c> runs every
/// registered one after the schema migrations. Idempotent: a row already protected is left alone.
/// </summary>
public interface IPlaintextSecrets
{
    /// <summary>Encrypts the plaintext rows in place; returns how many were converted.</summary>
    Task<int> ProtectAsync(CancellationToken cancellationToken);
}
