using Microsoft.AspNetCore.Identity;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>An investor's account, with the preferences every page needs.</summary>
public sealed class ApplicationUser : IdentityUser
{
    public const int DisplayNameMaxLength = 60;
    public const string DefaultTimeZone = "Africa/Casablanca";

    public string DisplayName { get; set; } = "";
    public string TimeZone { get; set; } = DefaultTimeZone;
    public string Language { get; set; } = "en";
    public string Theme { get; set; } = "system";
    public DateTimeOffset CreatedAt { get; set; }
}
