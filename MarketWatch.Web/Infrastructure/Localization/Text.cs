using System.Globalization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Infrastructure.Localization;

/// <summary>
/// A message made far from any request (an import report, a data-quality finding) and worded where it is shown:
/// in the reader's language on a page, in English on the command line. The key is a resource key.
/// </summary>
public sealed record Text(string Key, params object[] Args)
{
    public string In(IStringLocalizer? localizer) =>
        localizer is null ? string.Format(CultureInfo.InvariantCulture, Key, Args) : localizer[Key, Args].Value;

    public override string ToString() => In(null);

    /// <summary>What someone typed, repeated in a message about it: at most 40 characters, so a 10,000-character input
    /// does not come back whole in the page, the problem or the log.</summary>
    public static string Echo(string? typed) => typed is null ? "" : typed.Length > 40 ? typed[..40] + "…" : typed;
}
