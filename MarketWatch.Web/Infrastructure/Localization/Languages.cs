using System.Globalization;

namespace MarketWatch.Web.Infrastructure.Localization;

/// <summary>The languages MarketWatch speaks; Arabic is written right to left.</summary>
public static class Languages
{
    public const string Default = "en";
    /// <summary>The claim that carries a signed-in user's chosen language (Accounts issues it; the request culture reads it).</summary>
    public const string ClaimType = "mw:lang";
    public static readonly string[] Supported = ["en", "fr", "ar"];
    public static readonly IReadOnlyDictionary<string, string> NativeNames = new Dictionary<string, string>
    {
        ["en"] = "English",
        ["fr"] = "Français",
        ["ar"] = "العربية",
    };

    /// <summary>The culture that formats numbers, dates and MAD amounts for a language: Morocco's, with Gregorian dates.</summary>
    public static string FormattingCulture(string code) => code switch
    {
        "fr" => "fr-MA",
        "ar" => "ar-MA",
        _ => "en",
    };

    public static bool IsSupported(string? code) => code is not null && Supported.Contains(code);

    public static string Normalize(string? code) => IsSupported(code) ? code! : Default;

    public static bool IsRightToLeft(CultureInfo culture) => culture.TextInfo.IsRightToLeft;

    /// <summary>Runs code (an email rendered for its recipient, say) in another UI culture and restores the caller's.</summary>
    public static IDisposable Use(string? code) =>
        new CultureScope(CultureInfo.GetCultureInfo(FormattingCulture(Normalize(code))), CultureInfo.GetCultureInfo(Normalize(code)));

    private sealed class CultureScope : IDisposable
    {
        private readonly CultureInfo _culture = CultureInfo.CurrentCulture;
        private readonly CultureInfo _uiCulture = CultureInfo.CurrentUICulture;

        public CultureScope(CultureInfo culture, CultureInfo uiCulture)
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = uiCulture;
        }

        public void Dispose()
        {
            CultureInfo.CurrentCulture = _culture;
            CultureInfo.CurrentUICulture = _uiCulture;
        }
    }
}
