using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MarketWatch.Web.Infrastructure.Localization;

namespace MarketWatch.Tests.Features;

/// <summary>Every UI string exists in English, French and Arabic: a key missing from one resource file fails here, by name.</summary>
public sealed partial class LocalizationTests
{
    private static readonly string WebRoot = Path.Combine(RepositoryRoot(), "MarketWatch.Web");

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MarketWatch.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("MarketWatch.sln not found above " + AppContext.BaseDirectory);
    }

    private static Dictionary<string, string> Resource(string suffix) =>
        XDocument.Load(Path.Combine(WebRoot, "Resources", $"SharedResource{suffix}.resx"))
            .Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

    /// <summary>The strings the code asks the localizer for, found the way a reviewer would grep for them.</summary>
    private static SortedSet<string> KeysUsedInCode()
    {
        // Keys the code builds from data: statuses, sectors of the catalogue, holiday names, feed event kinds, field names.
        var keys = new SortedSet<string>(StringComparer.Ordinal) { "Pending", "Sent", "Failed", "Local" };
        keys.UnionWith(MarketWatch.Web.Features.Market.Catalogue.Equities().Select(e => e.Sector));
        keys.UnionWith(MarketWatch.Web.Features.Market.Calendar.ExchangeCalendar.FixedHolidays.Select(h => h.Name));
        keys.UnionWith(MarketWatch.Web.Features.Market.Calendar.CalendarSeed.IslamicHolidays.Select(h => h.Name));
        keys.UnionWith(Enum.GetNames<MarketWatch.Web.Features.Market.FeedEventKind>());
        keys.UnionWith(MarketWatch.Web.Features.Market.Quality.DataQuality.FieldNames);
        Regex[] patterns = [LocalizerCall(), ErrorMessage(), DisplayName(), ValidatorText(), IdentityError(), TextKey()];
        var files = Directory.EnumerateFiles(WebRoot, "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(WebRoot, "*.cshtml", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}"));
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            foreach (var pattern in patterns)
            {
                foreach (Match match in pattern.Matches(text))
                {
                    keys.Add(match.Groups[1].Value.Replace("\\\"", "\""));
                }
            }
        }
        return keys;
    }

    [Test]
    public void Every_string_used_in_code_is_in_the_english_resources()
    {
        var missing = KeysUsedInCode().Except(Resource("").Keys).ToList();
        Assert.That(missing, Is.Empty, "missing from SharedResource.resx:\n" + string.Join("\n", missing));
    }

    [TestCase(".fr")]
    [TestCase(".ar")]
    public void Every_english_key_is_translated(string suffix)
    {
        var english = Resource("");
        var other = Resource(suffix);
        var missing = english.Keys.Except(other.Keys).ToList();
        var extra = other.Keys.Except(english.Keys).ToList();
        var empty = other.Where(kv => string.IsNullOrWhiteSpace(kv.Value)).Select(kv => kv.Key).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(missing, Is.Empty, $"missing from SharedResource{suffix}.resx:\n" + string.Join("\n", missing));
            Assert.That(extra, Is.Empty, $"not in SharedResource.resx:\n" + string.Join("\n", extra));
            Assert.That(empty, Is.Empty, "empty translations:\n" + string.Join("\n", empty));
        });
    }

    [Test]
    public void No_two_keys_differ_only_by_case()
    {
        // Resource names are case-insensitive: "Active" and "active" would silently become one.
        var clashes = Resource("").Keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => string.Join(" / ", g)).ToList();
        Assert.That(clashes, Is.Empty);
    }

    [TestCase(".fr")]
    [TestCase(".ar")]
    public void Translations_keep_every_placeholder(string suffix)
    {
        var other = Resource(suffix);
        var broken = other
            .Where(kv => !Placeholders(kv.Key).SequenceEqual(Placeholders(kv.Value)))
            .Select(kv => $"{kv.Key} => {kv.Value}")
            .ToList();
        Assert.That(broken, Is.Empty, string.Join("\n", broken));
    }

    [Test]
    public void Arabic_is_right_to_left_and_formats_dates_in_the_gregorian_calendar()
    {
        var arabic = CultureInfo.GetCultureInfo(Languages.FormattingCulture("ar"));
        Assert.That(Languages.IsRightToLeft(arabic), Is.True);
        Assert.That(arabic.Calendar, Is.InstanceOf<GregorianCalendar>());
        Assert.That(Languages.IsRightToLeft(CultureInfo.GetCultureInfo("fr")), Is.False);
    }

    private static IEnumerable<string> Placeholders(string text) =>
        PlaceholderPattern().Matches(text).Select(m => m.Value).Order(StringComparer.Ordinal);

    [GeneratedRegex(@"\b(?:L|localizer)\[""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LocalizerCall();

    [GeneratedRegex(@"ErrorMessage\s*=\s*""((?:[^""\\]|\\.)*)""")]
    private static partial Regex ErrorMessage();

    [GeneratedRegex(@"Display\(Name\s*=\s*""((?:[^""\\]|\\.)*)""")]
    private static partial Regex DisplayName();

    [GeneratedRegex(@"\bT\(""((?:[^""\\]|\\.)*)""\)")]
    private static partial Regex ValidatorText();

    [GeneratedRegex(@"Error\(nameof\(\w+\),\s*""((?:[^""\\]|\\.)*)""")]
    private static partial Regex IdentityError();

    [GeneratedRegex(@"(?:new Text|ChannelResult\.(?:Sent|Retry|Failed|Skipped))\(""((?:[^""\\]|\\.)*)""")]
    private static partial Regex TextKey();

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex PlaceholderPattern();
}
