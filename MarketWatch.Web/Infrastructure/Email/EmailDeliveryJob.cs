using Hangfire;
using MailKit.Net.Smtp;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace MarketWatch.Web.Infrastructure.Email;

/// <summary>
/// Sends one outbox row over SMTP with MailKit. The row's status is the truth: a retried job whose row is
/// already Sent does nothing, so a message is never sent twice once the server accepted it.
/// </summary>
public sealed class EmailDeliveryJob(
    AppDbContext db,
    IOptions<SmtpOptions> options,
    TimeProvider clock,
    ILogger<EmailDeliveryJob> logger)
{
    [AutomaticRetry(Attempts = 7, DelaysInSeconds = [10, 30, 60, 300, 900, 1800, 3600], OnAttemptsExceeded = AttemptsExceededAction.Delete)]
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
            await SendAsync(smtp, message, cancellationToken);
            message.Status = EmailStatus.Sent;
            message.SentAt = clock.GetUtcNow();
            message.LastError = null;
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            message.LastError = ex.Message.Length > 1000 ? ex.Message[..1000] : ex.Message;
            if (message.Attempts >= smtp.MaxAttempts)
            {
                message.Status = EmailStatus.Failed;
                logger.LogError(ex, "Email {MessageId} failed for good after {Attempts} attempts", message.Id, message.Attempts);
            }
            else
            {
                logger.LogWarning(ex, "Email {MessageId} attempt {Attempts} failed; Hangfire will retry", message.Id, message.Attempts);
            }
            await db.SaveChangesAsync(CancellationToken.None);
            if (message.Status == EmailStatus.Pending)
            {
                throw;
            }
        }
    }

    private static async Task SendAsync(SmtpOptions smtp, EmailMessage message, CancellationToken cancellationToken)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(smtp.From));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.Body = new BodyBuilder { HtmlBody = message.HtmlBody, TextBody = message.TextBody }.ToMessageBody();

        using var client = new SmtpClient { Timeout = smtp.TimeoutSeconds * 1000 };
        await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.Security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.User))
        {
            await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", cancellationToken);
        }
        await client.SendAsync(mime, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}
