using MailKit.Net.Smtp;
using MimeKit;

namespace MarketWatch.Web.Infrastructure.Email;

/// <summary>One SMTP conversation with MailKit: the account emails' outbox job and the alert deliveries both send through it.</summary>
public static class SmtpTransport
{
    public static async Task SendAsync(SmtpOptions smtp, string to, EmailContent content, CancellationToken cancellationToken)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(smtp.From));
        mime.To.Add(MailboxAddress.Parse(to));
        mime.Subject = content.Subject;
        mime.Body = new BodyBuilder { HtmlBody = content.HtmlBody, TextBody = content.TextBody }.ToMessageBody();

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
