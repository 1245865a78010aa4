using System.Security.Cryptography;
using System.Text;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>The notification settings as a form or the API gives them. Times are "HH:mm" in the user's zone.</summary>
public sealed class PreferencesInput
{
    public bool EmailEnabled { get; set; }
    public bool PushEnabled { get; set; }
    public bool SmsEnabled { get; set; }
    public bool WebhookEnabled { get; set; }
    public int EmailDailyCap { get; set; }
    public int PushDailyCap { get; set; }
    public int SmsDailyCap { get; set; }
    public int WebhookDailyCap { get; set; }
    public TimeOnly? QuietStart { get; set; }
    public TimeOnly? QuietEnd { get; set; }
    public QuietHoursMode QuietMode { get; set; }
    public string? WebhookUrl { get; set; }

    public static PreferencesInput From(NotificationPreferences p) => new()
    {
        EmailEnabled = p.EmailEnabled, PushEnabled = p.PushEnabled, SmsEnabled = p.SmsEnabled, WebhookEnabled = p.WebhookEnabled,
        EmailDailyCap = p.EmailDailyCap, PushDailyCap = p.PushDailyCap, SmsDailyCap = p.SmsDailyCap, WebhookDailyCap = p.WebhookDailyCap,
        QuietStart = p.QuietStart, QuietEnd = p.QuietEnd, QuietMode = p.QuietMode, WebhookUrl = p.WebhookUrl,
    };
}

/// <summary>
/// A user's notification settings: channels, caps, quiet hours, the phone number (verified by a code sent by SMS)
/// and the webhook (address and signing secret). One row per user, made on first change.
/// </summary>
public sealed class NotificationSettings(DbContext db, SmsSender sms, IOptions<WebhookOptions> webhooks, SecretsAtRest secrets, TimeProvider clock)
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan ResendAfter = TimeSpan.FromMinutes(1);
    public const int MaxCodeAttempts = 5;

    public bool SmsAvailable => sms.Enabled;

    /// <summary>The webhook signing secret of these settings, as the user sees it (stored encrypted).</summary>
    public string? WebhookSecretOf(NotificationPreferences preferences) => secrets.RevealOrNull(SecretsAtRest.WebhookSecret, preferences.WebhookSecret);

    public async Task<NotificationPreferences> GetAsync(string userId, CancellationToken cancellationToken) =>
        await db.Set<NotificationPreferences>().AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken)
        ?? new NotificationPreferences { UserId = userId };

    /// <summary>The channels this user cannot choose now, each with the reason (the form disables them, the API refuses them).</summary>
    public async Task<IReadOnlyDictionary<Channel, Text>> UnavailableChannelsAsync(string userId, CancellationToken cancellationToken)
    {
        var preferences = await GetAsync(userId, cancellationToken);
        var confirmed = await db.Users.AnyAsync(u => u.Id == userId && u.EmailConfirmed, cancellationToken);
        var devices = await db.Set<PushSubscription>().AnyAsync(s => s.UserId == userId, cancellationToken);
        var unavailable = new Dictionary<Channel, Text>();
        foreach (var channel in Enum.GetValues<Channel>())
        {
            Text? why = channel switch
            {
                Channel.Email when !confirmed => new Text("Email notifications stay off until you confirm your email address."),
                Channel.Push when !devices => new Text("Turn on push notifications on a device first (Devices)."),
                _ when preferences.IsEnabled(channel) => null,
                Channel.Sms => new Text("SMS needs a verified phone number and SMS turned on in your notification settings."),
                Channel.Webhook => new Text("Webhooks need an address and webhooks turned on in your notification settings."),
                _ => new Text("This channel is off in your notification settings."),
            };
            if (why is not null)
            {
                unavailable[channel] = why;
            }
        }
        return unavailable;
    }

    private async Task<NotificationPreferences> TrackedAsync(string userId, CancellationToken cancellationToken)
    {
        var preferences = await db.Set<NotificationPreferences>().SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        if (preferences is null)
        {
            preferences = new NotificationPreferences { UserId = userId };
            db.Add(preferences);
        }
        return preferences;
    }

    public async Task<List<FieldError>> UpdateAsync(string userId, PreferencesInput input, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        foreach (var (field, cap) in new[]
                 {
                     (nameof(input.EmailDailyCap), input.EmailDailyCap), (nameof(input.PushDailyCap), input.PushDailyCap),
                     (nameof(input.SmsDailyCap), input.SmsDailyCap), (nameof(input.WebhookDailyCap), input.WebhookDailyCap),
                 })
        {
            if (cap is < 0 or > NotificationPreferences.MaxDailyCap)
            {
                errors.Add(new FieldError(field, new Text("The daily limit must be between {0} and {1}.", 0, NotificationPreferences.MaxDailyCap)));
            }
        }
        if ((input.QuietStart is null) != (input.QuietEnd is null) || (input.QuietStart is not null && input.QuietStart == input.QuietEnd))
        {
            errors.Add(new FieldError(nameof(input.QuietStart), new Text("Give both a start and an end for quiet hours (different times), or neither.")));
        }
        if (!Enum.IsDefined(input.QuietMode))
        {
            errors.Add(new FieldError(nameof(input.QuietMode), new Text("Choose what happens during quiet hours.")));
        }
        var url = string.IsNullOrWhiteSpace(input.WebhookUrl) ? null : input.WebhookUrl.Trim();
        if (url is not null && WebhookUrls.Validate(url, webhooks.Value.AllowPrivateNetworks) is { } problem)
        {
            errors.Add(new FieldError(nameof(input.WebhookUrl), new Text(problem)));
        }
        else if (input.WebhookEnabled && url is null)
        {
            errors.Add(new FieldError(nameof(input.WebhookUrl), new Text("Give the address webhooks are sent to.")));
        }
        var preferences = await TrackedAsync(userId, cancellationToken);
        if (input.SmsEnabled && preferences.PhoneVerifiedAt is null)
        {
            errors.Add(new FieldError(nameof(input.SmsEnabled), new Text("Verify a phone number before turning SMS on.")));
        }
        if (errors.Count > 0)
        {
            db.ChangeTracker.Clear();
            return errors;
        }
        preferences.EmailEnabled = input.EmailEnabled;
        preferences.PushEnabled = input.PushEnabled;
        preferences.SmsEnabled = input.SmsEnabled;
        preferences.WebhookEnabled = input.WebhookEnabled;
        preferences.EmailDailyCap = input.EmailDailyCap;
        preferences.PushDailyCap = input.PushDailyCap;
        preferences.SmsDailyCap = input.SmsDailyCap;
        preferences.WebhookDailyCap = input.WebhookDailyCap;
        preferences.QuietStart = input.QuietStart;
        preferences.QuietEnd = input.QuietEnd;
        preferences.QuietMode = input.QuietMode;
        preferences.WebhookUrl = url;
        if (url is not null && preferences.WebhookSecret is null)
        {
            preferences.WebhookSecret = secrets.Protect(SecretsAtRest.WebhookSecret, WebhookSignature.NewSecret());
        }
        await db.SaveChangesAsync(cancellationToken);
        return errors;
    }

    public async Task<string> RotateWebhookSecretAsync(string userId, CancellationToken cancellationToken)
    {
        var preferences = await TrackedAsync(userId, cancellationToken);
        var secret = WebhookSignature.NewSecret();
        preferences.WebhookSecret = secrets.Protect(SecretsAtRest.WebhookSecret, secret);
        await db.SaveChangesAsync(cancellationToken);
        return secret;
    }

    /// <summary>Sends a 6-digit code to the number; SMS stays unusable until the code comes back.</summary>
    public async Task<FieldError?> StartPhoneVerificationAsync(string userId, string? phone, string message, CancellationToken cancellationToken)
    {
        if (!sms.Enabled)
        {
            return new FieldError("PhoneNumber", new Text("SMS is not available on this server."));
        }
        if (PhoneNumbers.Normalize(phone) is not { } number)
        {
            return new FieldError("PhoneNumber", new Text("Give the number in international form, for example +212 6 12 34 56 78."));
        }
        var now = clock.GetUtcNow();
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        // Checked and written under a per-user lock: parallel requests cannot each send a code (each costs an SMS).
        var tooSoon = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtext({"phone-code:" + userId}))", cancellationToken);
            db.ChangeTracker.Clear();
            var preferences = await TrackedAsync(userId, cancellationToken);
            if (preferences.PhoneCodeExpiresAt is { } expires && expires - CodeLifetime + ResendAfter > now)
            {
                return true;
            }
            preferences.PhoneNumber = number;
            preferences.PhoneVerifiedAt = null;
            preferences.SmsEnabled = false;
            preferences.PhoneCodeHash = Hash(userId, number, code);
            preferences.PhoneCodeExpiresAt = now + CodeLifetime;
            preferences.PhoneCodeAttempts = 0;
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return false;
        });
        if (tooSoon)
        {
            return new FieldError("PhoneNumber", new Text("A code was just sent. Wait a minute before asking for another."));
        }
        var result = await sms.SendAsync(number, string.Format(System.Globalization.CultureInfo.CurrentCulture, message, code), cancellationToken);
        return result.Outcome == ChannelOutcome.Sent ? null : new FieldError("PhoneNumber", result.Detail);
    }

    /// <summary>
    /// Checks the code under the same per-user lock as sending one: parallel guesses are counted one by one, so five
    /// wrong ones end the code whatever their timing.
    /// </summary>
    public Task<FieldError?> ConfirmPhoneAsync(string userId, string? code, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtext({"phone-code:" + userId}))", cancellationToken);
            db.ChangeTracker.Clear();
            var error = await CheckCodeAsync(userId, code, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return error;
        });

    private async Task<FieldError?> CheckCodeAsync(string userId, string? code, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var preferences = await TrackedAsync(userId, cancellationToken);
        if (preferences.PhoneCodeHash is null || preferences.PhoneNumber is null || preferences.PhoneCodeExpiresAt < now)
        {
            return new FieldError("Code", new Text("The code has expired. Ask for a new one."));
        }
        if (preferences.PhoneCodeAttempts >= MaxCodeAttempts)
        {
            return new FieldError("Code", new Text("Too many wrong codes. Ask for a new one."));
        }
        var given = Hash(userId, preferences.PhoneNumber, (code ?? "").Trim());
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given), Encoding.ASCII.GetBytes(preferences.PhoneCodeHash)))
        {
            preferences.PhoneCodeAttempts++;
            await db.SaveChangesAsync(cancellationToken);
            return new FieldError("Code", new Text("That code is not right."));
        }
        preferences.PhoneVerifiedAt = now;
        preferences.SmsEnabled = true;
        preferences.PhoneCodeHash = null;
        preferences.PhoneCodeExpiresAt = null;
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    public async Task RemovePhoneAsync(string userId, CancellationToken cancellationToken)
    {
        var preferences = await TrackedAsync(userId, cancellationToken);
        preferences.PhoneNumber = null;
        preferences.PhoneVerifiedAt = null;
        preferences.PhoneCodeHash = null;
        preferences.PhoneCodeExpiresAt = null;
        preferences.SmsEnabled = false;
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string Hash(string userId, string number, string code) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{userId}\n{number}\n{code}")));
}
