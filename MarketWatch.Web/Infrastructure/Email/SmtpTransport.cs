using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
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
        if (content.MessageId is { } messageId)
        {
            mime.MessageId = messageId;
        }
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

    /// <summary>
    /// A failure of the SMTP conversation itself (server down or refusing, timed out, a command rejected, TLS or
    /// authentication failed): expected in operation, so it is logged as one line without a stack trace.
    /// </summary>
    public static bool IsConversationError(Exception ex) =>
        ex is SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException or ServiceNotAuthenticatedException
            or AuthenticationException or SslHandshakeException or SocketException or IOException or TimeoutException;

    /// <summary>The failure in one line for the log, e.g. "SmtpCommandException MailboxUnavailable (550): ..." or "SocketException ConnectionRefused".</summary>
    public static string Describe(Exception ex) => ex switch
    {
        SmtpCommandException command => $"SmtpCommandException {command.ErrorCode} ({(int)command.StatusCode}): {command.Message}",
        SocketException socket => $"SocketException {socket.SocketErrorCode}: {socket.Message}",
        IOException { InnerException: SocketException socket } => $"IOException, SocketException {socket.SocketErrorCode}: {socket.Message}",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
