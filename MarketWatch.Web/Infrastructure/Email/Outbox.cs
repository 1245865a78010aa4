using System.Text.RegularExpressions;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Infrastructure.Email;

/// <summary>Reading the outbox, for /admin/outbox and /dev/mailbox.</summary>
public static partial class Outbox
{
    public const int PageSize = 50;

    public static Task<List<EmailMessage>> LatestAsync(DbContext db, int page, CancellationToken cancellationToken) =>
        db.EmailMessages.AsNoTracking()
            .OrderByDescending(m => m.Id)
            .Skip(Math.Max(0, page - 1) * PageSize)
            .Take(PageSize)
            .ToListAsync(cancellationToken);

    /// <summary>Splits a plain-text body into text and links, so a page can render the links as anchors (Razor encodes both).</summary>
    public static IEnumerable<(string Text, bool IsLink)> Linkify(string text)
    {
        var last = 0;
        foreach (Match match in UrlPattern().Matches(text))
        {
            if (match.Index > last)
            {
                yield return (text[last..match.Index], false);
            }
            yield return (match.Value, true);
            last = match.Index + match.Length;
        }
        if (last < text.Length)
        {
            yield return (text[last..], false);
        }
    }

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex UrlPattern();
}
