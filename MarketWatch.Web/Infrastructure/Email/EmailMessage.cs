namespace MarketWatch.Web.Infrastructure.Email;

public enum EmailStatus
{
    /// <summary>Waiting for the SMTP delivery job.</summary>
    Pending,
    Sent,
    /// <summary>Gave up after the retry limit.</summary>
    Failed,
    /// <summary>No SMTP server is configured: the message stays in the local outbox (/admin/outbox, /dev/mailbox).</summary>
    Local,
}

/// <summary>One email, kept in PostgreSQL: the outbox row is the truth about whether it was sent.</summary>
public sealed class EmailMessage
{
    public long Id { get; set; }
    public required string To { get; set; }
    public required string Subject { get; set; }
    public required string HtmlBody { get; set; }
    public required string TextBody { get; set; }
    public EmailStatus Status { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}
