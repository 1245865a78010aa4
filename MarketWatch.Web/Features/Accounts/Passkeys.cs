using System.Buffers.Text;
using System.Security.Claims;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>Passkey settings (<c>Accounts:Passkeys</c>).</summary>
public sealed class AccountPasskeyOptions
{
    /// <summary>How many passkeys one account may register.</summary>
    public int MaxPerUser { get; set; } = 10;
}

/// <summary>Why a passkey ceremony did not succeed; each has its own message for the user.</summary>
public enum PasskeyFailure
{
    /// <summary>No ceremony was started in this browser, or it was already used (the options expire with the page).</summary>
    Expired,
    /// <summary>The credential is not (or no longer) registered with any account here.</summary>
    Unknown,
    /// <summary>Malformed, forged, wrong origin, replayed or otherwise failed the WebAuthn checks.</summary>
    Invalid,
    /// <summary>The account is locked out or not allowed to sign in.</summary>
    NotAllowed,
    /// <summary>A valid passkey of another account (re-authentication proves the signed-in user only).</summary>
    OtherAccount,
    /// <summary>The account already has <see cref="AccountPasskeyOptions.MaxPerUser"/> passkeys.</summary>
    LimitReached,
}

/// <summary>The result of a passkey ceremony: the account it proved, or why not.</summary>
public sealed record PasskeyResult(ApplicationUser? User, PasskeyFailure? Failure)
{
    public bool Succeeded => Failure is null;
    public static PasskeyResult Failed(PasskeyFailure failure) => new(null, failure);
}

/// <summary>A passkey as the manage page lists it.</summary>
public sealed record PasskeyListing(string Id, string Name, DateTimeOffset CreatedAt);

/// <summary>
/// Passkeys (WebAuthn) through ASP.NET Core Identity's own support: the browser gets options from
/// <see cref="SignInManager{TUser}"/> (the challenge is kept in Identity's short-lived two-factor cookie), and what it
/// answers is checked by Identity's passkey handler. This class adds what the app decides: a per-account limit,
/// names, lockout, the sign-in itself, and one verification that sign-in and re-authentication share.
/// </summary>
public sealed class Passkeys(
    SignInManager<ApplicationUser> signIn,
    UserManager<ApplicationUser> users,
    NpgsqlDataSource dataSource,
    IOptions<AccountPasskeyOptions> options,
    ILogger<Passkeys> logger)
{
    public const int NameMaxLength = 60;

    /// <summary>A credential JSON from a browser is about 1-2 KB; anything far larger is not one.</summary>
    public const int CredentialJsonMaxLength = 32 * 1024;

    /// <summary>What the sign-in cookie says about how the user signed in (RFC 8176 "amr": a key plus the device's PIN or biometrics).</summary>
    public const string AuthenticationMethod = "passkey";

    public int MaxPerUser => options.Value.MaxPerUser;

    /// <summary>Options for <c>navigator.credentials.get()</c>: any passkey of this site (sign-in) or only the user's (re-authentication).</summary>
    public Task<string> RequestOptionsAsync(ApplicationUser? user) => signIn.MakePasskeyRequestOptionsAsync(user);

    /// <summary>Options for <c>navigator.credentials.create()</c>, or null when the account has no room for another passkey.</summary>
    public async Task<string?> CreationOptionsAsync(ApplicationUser user)
    {
        if ((await users.GetPasskeysAsync(user)).Count >= MaxPerUser)
        {
            return null;
        }
        var entity = new PasskeyUserEntity
        {
            Id = await users.GetUserIdAsync(user),
            Name = await users.GetEmailAsync(user) ?? user.Id,
            DisplayName = string.IsNullOrWhiteSpace(user.DisplayName) ? (user.Email ?? user.Id) : user.DisplayName,
        };
        return await signIn.MakePasskeyCreationOptionsAsync(entity);
    }

    /// <summary>
    /// Checks what <c>navigator.credentials.get()</c> answered and updates the passkey's signature counter. Never
    /// throws for bad input: a forged, replayed or malformed credential is a failure with a reason.
    /// </summary>
    public async Task<PasskeyResult> VerifyAsync(string? credentialJson)
    {
        if (string.IsNullOrWhiteSpace(credentialJson) || credentialJson.Length > CredentialJsonMaxLength)
        {
            return PasskeyResult.Failed(PasskeyFailure.Invalid);
        }
        PasskeyAssertionResult<ApplicationUser> assertion;
        try
        {
            assertion = await signIn.PerformPasskeyAssertionAsync(credentialJson);
        }
        catch (InvalidOperationException)
        {
            // Identity throws when no assertion was started in this browser (no state cookie, or a creation's).
            return PasskeyResult.Failed(PasskeyFailure.Expired);
        }
        if (!assertion.Succeeded)
        {
            logger.LogInformation("Passkey assertion refused: {Reason}", assertion.Failure.Message);
            return PasskeyResult.Failed(IsUnknownCredential(assertion.Failure) ? PasskeyFailure.Unknown : PasskeyFailure.Invalid);
        }
        var user = assertion.User;
        if (!await signIn.CanSignInAsync(user) || (users.SupportsUserLockout && await users.IsLockedOutAsync(user)))
        {
            return PasskeyResult.Failed(PasskeyFailure.NotAllowed);
        }
        // The new signature counter is what makes a cloned authenticator's next use fail.
        if (!(await users.AddOrUpdatePasskeyAsync(user, assertion.Passkey)).Succeeded)
        {
            return PasskeyResult.Failed(PasskeyFailure.Invalid);
        }
        return new PasskeyResult(user, null);
    }

    /// <summary>
    /// Re-authentication: the credential must be a passkey of <paramref name="current"/> (the options came from
    /// <see cref="RequestOptionsAsync"/> with that user, and the check does not trust the browser to keep to them).
    /// </summary>
    public async Task<PasskeyResult> VerifyForAsync(ApplicationUser current, string? credentialJson)
    {
        var result = await VerifyAsync(credentialJson);
        return result.Succeeded && result.User!.Id != current.Id ? PasskeyResult.Failed(PasskeyFailure.OtherAccount) : result;
    }

    /// <summary>
    /// Re-authentication with a passkey (the re-authentication page's "Use a passkey"): null when the credential
    /// proves the signed-in user, otherwise what to tell them.
    /// </summary>
    public async Task<string?> ReauthenticateAsync(ClaimsPrincipal principal, string? credentialJson, Microsoft.Extensions.Localization.IStringLocalizer L)
    {
        if (await users.GetUserAsync(principal) is not { } current)
        {
            return PasskeyMessages.For(PasskeyFailure.NotAllowed, L);
        }
        var result = await VerifyForAsync(current, credentialJson);
        return result.Succeeded ? null : PasskeyMessages.For(result.Failure!.Value, L);
    }

    /// <summary>Signs the user in: a passkey with user verification is two factors in one, so no second-factor prompt follows.</summary>
    public async Task SignInAsync(ApplicationUser user, bool persistent)
    {
        await users.ResetAccessFailedCountAsync(user);
        await signIn.SignInWithClaimsAsync(user, persistent,
        [
            new Claim(ClaimTypes.AuthenticationMethod, AuthenticationMethod),
            new Claim("amr", "mfa"),
        ]);
    }

    /// <summary>Stores the passkey <c>navigator.credentials.create()</c> made, under a name, unless the account is full.</summary>
    public async Task<PasskeyResult> AddAsync(ApplicationUser user, string name, string? credentialJson, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(credentialJson) || credentialJson.Length > CredentialJsonMaxLength)
        {
            return PasskeyResult.Failed(PasskeyFailure.Invalid);
        }
        PasskeyAttestationResult attestation;
        try
        {
            attestation = await signIn.PerformPasskeyAttestationAsync(credentialJson);
        }
        catch (InvalidOperationException)
        {
            return PasskeyResult.Failed(PasskeyFailure.Expired);
        }
        if (!attestation.Succeeded)
        {
            logger.LogInformation("Passkey attestation refused: {Reason}", attestation.Failure.Message);
            return PasskeyResult.Failed(PasskeyFailure.Invalid);
        }
        // The options were made for this account; a ceremony started by another account in this browser is not ours.
        if (attestation.UserEntity.Id != user.Id)
        {
            return PasskeyResult.Failed(PasskeyFailure.Invalid);
        }
        // Two tabs adding at once must not both pass the count: the check and the insert hold a per-account lock.
        await using var held = await AdvisoryLock.TryAcquireAsync(dataSource, "passkeys:" + user.Id, TimeSpan.FromSeconds(10), cancellationToken);
        if (held is null)
        {
            // Another add for this account held the lock for 10 s: "try again", not a limit the user has not reached.
            return PasskeyResult.Failed(PasskeyFailure.Invalid);
        }
        if ((await users.GetPasskeysAsync(user)).Count >= MaxPerUser)
        {
            return PasskeyResult.Failed(PasskeyFailure.LimitReached);
        }
        attestation.Passkey.Name = name.Trim();
        var stored = await users.AddOrUpdatePasskeyAsync(user, attestation.Passkey);
        return stored.Succeeded ? new PasskeyResult(user, null) : PasskeyResult.Failed(PasskeyFailure.Invalid);
    }

    public async Task<IReadOnlyList<PasskeyListing>> ListAsync(ApplicationUser user) =>
        [.. (await users.GetPasskeysAsync(user))
            .OrderBy(p => p.CreatedAt)
            .Select(p => new PasskeyListing(Base64Url.EncodeToString(p.CredentialId), p.Name ?? "", p.CreatedAt))];

    /// <summary>Renames one of the user's passkeys; false when it is not theirs (or not there).</summary>
    public async Task<bool> RenameAsync(ApplicationUser user, string id, string name)
    {
        if (Decode(id) is not { } credentialId || await users.GetPasskeyAsync(user, credentialId) is not { } passkey)
        {
            return false;
        }
        passkey.Name = name.Trim();
        return (await users.AddOrUpdatePasskeyAsync(user, passkey)).Succeeded;
    }

    /// <summary>
    /// Removes one of the user's passkeys: it no longer signs anyone in, and the sessions it may have opened end too (a
    /// new security stamp ends every session on its next check; the caller signs its own browser in again). False when
    /// it is not theirs.
    /// </summary>
    public async Task<bool> RemoveAsync(ApplicationUser user, string id)
    {
        if (Decode(id) is not { } credentialId || await users.GetPasskeyAsync(user, credentialId) is null)
        {
            return false;
        }
        if (!(await users.RemovePasskeyAsync(user, credentialId)).Succeeded)
        {
            return false;
        }
        await users.UpdateSecurityStampAsync(user);
        return true;
    }

    private static byte[]? Decode(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 2048)
        {
            return null;
        }
        try
        {
            return Base64Url.DecodeFromChars(id);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // Identity reports an unregistered credential with this wording (PasskeyException.CredentialDoesNotBelongToUser); it has no error code, so the message is the only way to tell "removed" from "forged".
    private static bool IsUnknownCredential(PasskeyException failure) =>
        failure.Message.Contains("does not belong", StringComparison.OrdinalIgnoreCase);
}

public static class PasskeysSetup
{
    /// <summary>
    /// Passkey options: the relying party is the host of <c>App:BaseUrl</c> and only that origin may answer; without
    /// it (development) Identity's default applies: the request's own host and Origin header.
    /// </summary>
    public static IServiceCollection AddAccountPasskeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AccountPasskeyOptions>(configuration.GetSection("Accounts:Passkeys"));
        services.AddScoped<Passkeys>();
        services.AddScoped<IPersonalDataContributor, PasskeyPersonalData>();
        services.Configure<IdentityPasskeyOptions>(passkeys =>
        {
            // A passkey signs in without a second factor, so it must be both: the device and its PIN or biometrics.
            // Identity's default (null) means "preferred", which lets an authenticator skip the check.
            passkeys.UserVerificationRequirement = "required";
            if (Uri.TryCreate(configuration["App:BaseUrl"], UriKind.Absolute, out var baseUrl))
            {
                var origin = baseUrl.GetLeftPart(UriPartial.Authority);
                passkeys.ServerDomain = baseUrl.Host;
                passkeys.ValidateOrigin = context => ValueTask.FromResult(
                    !context.CrossOrigin && string.Equals(context.Origin, origin, StringComparison.OrdinalIgnoreCase));
            }
        });
        return services;
    }
}

/// <summary>The user's passkeys in "download my data": what the manage page shows, never key material.</summary>
public sealed class PasskeyPersonalData(DbContext db) : IPersonalDataContributor
{
    public async Task<IReadOnlyDictionary<string, object?>> ExportAsync(string userId, CancellationToken cancellationToken) =>
        new Dictionary<string, object?>
        {
            ["passkeys"] = (await db.Set<IdentityUserPasskey<string>>().AsNoTracking()
                    .Where(p => p.UserId == userId)
                    .ToListAsync(cancellationToken))
                .OrderBy(p => p.Data.CreatedAt)
                .Select(p => new { p.Data.Name, p.Data.CreatedAt, p.Data.Transports, p.Data.IsBackedUp })
                .ToList(),
        };
}

internal sealed class IdentityUserPasskeyConfiguration : IEntityTypeConfiguration<IdentityUserPasskey<string>>
{
    public void Configure(EntityTypeBuilder<IdentityUserPasskey<string>> passkey)
    {
        passkey.ToTable("user_passkeys");
        passkey.HasOne<ApplicationUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_user_passkeys_users_user_id");
    }
}

/// <summary>What to tell the user when a passkey ceremony failed, in their language.</summary>
public static class PasskeyMessages
{
    public static string For(PasskeyFailure failure, Microsoft.Extensions.Localization.IStringLocalizer L, int maxPerUser = 0) => failure switch
    {
        PasskeyFailure.Expired => L["The passkey request expired. Try again."],
        PasskeyFailure.Unknown => L["This passkey is not registered with MarketWatch (it may have been removed). Sign in with your password."],
        PasskeyFailure.NotAllowed => L["This account cannot sign in right now. Try again later."],
        PasskeyFailure.OtherAccount => L["This passkey belongs to another account."],
        PasskeyFailure.LimitReached => L["You already have {0} passkeys: remove one before adding another.", maxPerUser],
        _ => L["The passkey could not be verified. Try again, or sign in with your password."],
    };
}
