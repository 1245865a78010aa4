using System.Globalization;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Tests.Features;

/// <summary>One number and date style (issue 15, items 7 and 15): what <see cref="Format"/> writes in en, fr and ar.</summary>
public sealed class FormatTests
{
    private const string Lri = "\u2066", Pdi = "\u2069";
    private static readonly TimeZoneInfo Casablanca = TimeZoneInfo.FindSystemTimeZoneById("Africa/Casablanca");
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
    // 1 December 2026, 20:30 UTC: 21:30 in Casablanca (UTC+1), 05:30 on 2 December in Tokyo.
    private static readonly DateTimeOffset Instant = new(2026, 12, 1, 20, 30, 15, TimeSpan.Zero);

    [TestCase("en", "1 Dec 2026")]
    [TestCase("fr", "1 déc. 2026")]
    [TestCase("ar", "1 دجنبر 2026")]
    public void Dates_put_the_day_first_and_name_the_month(string language, string expected)
    {
        using var _ = Languages.Use(language);
        Assert.That(Format.Date(new DateOnly(2026, 12, 1)), Is.EqualTo(expected));
        Assert.That(Format.Date(Instant, Casablanca), Is.EqualTo(expected));
        Assert.That(Format.Date(Instant, Casablanca), Does.Not.Match(@"\d+/\d+/\d+"));
    }

    [TestCase("en", "1 Dec 2026, 21:30", "2 Dec 2026, 05:30:15")]
    [TestCase("fr", "1 déc. 2026, 21:30", "2 déc. 2026, 05:30:15")]
    [TestCase("ar", "1 دجنبر 2026، 21:30", "2 دجنبر 2026، 05:30:15")]
    public void Times_are_24_hour_in_the_zone_given(string language, string inCasablanca, string inTokyoWithSeconds)
    {
        using var _ = Languages.Use(language);
        Assert.That(Format.DateTime(Instant, Casablanca), Is.EqualTo(inCasablanca));
        Assert.That(Format.DateTime(Instant, Tokyo, seconds: true), Is.EqualTo(inTokyoWithSeconds));
        Assert.That(Format.Time(Instant, Casablanca), Is.EqualTo("21:30"));
        Assert.That(Format.DateTime((DateTimeOffset?)null, Casablanca), Is.EqualTo(Format.Missing));
    }

    [TestCase("en", "1 December 2026")]
    [TestCase("fr", "1 décembre 2026")]
    [TestCase("ar", "1 دجنبر 2026")]
    public void Long_dates_write_the_month_out(string language, string expected)
    {
        using var _ = Languages.Use(language);
        Assert.That(Format.LongDate(new DateOnly(2026, 12, 1)), Is.EqualTo(expected));
    }

    [Test]
    public void Signed_figures_are_plain_in_english_and_french()
    {
        using (Languages.Use("en"))
        {
            Assert.That((Format.Percent(1.75m), Format.Percent(-1.5m), Format.Percent(0m), Format.Change(-3.2m)), Is.EqualTo(("+1.75 %", "-1.50 %", "0.00 %", "-3.20")));
        }
        using (Languages.Use("fr"))
        {
            Assert.That((Format.Percent(1.75m), Format.Percent(-1.5m), Format.Change(12.5m)), Is.EqualTo(("+1,75 %", "-1,50 %", "+12,50")));
        }
    }

    [Test]
    public void Signed_figures_are_isolated_left_to_right_in_arabic_so_the_sign_stays_before_the_digits()
    {
        using var _ = Languages.Use("ar");
        Assert.That(Format.Percent(1.75m), Is.EqualTo(Lri + "+1,75 %" + Pdi));
        Assert.That(Format.Percent(-1.5m), Is.EqualTo(Lri + "-1,50 %" + Pdi));
        Assert.That(Format.Change(-3.2m), Is.EqualTo(Lri + "-3,20" + Pdi));
        Assert.That(Format.Percent(null), Is.EqualTo(Format.Missing));
    }

    [TestCase("en", "0.02", "1.01")]
    [TestCase("fr", "0,02", "1,01")]
    public void A_value_traded_column_reads_in_millions_whatever_the_size(string language, string small, string large)
    {
        using var _ = Languages.Use(language);
        var L = new EchoLocalizer();
        Assert.That((Format.InMillions(19_283m), Format.InMillions(1_010_000m)), Is.EqualTo((small, large)));
        Assert.That((Format.Millions(19_283m, L), Format.Millions(1_010_000m, L)), Is.EqualTo((small + " M MAD", large + " M MAD")));
        Assert.That(Format.Billions(162_430_000_000m, L), Does.EndWith(" bn MAD"));
    }

    [Test]
    public void Arabic_amounts_isolate_only_their_number_so_the_unit_follows_the_sentence()
    {
        using var _ = Languages.Use("ar");
        var L = new EchoLocalizer();
        // The unit outside the isolate: read right to left, the number comes first and the unit after it.
        Assert.That(Format.Millions(1_010_000m, L), Is.EqualTo(Lri + "1,01" + Pdi + " M MAD"));
        Assert.That(Format.Mad(19_283m, L), Does.StartWith(Lri).And.EndWith(Pdi + " MAD"));
    }

    [Test]
    public void The_browser_formats_offline_times_with_a_day_first_locale()
    {
        Assert.That(new[] { "en", "fr-MA", "ar-MA" }.Select(c => Format.BrowserLocale(CultureInfo.GetCultureInfo(c))), Is.EqualTo(new[] { "en-GB", "fr-MA", "ar-MA" }));
    }

    private sealed class EchoLocalizer : IStringLocalizer
    {
        public LocalizedString this[string name] => new(name, name);
        public LocalizedString this[string name, params object[] arguments] => new(name, string.Format(CultureInfo.CurrentCulture, name, arguments));
        public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => [];
    }
}
