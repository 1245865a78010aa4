using MarketWatch.Web.Infrastructure.Email;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>"Download my data" and "delete my account": everything an account owns, in one place.</summary>
/// <summary>
/// One feature's part of "download my data": the rows it keeps for the user, under its own keys. Each feature above
/// Accounts registers one; Accounts knows none of them.
/// </summary>
public interface IPersonalDataContributor
{
    Task<IReadOnlyDictionary<string, object?>> ExportAsync(string userId, CancellationToken cancellationToken);
}

public sealed class PersonalData(DbContext db, UserManager<ApplicationUser> users, IEnumerable<IPersonalDataContributor> contributors, TimeProvider clock)
{
    public async Task<IReadOnlyDictionary<string, object?>> ExportAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        var logins = await users.GetLoginsAsync(user);
        var roles = await users.GetRolesAsync(user);
        var emails = await db.EmailMessages.AsNoTracking()
            .Where(m => m.To == user.Email)
            .OrderBy(m => m.Id)
            .Select(m => new { m.Subject, m.CreatedAt, m.SentAt, Status = m.Status.ToString() })
            .ToListAsync(cancellationToken);
        var tokens = await db.ApiTokens.AsNoTracking()
            .Where(t => t.UserId == user.Id)
            .Select(t => new { t.Name, t.CreatedAt, t.ExpiresAt })
            .ToListAsync(cancellationToken);
        var export = new Dictionary<string, object?>
        {
            ["exportedAt"] = clock.GetUtcNow(),
            ["account"] = new
            {
                user.Id,
                user.Email,
                user.EmailConfirmed,
                user.DisplayName,
                user.TimeZone,
                user.Language,
                user.Theme,
                user.CreatedAt,
                user.TwoFactorEnabled,
                user.PhoneNumber,
                roles,
                externalLogins = logins.Select(l => new { l.LoginProvider, l.ProviderDisplayName }),
            },
            ["apiTokens"] = tokens,
            ["emails"] = emails,
        };
        foreach (var contributor in contributors)
        {
            foreach (var (key, value) in await contributor.ExportAsync(user.Id, cancellationToken))
            {
                export.Add(key, value);
            }
        }
        return export;
    }
    /// <summary>Deletes the account and every row that names it; Identity's own tables cascade.</summary>
    public async Task<IdentityResult> DeleteAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        // One transaction, inside the execution strategy (which retries the whole unit on a transient failure).
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.EmailMessages.Where(m => m.To == user.Email).ExecuteDeleteAsync(cancellationToken);
            var result = await users.DeleteAsync(user);
            if (result.Succeeded)
            {
                await transaction.CommitAsync(cancellationToken);
            }
            return result;
        });
    }
}
