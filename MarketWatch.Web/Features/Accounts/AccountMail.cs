using System.Text;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Email;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>
/// The account emails (confirm, reset password, confirm a new address, "someone tried"), in the recipient's language.
/// Every one a request can trigger passes <see cref="EmailThrottle"/> first; none carries text a user typed (an
/// address may not be verified yet, and a display name must not turn the app into a spam relay).
/// </summary>
public sealed class AccountMail(
    UserManager<ApplicationUser> users,
    Mailer mailer,
    PublicUrls urls,
    EmailThrottle throttle,
    IStringLocalizer<SharedResource> L)
{
    public async Task<EmailThrottleResult> SendConfirmationAsync(ApplicationUser user, CancellationToken cancellationToken = default)
    {
        var allowed = await throttle.TryReserveAsync(user.Email!, user.Id, "confirm", cancellationToken);
        if (allowed != EmailThrottleResult.Allowed)
        {
            return allowed;
        }
        var code = Encode(await users.GenerateEmailConfirmationTokenAsync(user));
        var link = urls.Page("/Accounts/ConfirmEmail", new { userId = user.Id, code });
        using (Languages.Use(user.Language))
        {
            var content = EmailLayout.Render(
                L["Confirm your email address"],
                [L["Hello,"], L["Confirm your email address to turn on email notifications for your MarketWatch account."]],
                L["Confirm my email"],
                link,
                L["If you did not create this account, ignore this email."]);
            await mailer.QueueAsync(user.Email!, content with { HasOneTimeLink = true }, cancellationToken);
        }
        return allowed;
    }

    public async Task<EmailThrottleResult> SendPasswordResetAsync(ApplicationUser user, CancellationToken cancellationToken = default)
    {
        var allowed = await throttle.TryReserveAsync(user.Email!, user.Id, "reset", cancellationToken);
        if (allowed != EmailThrottleResult.Allowed)
        {
            return allowed;
        }
        var code = Encode(await users.GeneratePasswordResetTokenAsync(user));
        var link = urls.Page("/Accounts/ResetPassword", new { email = user.Email, code });
        using (Languages.Use(user.Language))
        {
            var content = EmailLayout.Render(
                L["Reset your password"],
                [L["Hello,"], L["Someone asked to reset the password of your MarketWatch account. The link works once and expires in {0} hours.", AccountsSetup.EmailTokenLifetime.TotalHours]],
                L["Choose a new password"],
                link,
                L["If you did not ask for this, ignore this email: your password stays as it is."]);
            await mailer.QueueAsync(user.Email!, content with { HasOneTimeLink = true }, cancellationToken);
        }
        return allowed;
    }

    public async Task<EmailThrottleResult> SendEmailChangeAsync(ApplicationUser user, string newEmail, CancellationToken cancellationToken = default)
    {
        var allowed = await throttle.TryReserveAsync(newEmail, user.Id, "change-email", cancellationToken);
        if (allowed != EmailThrottleResult.Allowed)
        {
            return allowed;
        }
        var code = Encode(await users.GenerateChangeEmailTokenAsync(user, newEmail));
        var link = urls.Page("/Accounts/ConfirmEmailChange", new { userId = user.Id, email = newEmail, code });
        using (Languages.Use(user.Language))
        {
            var content = EmailLayout.Render(
                L["Confirm your new email address"],
                [L["Hello,"], L["Confirm that {0} is the new email address of your MarketWatch account.", newEmail]],
                L["Confirm my new email"],
                link,
                L["If you did not ask for this, ignore this email: your address stays as it is."]);
            await mailer.QueueAsync(newEmail, content with { HasOneTimeLink = true }, cancellationToken);
        }
        return allowed;
    }

    /// <summary>
    /// After the address changed: the old one hears of it, so an owner whose account was taken over learns where it went.
    /// No token and no text the user chose (the display name) goes into it. Not throttled: there is one per confirmed
    /// change of address, and the confirmation email that makes it possible already is.
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

    /// <summary>Register with an address that has an account: the page says what it says for a new one; the owner learns why.</summary>
    public Task<EmailThrottleResult> SendRegistrationAttemptAsync(ApplicationUser owner, CancellationToken cancellationToken = default) =>
        // Counted for nobody's account: the attempt is a stranger's, and the owner's own allowance stays whole.
        SendNoticeAsync(owner, null, "register-attempt",
            "Someone tried to create an account with your address",
            "Someone tried to create a MarketWatch account with this email address. It already has an account, so nothing was created.",
            "If it was you, sign in, or choose a new password if you forgot it. Otherwise, ignore this email.", cancellationToken);

    /// <summary>Another account asked to move to an address that has an account: its owner learns of it, the requester does not.</summary>
    public Task<EmailThrottleResult> SendEmailChangeAttemptAsync(ApplicationUser owner, string requesterId, CancellationToken cancellationToken = default) =>
        SendNoticeAsync(owner, requesterId, "change-attempt",
            "Someone tried to use your address for another account",
            "Someone asked to make this email address the address of another MarketWatch account. It already belongs to your account, so nothing changed.",
            "You do not need to do anything.", cancellationToken);

    /// <summary>
    /// After an external sign-in proved the address of an account nobody had confirmed: what was removed, and why.
    /// Not throttled: it is sent once, on the first such sign-in, to an address the provider has just verified.
    /// </summary>
    public async Task SendTakeoverResetAsync(ApplicationUser user, string provider, CancellationToken cancellationToken = default)
    {
        using (Languages.Use(user.Language))
        {
            var content = EmailLayout.Render(
                L["Your MarketWatch account was secured"],
                [L["You signed in with {0}, which confirmed this email address. The account with this address had never been confirmed, so someone else may have created it.", provider],
                 L["To protect you, we removed its password, passkeys and second factor, signed out every session, revoked its API tokens and removed its webhook, phone number and push devices. Check its watchlists and alerts."]],
                L["Open my account"],
                urls.Page("/Accounts/Manage/Index", null),
                L["If you created this account yourself, you can set a password again with \"Forgot your password?\"."]);
            await mailer.QueueAsync(user.Email!, content, cancellationToken);
        }
    }

    /// <summary>A notice to an account's own (existing) address; the keys are looked up in the owner's language.</summary>
    private async Task<EmailThrottleResult> SendNoticeAsync(
        ApplicationUser owner, string? userId, string kind, string subject, string body, string footer, CancellationToken cancellationToken)
    {
        var allowed = await throttle.TryReserveAsync(owner.Email!, userId, EmailThrottle.NoticePrefix + kind, cancellationToken);
        if (allowed != EmailThrottleResult.Allowed)
        {
            return allowed;
        }
        using (Languages.Use(owner.Language))
        {
            var content = EmailLayout.Render(L[subject], [L["Hello,"], L[body]], L["Sign in"], urls.Page("/Accounts/Login", null), L[footer]);
            await mailer.QueueAsync(owner.Email!, content, cancellationToken);
        }
        return allowed;
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
