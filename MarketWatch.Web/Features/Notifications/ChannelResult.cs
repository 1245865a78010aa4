using MarketWatch.Web.Infrastructure.Localization;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>Where a notification goes. The numbers are stored; never renumber.</summary>
public enum Channel
{
    InApp = 0,
    Email = 1,
    Push = 2,
    Sms = 3,
    Webhook = 4,
}

public enum ChannelOutcome
{
    /// <summary>The channel accepted it (SMTP server, push service, Twilio, the webhook answered 2xx).</summary>
    Sent,
    /// <summary>A transient failure (timeout, 5xx, 429, connection refused): try again later.</summary>
    Retry,
    /// <summary>A permanent failure (4xx, bad address): retrying would not help.</summary>
    Failed,
    /// <summary>Nothing to send to (no device, channel not configured, number not verified).</summary>
    Skipped,
}

/// <summary>What one attempt on one channel gave; <see cref="Detail"/> is shown to the user in the alert history.</summary>
public sealed record ChannelResult(ChannelOutcome Outcome, Text Detail)
{
    /// <summary>What happened in the log's terms (an HTTP status, a network error kind); never shown to users.</summary>
    public string? Cause { get; init; }

    public static ChannelResult Sent(string key, params object[] args) => new(ChannelOutcome.Sent, new Text(key, args));
    public static ChannelResult Retry(string key, params object[] args) => new(ChannelOutcome.Retry, new Text(key, args));
    public static ChannelResult Failed(string key, params object[] args) => new(ChannelOutcome.Failed, new Text(key, args));
    public static ChannelResult Skipped(string key, params object[] args) => new(ChannelOutcome.Skipped, new Text(key, args));
}
