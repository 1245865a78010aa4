using MarketWatch.Web.Infrastructure.Localization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>Claims carried in the sign-in cookie so every page knows the user's name, zone, language and theme without a query.</summary>
public static class AccountClaims
{
    public const string DisplayName = "mw:display_name";
    public const string TimeZone = "mw:tz";
    public const string Language = Languages.ClaimType;
    public const string Theme = "mw:theme";
    public const string EmailConfirmed = "mw:email_confirmed";

    /// <summary>The profile claims, the same for the cookie and for bearer tokens.</summary>
    public static IEnumerable<Claim> Profile(ApplicationUser user) =>
    [
        new(DisplayName, user.DisplayName),
        new(TimeZone, user.TimeZone),
        new(Language, user.Language),
        new(Theme, user.Theme),
        new(EmailConfirmed, user.EmailConfirmed ? "true" : "false"),
    ];

    public static string? DisplayNameOf(this ClaimsPrincipal user) => user.FindFirstValue(DisplayName);

    /// <summary>The signed-in user's id (cookie or bearer token), for endpoints behind RequireAuthorization.</summary>
    public static string UserIdOf(this HttpContext http) =>
        http.RequestServices.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<ApplicationUser>>().GetUserId(http.User)!;

    public static bool HasUnconfirmedEmail(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.FindFirstValue(EmailConfirmed) == "false";

    public static TimeZoneInfo TimeZoneOf(this ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(TimeZone);
        return id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
            ? zone
            : TimeZoneInfo.FindSystemTimeZoneById(ApplicationUser.DefaultTimeZone);
    }
}

public sealed class AccountClaimsFactory(
    UserManager<ApplicationUser> users,
    RoleManager<IdentityRole> roles,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<ApplicationUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaims(AccountClaims.Profile(user));
        return identity;
    }
}
