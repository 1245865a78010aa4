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
}
