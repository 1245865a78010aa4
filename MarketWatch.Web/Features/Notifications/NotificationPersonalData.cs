using MarketWatch.Web.Features.Accounts;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>The user's notification settings and push devices in "download my data".</summary>
public sealed class NotificationPersonalData(DbContext db) : IPersonalDataContributor
{
    public async Task<IReadOnlyDictionary<string, object?>> ExportAsync(string userId, CancellationToken cancellationToken) =>
        new Dictionary<string, object?>
        {
            ["notificationSettings"] = await db.Set<NotificationPreferences>().AsNoTracking()
                .Where(p => p.UserId == userId)
                .Select(p => new
                {
                    p.EmailEnabled, p.PushEnabled, p.SmsEnabled, p.WebhookEnabled, p.EmailDailyCap, p.PushDailyCap, p.SmsDailyCap, p.WebhookDailyCap,
                    p.QuietStart, p.QuietEnd, QuietMode = p.QuietMode.ToString(), p.PhoneNumber, p.PhoneVerifiedAt, p.WebhookUrl,
                    // The secret itself stays out of a file that may be passed around; it can be rotated in the settings.
                    WebhookSecretSet = p.WebhookSecret != null,
                })
                .SingleOrDefaultAsync(cancellationToken),
            ["pushDevices"] = await db.Set<PushSubscription>().AsNoTracking()
                .Where(d => d.UserId == userId).OrderBy(d => d.Id)
                .Select(d => new { d.Name, d.CreatedAt })
                .ToListAsync(cancellationToken),
        };
}
