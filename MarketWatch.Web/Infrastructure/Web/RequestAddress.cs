namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>The address of the page being shown, as the page repeats it: the language switch's way back, the share link,
/// og:url, the retry of the unavailable page.</summary>
public static class RequestAddress
{
    /// <summary>
    /// Above this a query string is no link anyone saved (the screener's longest real one, with every sector, column and
    /// bound set, stays well under it): the page repeats the path alone rather than carry a crafted 10,000-character query
    /// four times.
    /// </summary>
    public const int MaxQueryLength = 2048;

    public static string Here(this HttpRequest request) =>
        request.QueryString.Value is { Length: > MaxQueryLength } ? request.Path.ToString() : request.Path + request.QueryString;
}
