using System.ComponentModel.DataAnnotations;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>The editable profile, shared by the profile page and <c>PUT /api/auth/profile</c>.</summary>
public sealed class ProfileInput : IValidatableObject
{
    public static readonly string[] Themes = ["system", "light", "dark"];

    [Required(ErrorMessage = "Enter a display name.")]
    [StringLength(ApplicationUser.DisplayNameMaxLength, ErrorMessage = "The display name can be at most {1} characters long.")]
    [RegularExpression(DisplayNames.AllowedPattern, ErrorMessage = "The display name cannot contain < or >.")]
    [NoUrl]
    [Display(Name = "Display name")]
    public string DisplayName { get; set; } = "";

    [Required(ErrorMessage = "Choose a time zone.")]
    [StringLength(64, ErrorMessage = "Choose a time zone from the list.")]
    [Display(Name = "Time zone")]
    public string TimeZone { get; set; } = ApplicationUser.DefaultTimeZone;

    [Required(ErrorMessage = "Choose a language.")]
    [Display(Name = "Language")]
    public string Language { get; set; } = Languages.Default;

    [Required(ErrorMessage = "Choose a theme.")]
    [Display(Name = "Theme")]
    public string Theme { get; set; } = "system";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var L = validationContext.GetService(typeof(IStringLocalizer<SharedResource>)) as IStringLocalizer;
        string T(string text) => L?[text].Value ?? text;
        if (!string.IsNullOrEmpty(TimeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            yield return new ValidationResult(T("Choose a time zone from the list."), [nameof(TimeZone)]);
        }
        if (!string.IsNullOrEmpty(Language) && !Languages.IsSupported(Language))
        {
            yield return new ValidationResult(T("Choose English, French or Arabic."), [nameof(Language)]);
        }
        if (!string.IsNullOrEmpty(Theme) && !Themes.Contains(Theme))
        {
            yield return new ValidationResult(T("Choose light, dark or system."), [nameof(Theme)]);
        }
    }

    public static ProfileInput From(ApplicationUser user) => new()
    {
        DisplayName = user.DisplayName,
        TimeZone = user.TimeZone,
        Language = user.Language,
        Theme = user.Theme,
    };

    public void ApplyTo(ApplicationUser user)
    {
        user.DisplayName = DisplayName.Trim();
        user.TimeZone = TimeZone;
        user.Language = Language;
        user.Theme = Theme;
    }
}

public static partial class DisplayNames
{
    /// <summary>Any text without angle brackets: names are always shown encoded, and markup in a name is never what a person meant.</summary>
    public const string AllowedPattern = @"^[^<>]*$";

    /// <summary>
    /// A web address in a name: a scheme (<c>https://</c>, <c>mailto:</c> style <c>word://</c>), <c>www.</c>, or a
    /// domain-like token (<c>evil.example/x</c>, <c>bit.ly</c>, <c>a@b.co</c>: labels joined by dots, the last one two or
    /// more letters). Full-width and ideographic dots count as dots. "J. R. Smith" and "Dr Amina" pass; "Mr.Smith"
    /// does not (a space after the dot fixes it).
    /// </summary>
    public static bool ContainsUrl(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }
        // Linear in the length (no regular expression that could backtrack on a long name).
        var text = name.Replace('\u3002', '.').Replace('\uFF0E', '.').Replace('\uFF61', '.');
        if (text.Contains("://", StringComparison.Ordinal) || text.Contains("www.", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        foreach (var token in text.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            var host = token.Split('/', '?', '#')[0];
            host = host[(host.LastIndexOf('@') + 1)..].Split(':')[0].TrimEnd('.');
            var labels = host.Split('.');
            var tld = labels[^1];
            if (labels.Length >= 2
                && tld.Length is >= 2 and <= 63 && tld.All(char.IsAsciiLetter)
                && labels.All(l => l.Length > 0 && l.All(c => char.IsLetterOrDigit(c) || c is '-' or '_')))
            {
                return true;
            }
        }
        return false;
    }

    private static readonly char[] Separators = [' ', '\t', '\n', '\r', ',', ';', '(', ')', '[', ']', '{', '}', '"', '\'', '!', '|', '\u00A0'];
}

/// <summary>Refuses a display name holding a web address: names reach other people's screens and emails.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NoUrlAttribute : ValidationAttribute
{
    public NoUrlAttribute() => ErrorMessage = "The display name cannot contain a web address.";

    public override bool IsValid(object? value) => !DisplayNames.ContainsUrl(value as string);

    /// <summary>MVC localizes only its built-in attributes' messages; this one looks its message up itself.</summary>
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (IsValid(value))
        {
            return ValidationResult.Success;
        }
        var L = validationContext.GetService(typeof(IStringLocalizer<SharedResource>)) as IStringLocalizer;
        return new ValidationResult(L?[ErrorMessage!].Value ?? ErrorMessage, validationContext.MemberName is { } member ? [member] : null);
    }
}

/// <summary>IANA time-zone identifiers offered in the profile, sorted.</summary>
public static class TimeZones
{
    public static readonly IReadOnlyList<string> All = TimeZoneInfo.GetSystemTimeZones()
        .Select(z => z.Id)
        .Where(id => id.Contains('/') && !id.StartsWith("Etc/", StringComparison.Ordinal))
        .Append("UTC")
        .Distinct()
        .Order(StringComparer.Ordinal)
        .ToList();
}
