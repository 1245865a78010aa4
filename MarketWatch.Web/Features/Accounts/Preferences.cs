using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>The language and theme pickers in the header: remembered in cookies, and in the profile when signed in.</summary>
public static class Preferences
{
    public const string ThemeCookie = "mw.theme";

    /// <summary>The endpoint's name: the header's form links to it by name (asp-route), as pages link by page name.</summary>
    public const string RouteName = "preferences";

    public static IEndpointRouteBuilder MapPreferences(this IEndpointRouteBuilder app)
    {
        app.MapPost("/preferences", SaveAsync).WithName(RouteName).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> SaveAsync(
        [FromForm] string? language, [FromForm] string? theme, [FromForm] string? returnUrl,
        HttpContext http, UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var user = signIn.IsSignedIn(http.User) ? await users.GetUserAsync(http.User) : null;
        if (Languages.IsSupported(language))
        {
            http.Response.RememberLanguage(language!, now);
            if (user is not null)
            {
                user.Language = language!;
            }
        }
        if (theme is not null && ProfileInput.Themes.Contains(theme))
        {
            http.Response.Cookies.Append(ThemeCookie, theme, new CookieOptions
            {
                Expires = now.AddYears(1),
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = http.Request.IsHttps,
                IsEssential = true,
            });
            if (user is not null)
            {
                user.Theme = theme;
            }
        }
        if (user is not null)
        {
            await users.UpdateAsync(user);
            await signIn.RefreshSignInAsync(user);
        }
        return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    /// <summary>
    /// A path on this site that can go into a Location header as it is: printable ASCII only (the pages' own links are
    /// escaped; a control character or a raw "é" made Kestrel throw while setting the header, a 500), and not too long.
    /// </summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.Length <= MaxLocalUrlLength && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && url.All(c => c is > ' ' and < (char)127);

    public const int MaxLocalUrlLength = 2000;
}
