using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Features.Accounts;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Notifications;

public enum DeliveryStatus
{
    /// <summary>Waiting for a dispatcher to claim it once <c>NextAttemptAt</c> has come (a retry, quiet hours).</summary>
    Pending = 0,
    /// <summary>A dispatcher holds it (<c>LeaseToken</c>) until <c>LeaseUntil</c>, renewed while it sends; any dispatcher may take it over after that.</summary>
    Sending = 1,
    Sent = 2,
    Failed = 3,
    /// <summary>Not sent on purpose: channel off, quiet hours (drop), daily cap, nothing to send to.</summary>
    Skipped = 4,
}

/// <summary>
/// The delivery outbox: one row per channel of a firing (or of a test). Its status is the truth: a dispatcher sends
/// only a row it claimed, and never a row already Sent. Its id is the idempotency key receivers see (webhooks carry it).
/// </summary>
public sealed class Delivery
{
    /// <summary>The in-app channel's result: it is delivered the moment the row is written.</summary>
    public static readonly Text ShownInApp = new Text("Shown in the notification centre.");

    public long Id { get; set; }
    public required string UserId { get; set; }
    public Channel Channel { get; set; }
    /// <summary>The event it tells about, in the terms of the feature that wrote it (an alert firing); null for a test.</summary>
    public long? EventId { get; set; }
    /// <summary>Which feature wrote it (<see cref="INoticeSource.EventSource"/>; 0 = alerts, whose event is <see cref="EventId"/>).</summary>
    public short EventSource { get; set; }
    /// <summary>The event of a feature other than alerts (<see cref="EventSource"/> &gt; 0); that feature maps its key.</summary>
    public long? SourceEventId { get; set; }
    /// <summary>For a test of one item of that feature (an alert): which one (its wording).</summary>
    public long? TestSourceId { get; set; }
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    /// <summary>The last attempt's result, as a resource key and its arguments (worded in the reader's language).</summary>
    public string? DetailKey { get; set; }
    public string[]? DetailArgs { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    /// <summary>Names the claim that holds a Sending row: renewals and outcomes match on it, so a claim that lost its lease changes nothing.</summary>
    public Guid? LeaseToken { get; set; }
    /// <summary>Set while a Sending row holds one unit of its user's daily cap for its channel (reserved before the send, settled after).</summary>
    public bool CapReserved { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

/// <summary>The in-app channel: a user's notification centre (the bell counts the unread ones).</summary>
public sealed class InAppNotification
{
    public long Id { get; set; }
    public required string UserId { get; set; }
    /// <summary>The event it tells about (see <see cref="Delivery.EventId"/>); null for a test.</summary>
    public long? EventId { get; set; }
    /// <summary>See <see cref="Delivery.EventSource"/>.</summary>
    public short EventSource { get; set; }
    /// <summary>See <see cref="Delivery.SourceEventId"/>.</summary>
    public long? SourceEventId { get; set; }
    /// <summary>For a test (no event behind it) of one item: which one (its sample is what the centre shows).</summary>
    public long? TestSourceId { get; set; }
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
    /// <summary>The HMAC key of X-MarketWatch-Signature, encrypted (<see cref="NotificationSettings.WebhookSecretOf"/> reads it); shown to the user, rotated on demand.</summary>
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

internal sealed class DeliveryConfiguration : IEntityTypeConfiguration<Delivery>
{
    public void Configure(EntityTypeBuilder<Delivery> e)
    {
        e.ToTable("deliveries");
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
        // The columns keep the names of the first (and so far only) feature that writes here; Alerts maps their keys.
        e.Property(d => d.EventId).HasColumnName("firing_id");
        e.Property(d => d.TestSourceId).HasColumnName("alert_id");
        e.HasIndex(d => d.EventId).HasDatabaseName("ix_deliveries_firing_id");
        e.HasIndex(d => d.SourceEventId).HasFilter("source_event_id IS NOT NULL");
        e.HasIndex(d => d.TestSourceId).HasFilter("alert_id IS NOT NULL").HasDatabaseName("ix_deliveries_alert_id");
        // Daily caps count what was sent per user and channel.
        e.HasIndex(d => new { d.UserId, d.Channel, d.CompletedAt });
        // The dispatchers' claim: due rows in order. A Sending row's next_attempt_at is its lease's end, so one index
        // serves both "pending and due" and "lease ran out".
        e.HasIndex(d => d.NextAttemptAt).HasFilter($"status IN ({(int)DeliveryStatus.Pending}, {(int)DeliveryStatus.Sending})");
        e.Property(d => d.DetailKey).HasMaxLength(300);
    }
}

internal sealed class InAppNotificationConfiguration : IEntityTypeConfiguration<InAppNotification>
{
    public void Configure(EntityTypeBuilder<InAppNotification> e)
    {
        e.ToTable("notifications");
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
        e.Property(n => n.EventId).HasColumnName("firing_id");
        e.Property(n => n.TestSourceId).HasColumnName("test_alert_id");
        e.HasIndex(n => new { n.UserId, n.Id });
        e.HasIndex(n => n.UserId).HasFilter("read_at IS NULL").HasDatabaseName("ix_notifications_unread");
        e.HasIndex(n => n.EventId).HasDatabaseName("ix_notifications_firing_id");
        e.HasIndex(n => n.SourceEventId).HasFilter("source_event_id IS NOT NULL");
        e.HasIndex(n => n.TestSourceId).HasDatabaseName("ix_notifications_test_alert_id");
    }
}

internal sealed class NotificationPreferencesConfiguration : IEntityTypeConfiguration<NotificationPreferences>
{
    public void Configure(EntityTypeBuilder<NotificationPreferences> e)
    {
        e.ToTable("notification_preferences");
        e.HasKey(p => p.UserId);
        e.HasOne<ApplicationUser>().WithOne().HasForeignKey<NotificationPreferences>(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
        e.Property(p => p.PhoneNumber).HasMaxLength(20);
        e.Property(p => p.PhoneCodeHash).HasMaxLength(100);
        e.Property(p => p.WebhookUrl).HasMaxLength(NotificationPreferences.WebhookUrlMaxLength);
        e.Property(p => p.WebhookSecret).HasMaxLength(500);
    }
}
