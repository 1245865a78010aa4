using System.Text;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Email;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>The account emails (confirm, reset password, confirm a new address), in the recipient's language.</summary>
public sealed class AccountMail(
    UserManager<ApplicationUser> users,
    Mailer mailer,
    PublicUrls urls,
    IStringLocalizer<SharedResource> L)
{
    public async Task SendConfirmationAsync(ApplicationUser user, CancellationToken cancellationToken = default)
    {
        var code = Encode(await users.GenerateEmailConfirmationTokenAsync(user));
        var link = urls.Page("/Accounts/ConfirmEmail", new { userId = user.Id, code });
        using (Languages.Use(user.Language))
        {
            var content = EmailLayout.Render(
                L["Confirm your email address"],
                [L["Hello {0},", user.DisplayName], L["Confirm your email address to turn on email notifications for your MarketWatch account."]],
                L["Confirm my email"],
                link,
                L["If you did not create this account, ignore this email."]);
            await mailer.QueueAsync(user.Email!, content with { HasOneTimeLink = true }, cancellationToken);
        }
    }

    public async Task SendPasswordResetAsync(ApplicationUser user, CancellationToken cancellationToken = default)
    {
        var code = Encode(await users.GeneratePasswordResetTokenAsync(user));
        var link = urls.Page("/Accounts/ResetPassword", new { email = user.Email, code });
        using (Languages.Use(user.Language))
        {
            var content = EmailLayout.Render(
                L["Reset your password"],
                [L["Hello {0},", user.DisplayName], L["Someone asked to reset the password of your MarketWatch account. The link works once and expires in {0} hours.", AccountsSetup.EmailTokenLifetime.TotalHours]],
                L["Choose a new password"],
                link,
                L["If you did not ask for this, ignore this email: your password stays as it is."]);
            await mailer.QueueAsync(user.Email!, content with { HasOneTimeLink = true }, cancellationToken);
        }
    }

    public async Task SendEmailChangeAsync(ApplicationUser user, string newEmail, CancellationToken cancellationToken = default)
    {
        var code = Encode(await users.GenerateChangeEmailTokenAsync(user, newEmail));
        var link = urls.Page("/Accounts/ConfirmEmailChange", new { userId = user.Id, email = newEmail, code });
        using (Languages.Use(user.Language))
        {
            var content = EmailLayout.Render(
                L["Confirm your new email address"],
                [L["Hello {0},", user.DisplayName], L["Confirm that {0} is the new email address of your MarketWatch account.", newEmail]],
                L["Confirm my new email"],
                link,
                L["If you did not ask for this, ignore this email: your address stays as it is."]);
            await mailer.QueueAsync(newEmail, content with { HasOneTimeLink = true }, cancellationToken);
        }
    }

    /// <summary>
    /// After the address changed: the old one hears of it, so an owner whose account was taken over learns where it went.
    /// No token and no text the user chose (the display name) goes into it.
    /// </summary>
    public async Task SendEmailChangedNoticeAsync(ApplicationUser user, string oldEmail, CancellationToken cancellationToken = default)
    {
        using (Languages.Use(user.Language))
        {
            var content = EmailLayout.Render(
                L["Your email address was changed"],
                [L["The MarketWatch account that used {0} now uses {1}. Emails about it no longer come here.", oldEmail, user.Email!],
                 L["If you did not make this change, someone else may control your account: sign in, change your password and contact us."]],
                L["Sign in"],
                urls.Page("/Accounts/Login", null),
                L["You receive this email because this address belonged to a MarketWatch account."]);
            await mailer.QueueAsync(oldEmail, content, cancellationToken);
        }
    }

    /// <summary>Identity tokens contain characters that do not survive a URL; they travel Base64Url-encoded.</summary>
    public static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    public static string? Decode(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
