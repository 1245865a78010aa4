namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>
/// What a shareable page tells link previews (WhatsApp, X, Slack...): the layout renders Open Graph and Twitter card
/// tags from it when a page sets <c>ViewData[SharePreview.Key]</c>. <paramref name="ImagePath"/> is the site-relative
/// URL of its 1200×630 PNG; the layout makes both URLs absolute with <see cref="PublicUrls"/>.
/// </summary>
public sealed record SharePreview(string Title, string Description, string ImagePath)
{
    public const string Key = "SharePreview";
    public const int ImageWidth = 1200;
    public const int ImageHeight = 630;
}
