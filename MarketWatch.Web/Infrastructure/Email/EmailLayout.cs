using System.Text;
using System.Text.Encodings.Web;
using MarketWatch.Web.Infrastructure.Localization;
using System.Globalization;

namespace MarketWatch.Web.Infrastructure.Email;

/// <summary>
/// The one look of MarketWatch's emails: a heading, paragraphs and an action link, as HTML and as plain
/// text. Every value is HTML-encoded here; callers pass plain text, never markup.
/// </summary>
public static class EmailLayout
{
    public static EmailContent Render(string subject, IReadOnlyList<string> paragraphs, string actionText, string actionUrl, string footer)
    {
        var enc = HtmlEncoder.Default;
        var rtl = Languages.IsRightToLeft(CultureInfo.CurrentUICulture);
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"").Append(enc.Encode(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName))
            .Append("\" dir=\"").Append(rtl ? "rtl" : "ltr").Append("\"><head><meta charset=\"utf-8\"><title>")
            .Append(enc.Encode(subject)).Append("</title></head>")
            .Append("<body style=\"font-family:system-ui,Segoe UI,Roboto,Arial,sans-serif;background:#f6f7f9;margin:0;padding:24px;color:#14181f\">")
            .Append("<div style=\"max-width:560px;margin:0 auto;background:#fff;border:1px solid #d9dde3;border-radius:10px;padding:24px\">")
            .Append("<p style=\"font-weight:700;color:#0b6e4f;margin:0 0 16px\">MarketWatch</p>")
            .Append("<h1 style=\"font-size:20px;margin:0 0 16px\">").Append(enc.Encode(subject)).Append("</h1>");
        foreach (var paragraph in paragraphs)
        {
            html.Append("<p>").Append(enc.Encode(paragraph)).Append("</p>");
        }
        html.Append("<p style=\"margin:24px 0\"><a href=\"").Append(enc.Encode(actionUrl))
            .Append("\" style=\"background:#0b6e4f;color:#fff;padding:12px 18px;border-radius:8px;text-decoration:none;font-weight:600\">")
            .Append(enc.Encode(actionText)).Append("</a></p>")
            .Append("<p style=\"color:#5b6472;font-size:13px;word-break:break-all\">").Append(enc.Encode(actionUrl)).Append("</p>")
            .Append("<p style=\"color:#5b6472;font-size:13px\">").Append(enc.Encode(footer)).Append("</p>")
            .Append("</div></body></html>");

        var text = new StringBuilder();
        text.AppendLine("MarketWatch").AppendLine().AppendLine(subject).AppendLine();
        foreach (var paragraph in paragraphs)
        {
            text.AppendLine(paragraph).AppendLine();
        }
        text.Append(actionText).AppendLine(":").AppendLine(actionUrl).AppendLine().AppendLine(footer);
        return new EmailContent(subject, html.ToString(), text.ToString());
    }
}
