using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Features.Accounts;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Notifications;

public enum DeliveryStatus
{
    /// <summary>Waiting for its Hangfire job (or for quiet hours to end).</summary>
    Pending = 0,
    /// <summary>A job holds it until <c>LeaseUntil</c>; another job may take it over after that.</summary>
    Sending = 1,
    Sent = 2,
    Failed = 3,
    /// <summary>Not sent on purpose: channel off, quiet hours (drop), daily cap, nothing to send to.</summary>
    Skipped = 4,
}

/// <summary>
/// The delivery outbox: one row per channel of a firing (or of a test). Its status is the truth: a job sends only
/// a row it claimed, and never a row already Sent, so a retried job never sends twice once the channel accepted.
/// </summary>
public sealed class Delivery
{
    /// <summary>The in-app channel's result: it is delivered the moment the row is written.</summary>
    public static readonly Text ShownInApp = new Text("Shown in the notification centre.");

    public long Id { get; set; }
    public required string UserId { get; set; }
    public Channel Channel { get; set; }
    /// <summary>The firing it tells about; null for a test.</summary>
    public long? FiringId { get; set; }
    /// <summary>For a test of one alert: which alert (its channels, its wording).</summary>
    public long? AlertId { get; set; }
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    /// <summary>The last attempt's result, as a resource key and its arguments (worded in the reader's language).</summary>
    public string? DetailKey { get; set; }
    public string[]? DetailArgs { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

/// <summary>The in-app channel: a user's notification centre (the bell counts the unread ones).</summary>
public sealed class InAppNotification
{
    public long Id { get; set; }
    public required string UserId { get; set; }
    public long? FiringId { get; set; }
    /// <summary>For a test (no firing behind it) of one alert: which one (its rule is what the sample shows).</summary>
    public long? TestAlertId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
}

public enum QuietHoursMode
{
    /// <summary>Hold notifications until the quiet hours end.</summary>
    Defer = 0,
    Drop = 1,
}

/// <summary>A user's notification settings: one row per user, made with defaults on first use.</summary>
public sealed class NotificationPreferences
{
    public const int WebhookUrlMaxLength = 500;
    public const int MaxDailyCap = 1000;

    public required string UserId { get; set; }
    public bool EmailEnabled { get; set; } = true;
    public bool PushEnabled { get; set; } = true;
    public bool SmsEnabled { get; set; }
    public bool WebhookEnabled { get; set; }
    public int EmailDailyCap { get; set; } = 50;
    public int PushDailyCap { get; set; } = 100;
    public int SmsDailyCap { get; set; } = 10;
    public int WebhookDailyCap { get; set; } = 500;
    /// <summary>Quiet hours in the user's time zone; start after end means they wrap midnight.</summary>
    public TimeOnly? QuietStart { get; set; }
    public TimeOnly? QuietEnd { get; set; }
    public QuietHoursMode QuietMode { get; set; }
    /// <summary>E.164; usable only once verified.</summary>
    public string? PhoneNumber { get; set; }
    public DateTimeOffset? PhoneVerifiedAt { get; set; }
    public string? PhoneCodeHash { get; set; }
    public DateTimeOffset? PhoneCodeExpiresAt { get; set; }
    public int PhoneCodeAttempts { get; set; }
    public string? WebhookUrl { get; set; }
    /// <summary>The HMAC key of X-MarketWatch-Signature; shown to the user, rotated on demand.</summary>
    public string? WebhookSecret { get; set; }

    public bool IsEnabled(Channel channel) => channel switch
    {
        Channel.InApp => true,
        Channel.Email => EmailEnabled,
        Channel.Push => PushEnabled,
        Channel.Sms => SmsEnabled && PhoneVerifiedAt is not null,
        Channel.Webhook => WebhookEnabled && !string.IsNullOrEmpty(WebhookUrl),
        _ => false,
    };

    public int DailyCap(Channel channel) => channel switch
    {
        Channel.Email => EmailDailyCap,
        Channel.Push => PushDailyCap,
        Channel.Sms => SmsDailyCap,
        Channel.Webhook => WebhookDailyCap,
        _ => int.MaxValue,
    };
}

public static class NotificationModel
{
    public static void Configure(ModelBuilder builder)
    {
        builder.Entity<Delivery>(e =>
        {
            e.ToTable("deliveries");
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Alerts.AlertFiring>().WithMany().HasForeignKey(d => d.FiringId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Alerts.Alert>().WithMany().HasForeignKey(d => d.AlertId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(d => d.FiringId);
            e.HasIndex(d => d.AlertId).HasFilter("alert_id IS NOT NULL");
            // Daily caps count what was sent per user and channel.
            e.HasIndex(d => new { d.UserId, d.Channel, d.CompletedAt });
            // The sweep re-enqueues rows whose job was lost.
            e.HasIndex(d => d.NextAttemptAt).HasFilter("status IN (0, 1)");
            e.Property(d => d.DetailKey).HasMaxLength(300);
        });
        builder.Entity<InAppNotification>(e =>
        {
            e.ToTable("notifications");
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Alerts.AlertFiring>().WithMany().HasForeignKey(n => n.FiringId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(n => new { n.UserId, n.Id });
            e.HasIndex(n => n.UserId).HasFilter("read_at IS NULL").HasDatabaseName("ix_notifications_unread");
            e.HasIndex(n => n.FiringId);
            e.HasOne<Alerts.Alert>().WithMany().HasForeignKey(n => n.TestAlertId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<NotificationPreferences>(e =>
        {
            e.ToTable("notification_preferences");
            e.HasKey(p => p.UserId);
            e.HasOne<ApplicationUser>().WithOne().HasForeignKey<NotificationPreferences>(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
            e.Property(p => p.PhoneNumber).HasMaxLength(20);
            e.Property(p => p.PhoneCodeHash).HasMaxLength(100);
            e.Property(p => p.WebhookUrl).HasMaxLength(NotificationPreferences.WebhookUrlMaxLength);
            e.Property(p => p.WebhookSecret).HasMaxLength(100);
        });
    }
}
