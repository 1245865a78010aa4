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

    /// <summary>The body held a one-time link; once sent (or given up) it is replaced by <see cref="LinkRemovedNote"/>.</summary>
    public bool HasOneTimeLink { get; set; }

    public const string LinkRemovedNote = "[The body of this email held a one-time link; it was removed after sending.]";

    /// <summary>Whether the body was replaced: the outbox shows a note instead.</summary>
    public bool LinkRemoved => HasOneTimeLink && Status is EmailStatus.Sent or EmailStatus.Failed;

    /// <summary>
    /// Drops the body of a message whose link must not outlive its delivery: whoever reads the outbox (an admin, a
    /// database backup) could otherwise reset that account's password. Subject, recipient and times stay as the record.
    /// </summary>
    public void RemoveOneTimeLink()
    {
        if (HasOneTimeLink)
        {
            HtmlBody = LinkRemovedNote;
            TextBody = LinkRemovedNote;
        }
    }
}
