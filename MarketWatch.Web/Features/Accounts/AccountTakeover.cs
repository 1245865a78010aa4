using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>
/// Something a feature sends to on an account's behalf (a webhook, a phone, a browser), forgotten when the account's
/// previous holder cannot be trusted. Higher features implement it; Accounts never references them.
/// </summary>
public interface IDeliveryTargetsReset
{
    Task ClearAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>
/// Account pre-hijacking: someone registers a victim's address (with their own password, tokens, webhook and
/// devices), then the victim signs in with a provider that verifies that address. On that first verified link to an
/// account nobody had confirmed, everything the earlier holder could have set up to keep access or read alerts goes.
/// </summary>
public sealed class AccountTakeover(
    UserManager<ApplicationUser> users,
    DbContext db,
    ApiTokens tokens,
    IEnumerable<IDeliveryTargetsReset> targets,
    AccountMail mail)
{
    public async Task SecureAsync(ApplicationUser user, string providerName, string provider, string providerKey, CancellationToken cancellationToken)
    {
        if (await users.HasPasswordAsync(user))
        {
            await users.RemovePasswordAsync(user);
        }
        // A second factor the earlier holder enrolled would lock the rightful owner out (or let the holder back in).
        await users.SetTwoFactorEnabledAsync(user, false);
        foreach (var login in await users.GetLoginsAsync(user))
        {
            if (login.LoginProvider != provider || login.ProviderKey != providerKey)
            {
                await users.RemoveLoginAsync(user, login.LoginProvider, login.ProviderKey);
            }
        }
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        // A new security stamp ends every cookie session at its next validation.
        await users.UpdateSecurityStampAsync(user);
        await tokens.RevokeAllAsync(user.Id, cancellationToken);
        // Identity's stored tokens: the authenticator key and the recovery codes.
        await db.Set<IdentityUserToken<string>>().Where(t => t.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        // A passkey the earlier holder enrolled would sign them straight back in.
        await db.Set<IdentityUserPasskey<string>>().Where(p => p.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        foreach (var target in targets)
        {
            await target.ClearAsync(user.Id, cancellationToken);
        }
        await mail.SendTakeoverResetAsync(user, providerName, cancellationToken);
    }
}
