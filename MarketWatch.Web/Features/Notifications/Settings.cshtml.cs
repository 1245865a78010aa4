using MarketWatch.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>
/// Notification settings: channels on/off with a daily cap each, quiet hours, the phone number for SMS (verified
/// by a code), the webhook address and its signing secret, and a test through every channel that is on.
/// </summary>
public sealed class SettingsModel(
    NotificationSettings settings,
    NotificationOutbox outbox,
    UserManager<ApplicationUser> users,
    IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    public PreferencesInput Input { get; set; } = new();

    public NotificationPreferences Current { get; private set; } = null!;
    /// <summary>The signing secret in clear, for the user to copy (the row holds it encrypted).</summary>
    public string? WebhookSecret { get; private set; }
    public List<TestDelivery> Tests { get; private set; } = [];
    public bool SmsAvailable => settings.SmsAvailable;
    public bool EmailConfirmed { get; private set; }

    private string UserId => users.GetUserId(User)!;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Input = PreferencesInput.From(Current);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var errors = await settings.UpdateAsync(UserId, Input, cancellationToken);
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                ModelState.AddModelError("Input." + error.Field, error.Message.In(L));
            }
            await LoadAsync(cancellationToken);
            return Page();
        }
        return Done(L["Your notification settings were saved."]);
    }

    public async Task<IActionResult> OnPostSendCodeAsync(string? phoneNumber, CancellationToken cancellationToken) =>
        await settings.StartPhoneVerificationAsync(UserId, phoneNumber, L["Your MarketWatch code is {0}. It expires in 10 minutes."], cancellationToken) is { } error
            ? await Invalid(error, cancellationToken)
            : Done(L["A code was sent by SMS. Enter it below."]);

    public async Task<IActionResult> OnPostVerifyCodeAsync(string? code, CancellationToken cancellationToken) =>
        await settings.ConfirmPhoneAsync(UserId, code, cancellationToken) is { } error
            ? await Invalid(error, cancellationToken)
            : Done(L["Your phone number is verified. SMS notifications are on."]);

    public async Task<IActionResult> OnPostRemovePhoneAsync(CancellationToken cancellationToken)
    {
        await settings.RemovePhoneAsync(UserId, cancellationToken);
        return Done(L["The phone number was removed. SMS notifications are off."]);
    }

    public async Task<IActionResult> OnPostRotateSecretAsync(CancellationToken cancellationToken)
    {
        await settings.RotateWebhookSecretAsync(UserId, cancellationToken);
        return Done(L["A new webhook secret was made. Update your receiver."]);
    }

    public async Task<IActionResult> OnPostTestAsync(CancellationToken cancellationToken)
    {
        var preferences = await settings.GetAsync(UserId, cancellationToken);
        var channels = Enum.GetValues<Channel>().Where(preferences.IsEnabled).ToList();
        return Done(await outbox.SendTestAsync(UserId, null, channels, cancellationToken) == TestResult.TooSoon
            ? L["Wait a moment before sending another test."]
            : L["A test was sent through every channel that is on. The results appear below."]);
    }

    private IActionResult Done(string message)
    {
        TempData["Status"] = message;
        return RedirectToPage();
    }

    private async Task<IActionResult> Invalid(Infrastructure.FieldError error, CancellationToken cancellationToken)
    {
        ModelState.AddModelError(error.Field, error.Message.In(L));
        await LoadAsync(cancellationToken);
        Input = PreferencesInput.From(Current);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Current = await settings.GetAsync(UserId, cancellationToken);
        WebhookSecret = settings.WebhookSecretOf(Current);
        Tests = await outbox.TestsAsync(UserId, null, cancellationToken);
        EmailConfirmed = (await users.GetUserAsync(User))?.EmailConfirmed == true;
    }
}
