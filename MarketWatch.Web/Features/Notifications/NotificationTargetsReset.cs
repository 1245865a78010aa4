using MarketWatch.Web.Features.Accounts;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>Forgets an account's webhook (URL and secret), phone number and push devices, in two set-based statements.</summary>
public sealed class NotificationTargetsReset(DbContext db) : IDeliveryTargetsReset
{
    public async Task ClearAsync(string userId, CancellationToken cancellationToken)
    {
        await db.Set<NotificationPreferences>().Where(p => p.UserId == userId).ExecuteUpdateAsync(p => p
            .SetProperty(x => x.WebhookUrl, (string?)null)
            .SetProperty(x => x.WebhookSecret, (string?)null)
            .SetProperty(x => x.WebhookEnabled, false)
            .SetProperty(x => x.PhoneNumber, (string?)null)
            .SetProperty(x => x.PhoneVerifiedAt, (DateTimeOffset?)null)
            .SetProperty(x => x.PhoneCodeHash, (string?)null)
            .SetProperty(x => x.PhoneCodeExpiresAt, (DateTimeOffset?)null)
            .SetProperty(x => x.SmsEnabled, false), cancellationToken);
        await db.Set<PushSubscription>().Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }
}
