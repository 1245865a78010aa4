using Hangfire;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Infrastructure.Email;

/// <summary>
/// Sends one outbox row over SMTP with MailKit. The row's status is the truth: a retried job whose row is
/// already Sent does nothing, so a message is never sent twice once the server accepted it.
/// </summary>
public sealed class EmailDeliveryJob(
    DbContext db,
    IOptions<SmtpOptions> options,
    TimeProvider clock,
    ILogger<EmailDeliveryJob> logger)
{
    // LogEvents off: this job logs each failed attempt itself, in one line; Hangfire would add a stack trace per retry.
    [AutomaticRetry(Attempts = 7, DelaysInSeconds = [10, 30, 60, 300, 900, 1800, 3600], OnAttemptsExceeded = AttemptsExceededAction.Delete, LogEvents = false)]
    [Queue("email")]
    public async Task SendAsync(long messageId, CancellationToken cancellationToken)
    {
        var message = await db.EmailMessages.SingleOrDefaultAsync(m => m.Id == messageId, cancellationToken);
        if (message is null || message.Status != EmailStatus.Pending)
        {
            return;
        }
        var smtp = options.Value;
        message.Attempts++;
        try
        {
            await SmtpTransport.SendAsync(smtp, message.To, new EmailContent(message.Subject, message.HtmlBody, message.TextBody), cancellationToken);
            message.Status = EmailStatus.Sent;
            message.SentAt = clock.GetUtcNow();
            message.LastError = null;
            message.RemoveOneTimeLink();
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            message.LastError = ex.Message.Length > 1000 ? ex.Message[..1000] : ex.Message;
            // A mail server down or refusing is expected in operation: one line. Anything else keeps its stack trace.
            var unexpected = SmtpTransport.IsConversationError(ex) ? null : ex;
            if (message.Attempts >= smtp.MaxAttempts)
            {
                message.Status = EmailStatus.Failed;
                message.RemoveOneTimeLink();
                logger.LogError(unexpected, "Email {MessageId} failed for good after {Attempts} attempts: {Cause}", message.Id, message.Attempts, SmtpTransport.Describe(ex));
            }
            else
            {
                logger.LogWarning(unexpected, "Email {MessageId} attempt {Attempts} failed; Hangfire will retry: {Cause}", message.Id, message.Attempts, SmtpTransport.Describe(ex));
            }
            await db.SaveChangesAsync(CancellationToken.None);
            if (message.Status == EmailStatus.Pending)
            {
                throw;
            }
        }
    }
}
