using System.Globalization;
using System.Text.RegularExpressions;

namespace MarketWatch.Tests.Features;

/// <summary>
/// The colour tokens of base.css, light and dark: every text colour on every background the stylesheets put it on
/// reaches WCAG AA (4.5:1). A token changed for one pair cannot quietly break another.
/// </summary>
public sealed partial class ThemeContrastTests
{
    /// <summary>Text token on background token, as the stylesheets pair them.</summary>
    private static readonly (string Text, string Background)[] Pairs =
    [
        ("text", "bg"), ("text", "surface"), ("muted", "bg"), ("muted", "surface"),
        ("brand", "bg"), ("brand", "surface"),                 // links
        ("brand-contrast", "brand"),                           // primary buttons, pressed segmented buttons
        ("danger", "danger-bg"), ("danger", "surface"), ("danger-contrast", "danger"),
        ("warn-text", "warn-bg"), ("ok-text", "ok-bg"),
        ("up", "bg"), ("up", "surface"), ("down", "bg"), ("down", "surface"),
    ];

    [TestCase("light")]
    [TestCase("dark")]
    public void Every_text_and_background_pair_reaches_4_5_to_1(string theme)
    {
        var tokens = Tokens(theme);
        var failures = Pairs
            .Select(p => (p.Text, p.Background, Ratio: Contrast(tokens[p.Text], tokens[p.Background])))
            .Where(p => p.Ratio < 4.5)
            .Select(p => $"--{p.Text} on --{p.Background}: {p.Ratio:0.00}:1")
            .ToList();
        Assert.That(failures, Is.Empty, $"{theme} theme");
    }

    /// <summary>The tokens of a theme: :root's, overridden by the dark block's for "dark".</summary>
    private static Dictionary<string, string> Tokens(string theme)
    {
        var css = File.ReadAllText(Path.Combine(RepositoryRoot(), "wwwroot-src", "css", "base.css"));
        var light = Block(css, @":root\s*\{");
        var tokens = Variables(light);
        if (theme == "dark")
        {
            foreach (var (name, value) in Variables(Block(css, @":root\[data-theme=""dark""\]\s*\{")))
            {
                tokens[name] = value;
            }
        }
        return tokens;
    }

    private static string Block(string css, string opening)
    {
        var start = Regex.Match(css, opening);
        Assert.That(start.Success, $"base.css has no block {opening}");
        var end = css.IndexOf('}', start.Index);
        return css[(start.Index + start.Length)..end];
    }

    private static Dictionary<string, string> Variables(string block) =>
        VariablePattern().Matches(block).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    [GeneratedRegex(@"--([\w-]+):\s*(#[0-9a-fA-F]{6})\b")]
    private static partial Regex VariablePattern();

    private static double Contrast(string a, string b)
    {
        var (la, lb) = (Luminance(a), Luminance(b));
        return (Math.Max(la, lb) + 0.05) / (Math.Min(la, lb) + 0.05);
    }

    private static double Luminance(string hex)
    {
        double Channel(int offset)
        {
            var c = int.Parse(hex.AsSpan(1 + offset, 2), NumberStyles.HexNumber) / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * Channel(0) + 0.7152 * Channel(2) + 0.0722 * Channel(4);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "wwwroot-src", "css", "base.css")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("wwwroot-src/css/base.css not found above " + TestContext.CurrentContext.TestDirectory);
    }
}
