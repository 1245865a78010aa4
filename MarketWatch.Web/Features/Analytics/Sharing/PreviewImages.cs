using System.Globalization;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.Extensions.Options;
using SkiaSharp;
using SkiaSharp.HarfBuzz;

namespace MarketWatch.Web.Features.Analytics.Sharing;

/// <summary>Settings of section <c>Sharing</c>: the fonts the preview images are drawn with (Latin and Arabic glyphs).</summary>
public sealed class SharingOptions
{
    /// <summary>Regular face; Debian's fonts-dejavu-core installs it (scripts/lib.sh and the Dockerfile do).</summary>
    public string FontPath { get; set; } = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    public string BoldFontPath { get; set; } = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
    /// <summary>How long a rendered image is kept (and may be kept by browsers and crawlers) while the market trades.</summary>
    public int TradingCacheSeconds { get; set; } = 300;
}

/// <summary>One line of a card's list: a label at the start, a value at the end (coloured by its direction).</summary>
public sealed record PreviewRow(string Label, string Value, int Direction);

/// <summary>
/// What a preview image shows: a title and subtitle, optionally a headline figure with its change, then either a small
/// line chart or a few rows. All strings already localized and formatted in the request culture.
/// </summary>
public sealed record PreviewCard(string Title, string Subtitle, string? Figure, string? Change, int Direction,
    IReadOnlyList<double>? Chart, IReadOnlyList<PreviewRow> Rows, bool RightToLeft);

/// <summary>
/// Draws <see cref="PreviewCard"/>s as 1200×630 PNGs with SkiaSharp, shaping text with HarfBuzz (Arabic joins and reads
/// right to left). The fonts are loaded once, by path, so a machine without them fails loudly rather than drawing boxes.
/// </summary>
public sealed class PreviewImages : IDisposable
{
    private const int W = SharePreview.ImageWidth;
    private const int H = SharePreview.ImageHeight;
    private const float Margin = 64;

    private static readonly SKColor Background = new(0xFF, 0xFF, 0xFF);
    private static readonly SKColor Ink = new(0x0F, 0x17, 0x2A);
    private static readonly SKColor Muted = new(0x47, 0x55, 0x69);
    private static readonly SKColor Brand = new(0x1D, 0x4E, 0xD8);
    private static readonly SKColor Up = new(0x15, 0x80, 0x3D);
    private static readonly SKColor Down = new(0xB9, 0x1C, 0x1C);
    private static readonly SKColor Rule = new(0xE2, 0xE8, 0xF0);

    private readonly SKTypeface _regular;
    private readonly SKTypeface _bold;

    public PreviewImages(IOptions<SharingOptions> options)
    {
        _regular = Load(options.Value.FontPath);
        _bold = Load(options.Value.BoldFontPath);
    }

    private static SKTypeface Load(string path) =>
        File.Exists(path)
            ? SKTypeface.FromFile(path) ?? throw new InvalidOperationException($"The font {path} could not be read.")
            : throw new FileNotFoundException($"The preview font {path} is missing: install Debian's fonts-dejavu-core or set Sharing:FontPath.", path);

    public void Dispose()
    {
        _regular.Dispose();
        _bold.Dispose();
    }

    public byte[] Render(PreviewCard card)
    {
        using var surface = SKSurface.Create(new SKImageInfo(W, H, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(Background);
        using var regularShaper = new SKShaper(_regular);
        using var boldShaper = new SKShaper(_bold);
        var text = new TextPen(canvas, card.RightToLeft, regularShaper, boldShaper);

        using (var band = new SKPaint { Color = Brand, IsAntialias = true })
        {
            canvas.DrawRect(0, 0, W, 12, band);
        }
        text.Draw("MarketWatch", Margin, 84, 34, bold: true, Brand);
        text.Draw(card.Subtitle, W - Margin, 84, 28, bold: false, Muted, atEnd: true);
        text.Draw(Fit(text, card.Title, 64, bold: true, W - 2 * Margin), Margin, 180, 64, bold: true, Ink);

        var top = 210f;
        if (card.Figure is not null)
        {
            var figureWidth = text.Draw(card.Figure, Margin, 300, 72, bold: true, Ink);
            if (card.Change is not null)
            {
                text.Draw(card.Change, Margin + figureWidth + 32, 300, 44, bold: true, ColorOf(card.Direction));
            }
            top = 330;
        }
        if (card.Chart is { Count: > 1 } chart)
        {
            DrawChart(canvas, chart, new SKRect(Margin, top + 20, W - Margin, H - Margin), card.RightToLeft);
        }
        else
        {
            DrawRows(canvas, text, card.Rows, top + 24);
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static SKColor ColorOf(int direction) => direction switch { > 0 => Up, < 0 => Down, _ => Muted };

    private static string Fit(TextPen text, string value, float size, bool bold, float width)
    {
        if (text.Measure(value, size, bold) <= width)
        {
            return value;
        }
        var cut = value;
        while (cut.Length > 1 && text.Measure(cut + "…", size, bold) > width)
        {
            cut = cut[..^1];
        }
        return cut.TrimEnd() + "…";
    }

    private static void DrawRows(SKCanvas canvas, TextPen text, IReadOnlyList<PreviewRow> rows, float top)
    {
        const float height = 62;
        using var rule = new SKPaint { Color = Rule, StrokeWidth = 2, IsAntialias = true };
        var y = top;
        foreach (var row in rows.Take(5))
        {
            canvas.DrawLine(Margin, y, W - Margin, y, rule);
            var valueWidth = text.Draw(row.Value, W - Margin, y + 44, 34, bold: true, ColorOf(row.Direction), atEnd: true);
            text.Draw(Fit(text, row.Label, 34, bold: false, W - 2 * Margin - valueWidth - 40), Margin, y + 44, 34, bold: false, Ink);
            y += height;
        }
    }

    private static void DrawChart(SKCanvas canvas, IReadOnlyList<double> values, SKRect box, bool rightToLeft)
    {
        var min = values.Min();
        var max = values.Max();
        var span = max - min is > 0 and var s ? s : 1;
        // A chart reads left to right (time) in every language, as the stock page's own chart does.
        _ = rightToLeft;
        var color = values[^1] >= values[0] ? Up : Down;
        var points = values.Select((v, i) => new SKPoint(box.Left + box.Width * i / (values.Count - 1), box.Bottom - (float)((v - min) / span) * box.Height)).ToList();
        using var lineBuilder = new SKPathBuilder();
        using var areaBuilder = new SKPathBuilder();
        lineBuilder.MoveTo(points[0]);
        areaBuilder.MoveTo(box.Left, box.Bottom);
        foreach (var point in points)
        {
            lineBuilder.LineTo(point);
            areaBuilder.LineTo(point);
        }
        areaBuilder.LineTo(box.Right, box.Bottom);
        areaBuilder.Close();
        using var path = lineBuilder.Snapshot();
        using var fill = areaBuilder.Snapshot();
        using (var area = new SKPaint { Color = color.WithAlpha(0x22), IsAntialias = true, Style = SKPaintStyle.Fill })
        {
            canvas.DrawPath(fill, area);
        }
        using var line = new SKPaint { Color = color, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 5, StrokeJoin = SKStrokeJoin.Round };
        canvas.DrawPath(path, line);
    }

    /// <summary>
    /// Draws one line of text at a logical position (x from the start edge: the left, or the right in right-to-left),
    /// split into directional runs (a small bidi: Arabic runs right to left, Latin and digits left to right, neutrals
    /// following the run before them), each shaped by HarfBuzz and placed in the line's visual order.
    /// </summary>
    private sealed class TextPen(SKCanvas canvas, bool rightToLeft, SKShaper regular, SKShaper boldShaper)
    {
        public float Measure(string text, float size, bool strong) => Runs(Clean(text)).Sum(r => Width(r.Text, size, strong));

        /// <summary>Draws <paramref name="text"/> starting (or, with <paramref name="atEnd"/>, ending) at x; returns its width.</summary>
        public float Draw(string text, float x, float y, float size, bool bold, SKColor color, bool atEnd = false)
        {
            var runs = Runs(Clean(text));
            // Runs in visual order: a right-to-left line shows its runs from right to left.
            if (rightToLeft)
            {
                runs.Reverse();
            }
            var widths = runs.Select(r => Width(r.Text, size, bold)).ToList();
            var total = widths.Sum();
            var visualX = rightToLeft ? W - x : x;
            var left = (rightToLeft ^ atEnd) ? visualX - total : visualX;
            using var font = new SKFont(bold ? BoldFace : RegularFace, size);
            using var paint = new SKPaint { Color = color, IsAntialias = true };
            for (var i = 0; i < runs.Count; i++)
            {
                canvas.DrawShapedText(bold ? boldShaper : regular, runs[i].Text, left, y, SKTextAlign.Left, font, paint);
                left += widths[i];
            }
            return total;
        }

        private SKTypeface RegularFace => regular.Typeface;
        private SKTypeface BoldFace => boldShaper.Typeface;

        private float Width(string run, float size, bool strong)
        {
            using var font = new SKFont(strong ? BoldFace : RegularFace, size);
            return (strong ? boldShaper : regular).Shape(run, font).Width;
        }

        /// <summary>Bidi controls (the app's isolates around signed figures) carry no glyph here: the runs do their work.</summary>
        private static string Clean(string text) =>
            new(text.Where(c => c is not ('\u2066' or '\u2067' or '\u2068' or '\u2069' or '\u200E' or '\u200F' or '\u061C' or '\u202A' or '\u202B' or '\u202C')
                && !char.IsControl(c)).ToArray());

        private List<(string Text, bool Rtl)> Runs(string text)
        {
            var runs = new List<(string Text, bool Rtl)>();
            var current = new System.Text.StringBuilder();
            bool? direction = null;
            foreach (var c in text)
            {
                bool? strong = IsArabic(c) ? true : char.IsLetterOrDigit(c) ? false : null;
                if (strong is { } d && direction is { } open && d != open)
                {
                    runs.Add((current.ToString(), open));
                    current.Clear();
                }
                direction = strong ?? direction;
                current.Append(c);
            }
            if (current.Length > 0)
            {
                runs.Add((current.ToString(), direction ?? rightToLeft));
            }
            // Spaces between runs of a right-to-left line belong at the run's visual edge: trimmed here, kept as gaps.
            return runs.Where(r => r.Text.Length > 0).ToList();
        }

        private static bool IsArabic(char c) =>
            c is >= '\u0600' and <= '\u06FF' or >= '\u0750' and <= '\u077F' or >= '\uFB50' and <= '\uFDFF' or >= '\uFE70' and <= '\uFEFF'
            && !char.IsDigit(c);
    }

    /// <summary>Whether the culture's script reads right to left (Arabic).</summary>
    public static bool IsRightToLeft(CultureInfo culture) => culture.TextInfo.IsRightToLeft;
}
