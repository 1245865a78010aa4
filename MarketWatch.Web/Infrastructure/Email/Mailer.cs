using Microsoft.EntityFrameworkCore;
using Hangfire;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Infrastructure.Email;

/// <summary>The rendered parts of an email.</summary>
public sealed record EmailContent(string Subject, string HtmlBody, string TextBody)
{
    /// <summary>
    /// The Message-ID (without angle brackets) when the message must keep one across attempts, so mail clients and
    /// receivers can drop a copy sent twice; otherwise MimeKit makes a new one per send.
    /// </summary>
    public string? MessageId { get; init; }

    /// <summary>
    /// The body holds a one-time link (confirm, reset, change of address): the outbox keeps it only until it is sent
    /// (or given up), then only the subject, recipient and times remain (<see cref="EmailMessage.RemoveOneTimeLink"/>).
    /// </summary>
    public bool HasOneTimeLink { get; init; }
}

/// <summary>
/// Writes every email to the outbox table first. With SMTP configured a Hangfire job delivers it;
/// without, it stays readable in the local outbox so a newcomer can still confirm an account.
/// </summary>
public sealed class Mailer(
    DbContext db,
    IOptions<SmtpOptions> smtp,
    IBackgroundJobClient jobs,
    TimeProvider clock)
{
    public async Task<long> QueueAsync(string to, EmailContent content, CancellationToken cancellationToken = default)
    {
        var message = new EmailMessage
        {
            To = to,
            Subject = content.Subject,
            HtmlBody = content.HtmlBody,
            TextBody = content.TextBody,
            HasOneTimeLink = content.HasOneTimeLink,
            Status = smtp.Value.Enabled ? EmailStatus.Pending : EmailStatus.Local,
            CreatedAt = clock.GetUtcNow(),
        };
        db.EmailMessages.Add(message);
        await db.SaveChangesAsync(cancellationToken);
        if (message.Status == EmailStatus.Pending)
        {
            jobs.Enqueue<EmailDeliveryJob>(job => job.SendAsync(message.Id, CancellationToken.None));
        }
        return message.Id;
    }
}
