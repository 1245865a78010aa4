using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using QRCoder;

namespace MarketWatch.Web.Features.Accounts.Manage;

/// <summary>
/// Two-factor sign-in with an authenticator app: set up (QR code and key), recovery codes, disable.
/// Recovery codes are shown once, right after they are made.
/// </summary>
public sealed class TwoFactorModel(
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    ApiTokens tokens,
    IStringLocalizer<SharedResource> L) : PageModel
{
    public const int RecoveryCodeCount = 10;
    private const string PagePath = "/account/manage/two-factor";

    public bool Enabled { get; private set; }
    public int RecoveryCodesLeft { get; private set; }
    public bool MachineRemembered { get; private set; }
    public string? SharedKey { get; private set; }
    public string? QrCodeDataUri { get; private set; }
    public IReadOnlyList<string> NewRecoveryCodes { get; private set; } = [];

    [BindProperty]
    [Required(ErrorMessage = "Enter the code from your authenticator app.")]
    [StringLength(7, MinimumLength = 6, ErrorMessage = "The code has 6 digits.")]
    [Display(Name = "Authenticator code")]
    public string Code { get; set; } = "";

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        await ShowAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostEnableAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        // A thief in a stolen session could otherwise turn on a second factor of their own and lock the owner out.
        if (!Reauthentication.IsRecent(HttpContext))
        {
            return Reauthentication.Challenge(this, PagePath);
        }
        if (ModelState.IsValid)
        {
            var code = Code.Replace(" ", string.Empty).Replace("-", string.Empty);
            if (await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
            {
                await users.SetTwoFactorEnabledAsync(user, true);
                await tokens.RevokeAllAsync(user.Id, HttpContext.RequestAborted);
                NewRecoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount) ?? []];
                await signIn.RefreshSignInAsync(user);
                TempData["Status"] = L["Two-factor sign-in is on."].Value;
                ModelState.Clear();
            }
            else
            {
                ModelState.AddModelError(nameof(Code), L["The code is wrong. Check your authenticator app and try again."]);
            }
        }
        await ShowAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostRecoveryCodesAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        if (!Reauthentication.IsRecent(HttpContext))
        {
            return Reauthentication.Challenge(this, PagePath);
        }
        if (user.TwoFactorEnabled)
        {
            NewRecoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount) ?? []];
        }
        ModelState.Clear();
        await ShowAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostDisableAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        if (!Reauthentication.IsRecent(HttpContext))
        {
            return Reauthentication.Challenge(this, PagePath);
        }
        await users.SetTwoFactorEnabledAsync(user, false);
        await tokens.RevokeAllAsync(user.Id, HttpContext.RequestAborted);
        // A new key: the old app entry stops working, and turning it on again starts from a fresh QR code.
        await users.ResetAuthenticatorKeyAsync(user);
        await signIn.ForgetTwoFactorClientAsync();
        await signIn.RefreshSignInAsync(user);
        TempData["Status"] = L["Two-factor sign-in is off."].Value;
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostForgetDeviceAsync()
    {
        await signIn.ForgetTwoFactorClientAsync();
        TempData["Status"] = L["This browser will ask for a code again at the next sign-in."].Value;
        return RedirectToPage();
    }

    private async Task ShowAsync(ApplicationUser user)
    {
        Enabled = await users.GetTwoFactorEnabledAsync(user);
        MachineRemembered = await signIn.IsTwoFactorClientRememberedAsync(user);
        if (Enabled)
        {
            RecoveryCodesLeft = await users.CountRecoveryCodesAsync(user);
            return;
        }
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
            // A new key changes the security stamp, which ends every session on its next check (UserSessions): this
            // browser is signed in again with the new stamp, or it would be signed out while its user scans the code.
            await signIn.RefreshSignInAsync(user);
        }
        SharedKey = FormatKey(key!);
        var uri = $"otpauth://totp/{Uri.EscapeDataString("MarketWatch:" + user.Email)}?secret={key}&issuer=MarketWatch&digits=6";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.Q);
        var png = new PngByteQRCode(data).GetGraphic(6);
        QrCodeDataUri = "data:image/png;base64," + Convert.ToBase64String(png);
    }

    private static string FormatKey(string key)
    {
        var result = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            result.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }
        return result.ToString().TrimEnd().ToLowerInvariant();
    }
}
