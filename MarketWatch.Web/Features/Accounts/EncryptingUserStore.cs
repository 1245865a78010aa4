using MarketWatch.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>
/// Identity's EF store, except that the authenticator key and the recovery codes (rows of user_tokens) are stored
/// encrypted with Data Protection. Identity reads and writes both through Get/SetTokenAsync, so its two-factor sign-in,
/// setup and recovery codes work unchanged; a row from before encryption is read as it is until
/// <see cref="PlaintextAccountSecrets"/> converts it.
/// </summary>
public sealed class EncryptingUserStore(DbContext context, SecretsAtRest secrets, IdentityErrorDescriber? describer = null)
    : UserStore<ApplicationUser, IdentityRole, DbContext>(context, describer)
{
    /// <summary>The login provider under which Identity keeps its own tokens (UserStoreBase.InternalLoginProvider).</summary>
    public const string IdentityProvider = "[AspNetUserStore]";
    public const string AuthenticatorKeyName = "AuthenticatorKey";
    public const string RecoveryCodesName = "RecoveryCodes";

    public static string? PurposeOf(string loginProvider, string name) => loginProvider != IdentityProvider ? null : name switch
    {
        AuthenticatorKeyName => SecretsAtRest.AuthenticatorKey,
        RecoveryCodesName => SecretsAtRest.RecoveryCodes,
        _ => null,
    };

    public override Task SetTokenAsync(ApplicationUser user, string loginProvider, string name, string? value, CancellationToken cancellationToken = default) =>
        base.SetTokenAsync(user, loginProvider, name,
            value is not null && PurposeOf(loginProvider, name) is { } purpose ? secrets.Protect(purpose, value) : value, cancellationToken);

    public override async Task<string?> GetTokenAsync(ApplicationUser user, string loginProvider, string name, CancellationToken cancellationToken = default)
    {
        var stored = await base.GetTokenAsync(user, loginProvider, name, cancellationToken);
        return stored is not null && PurposeOf(loginProvider, name) is { } purpose ? secrets.Reveal(purpose, stored) : stored;
    }
}

/// <summary>Encrypts authenticator keys and recovery codes stored in plaintext before <see cref="EncryptingUserStore"/>.</summary>
internal sealed class PlaintextAccountSecrets(DbContext db, SecretsAtRest secrets) : IPlaintextSecrets
{
    public async Task<int> ProtectAsync(CancellationToken cancellationToken)
    {
        var tokens = db.Set<IdentityUserToken<string>>();
        var plaintext = await tokens.AsNoTracking()
            .Where(t => t.LoginProvider == EncryptingUserStore.IdentityProvider
                && (t.Name == EncryptingUserStore.AuthenticatorKeyName || t.Name == EncryptingUserStore.RecoveryCodesName)
                && t.Value != null && !t.Value.StartsWith(SecretsAtRest.Marker))
            .ToListAsync(cancellationToken);
        var converted = 0;
        foreach (var token in plaintext)
        {
            var value = secrets.Protect(EncryptingUserStore.PurposeOf(token.LoginProvider, token.Name)!, token.Value!);
            // Matched on the old value: a key or code set changed meanwhile (already encrypted) is left as it is.
            converted += await tokens
                .Where(t => t.UserId == token.UserId && t.LoginProvider == token.LoginProvider && t.Name == token.Name && t.Value == token.Value)
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.Value, value), cancellationToken);
        }
        return converted;
    }
}
