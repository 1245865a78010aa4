using MarketWatch.Web.Infrastructure.Email;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>"Download my data" and "delete my account": everything an account owns, in one place.</summary>
public sealed class PersonalData(DbContext db, UserManager<ApplicationUser> users, TimeProvider clock)
{
    public async Task<object> ExportAsync(ApplicationUser user, CancellationToken cancellationToken)
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
        var watchlists = await db.Set<Watchlists.Watchlist>().AsNoTracking()
            .Where(w => w.UserId == user.Id).OrderBy(w => w.Id)
            .Select(w => new
            {
                w.Name, w.IsDefault, w.CreatedAt, Shared = w.ShareToken != null,
                Items = w.Items.OrderBy(i => i.Position).Select(i => new { i.Instrument.Ticker, i.Note, i.TargetPrice, i.AddedAt }),
            })
            .ToListAsync(cancellationToken);
        var alerts = await db.Set<Alerts.Alert>().AsNoTracking()
            .Where(a => a.UserId == user.Id).OrderBy(a => a.Id)
            .Select(a => new
            {
                a.Id, Ticker = a.Instrument != null ? a.Instrument.Ticker : null, Watchlist = a.Watchlist != null ? a.Watchlist.Name : null,
                Condition = a.Condition.ToString(), a.Level, a.Level2, a.WindowMinutes, TriggerMode = a.TriggerMode.ToString(), a.CooldownMinutes,
                a.ExpiresAt, Channels = a.Channels, a.Note, a.SessionOnly, Status = a.Status.ToString(), a.CreatedAt, a.LastFiredAt,
            })
            .ToListAsync(cancellationToken);
        var firings = await db.Set<Alerts.AlertFiring>().AsNoTracking()
            .Where(f => f.UserId == user.Id).OrderBy(f => f.Id)
            .Select(f => new { f.AlertId, f.Instrument.Ticker, Condition = f.Condition.ToString(), f.Level, f.Level2, f.Price, f.Value, f.FiredAt })
            .ToListAsync(cancellationToken);
        var preferences = await db.Set<Notifications.NotificationPreferences>().AsNoTracking()
            .Where(p => p.UserId == user.Id)
            .Select(p => new
            {
                p.EmailEnabled, p.PushEnabled, p.SmsEnabled, p.WebhookEnabled, p.EmailDailyCap, p.PushDailyCap, p.SmsDailyCap, p.WebhookDailyCap,
                p.QuietStart, p.QuietEnd, QuietMode = p.QuietMode.ToString(), p.PhoneNumber, p.PhoneVerifiedAt, p.WebhookUrl,
                // The secret itself stays out of a file that may be passed around; it can be rotated in the settings.
                WebhookSecretSet = p.WebhookSecret != null,
            })
            .SingleOrDefaultAsync(cancellationToken);
        var devices = await db.Set<Notifications.PushSubscription>().AsNoTracking()
            .Where(d => d.UserId == user.Id).OrderBy(d => d.Id)
            .Select(d => new { d.Name, d.CreatedAt })
            .ToListAsync(cancellationToken);
        return new
        {
            exportedAt = clock.GetUtcNow(),
            account = new
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
            apiTokens = tokens,
            emails,
            watchlists,
            alerts,
            alertFirings = firings,
            notificationSettings = preferences,
            pushDevices = devices,
        };
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
