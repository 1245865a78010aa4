using MarketWatch.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>Encrypts webhook secrets and the VAPID private key stored in plaintext before they were encrypted at rest.</summary>
internal sealed class PlaintextNotificationSecrets(DbContext db, SecretsAtRest secrets) : IPlaintextSecrets
{
    public async Task<int> ProtectAsync(CancellationToken cancellationToken)
    {
        var converted = 0;
        var webhooks = await db.Set<NotificationPreferences>().AsNoTracking()
            .Where(p => p.WebhookSecret != null && !p.WebhookSecret.StartsWith(SecretsAtRest.Marker))
            .Select(p => new { p.UserId, p.WebhookSecret })
            .ToListAsync(cancellationToken);
        foreach (var row in webhooks)
        {
            var value = secrets.Protect(SecretsAtRest.WebhookSecret, row.WebhookSecret!);
            // Matched on the old value: a secret rotated meanwhile (already encrypted) is left as it is.
            converted += await db.Set<NotificationPreferences>()
                .Where(p => p.UserId == row.UserId && p.WebhookSecret == row.WebhookSecret)
                .ExecuteUpdateAsync(set => set.SetProperty(p => p.WebhookSecret, value), cancellationToken);
        }
        var vapid = await db.Set<VapidKey>().AsNoTracking()
            .Where(k => !k.PrivateKey.StartsWith(SecretsAtRest.Marker))
            .Select(k => new { k.Id, k.PrivateKey })
            .ToListAsync(cancellationToken);
        foreach (var key in vapid)
        {
            var value = secrets.Protect(SecretsAtRest.VapidPrivateKey, key.PrivateKey);
            converted += await db.Set<VapidKey>()
                .Where(k => k.Id == key.Id && k.PrivateKey == key.PrivateKey)
                .ExecuteUpdateAsync(set => set.SetProperty(k => k.PrivateKey, value), cancellationToken);
        }
        return converted;
    }
}
