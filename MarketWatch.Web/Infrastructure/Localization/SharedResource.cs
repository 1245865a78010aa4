namespace MarketWatch.Web;

/// <summary>
/// Marker for the one resource set (Resources/SharedResource[.fr|.ar].resx). Keys are the English text,
/// so a page reads naturally: <c>L["Sign in"]</c>. A test fails when a key is missing from a language.
/// </summary>
public sealed class SharedResource;
