using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>
/// "Prove it is you again" before a change that would let a thief keep the account (turning off two-factor sign-in,
/// new recovery codes, a new email address). The time of the last proof (or of the sign-in itself) travels in the
/// sign-in cookie's protected properties; <c>Accounts:ReauthenticationMinutes</c> says how long it counts.
/// </summary>
public static class Reauthentication
{
    private const string Item = "mw.reauth";

    /// <summary>The page where a signed-in user proves themself again, then comes back to <paramref name="returnUrl"/>.</summary>
    public const string PagePath = "/account/reauthenticate";

    /// <summary>Records a successful proof on this browser's session (password, authenticator or recovery code, passkey).</summary>
    public static async Task RecordAsync(HttpContext http)
    {
        var current = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!current.Succeeded || current.Principal is null)
        {
            return;
        }
        Stamp(current.Properties, http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        await http.SignInAsync(IdentityConstants.ApplicationScheme, current.Principal, current.Properties);
    }

    /// <summary>Whether this browser signed in or proved itself again within the window.</summary>
    public static bool IsRecent(HttpContext http)
    {
        var properties = http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties;
        if (properties is null || !properties.Items.TryGetValue(Item, out var value)
            || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }
        var minutes = http.RequestServices.GetRequiredService<IOptions<SessionOptions>>().Value.ReauthenticationMinutes;
        var age = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        return age >= TimeSpan.FromMinutes(-1) && age <= TimeSpan.FromMinutes(minutes);
    }

    /// <summary>For a page handler: off to the re-authentication page, back to <paramref name="returnUrl"/> (a local path) afterwards.</summary>
    public static IActionResult Challenge(PageModel page, string returnUrl) =>
        page.LocalRedirect(PagePath + "?returnUrl=" + Uri.EscapeDataString(returnUrl));

    internal static void Stamp(AuthenticationProperties properties, DateTimeOffset at) =>
        properties.Items[Item] = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
