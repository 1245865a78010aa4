using MailKit.Security;

namespace MarketWatch.Web.Infrastructure.Email;

/// <summary>SMTP settings (section <c>Smtp</c>). With no Host, mail stays in the local outbox.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? User { get; set; }
    public string? Password { get; set; }
    /// <summary>Auto, None, StartTls, StartTlsWhenAvailable or SslOnConnect (MailKit's SecureSocketOptions).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;
    public string From { get; set; } = "MarketWatch <no-reply@marketwatch.local>";
    /// <summary>Delivery attempts before a message is marked Failed.</summary>
    public int MaxAttempts { get; set; } = 8;
    public int TimeoutSeconds { get; set; } = 30;

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>Settings of section <c>Mail</c>.</summary>
public sealed class MailboxOptions
{
    /// <summary>Serve /dev/mailbox (the local outbox, readable by anyone). Null means: on in Development only.</summary>
    public bool? ExposeDevMailbox { get; set; }
}
