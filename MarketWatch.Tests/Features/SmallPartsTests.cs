using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure.Email;

namespace MarketWatch.Tests.Features;

public sealed class SmallPartsTests
{
    [TestCase("/", true)]
    [TestCase("/account/manage?x=1", true)]
    [TestCase("//evil.example", false)]
    [TestCase("/\\evil.example", false)]
    [TestCase("https://evil.example", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void Only_local_paths_are_followed_after_a_form(string? url, bool local) =>
        Assert.That(Preferences.IsLocal(url), Is.EqualTo(local));

    [Test]
    public void Links_in_a_plain_text_email_become_separate_parts()
    {
        var parts = Outbox.Linkify("Open https://mw.example/a?b=1 now.\nOr http://x.test").ToList();
        Assert.That(parts, Is.EqualTo(new[]
        {
            ("Open ", false), ("https://mw.example/a?b=1", true), (" now.\nOr ", false), ("http://x.test", true),
        }));
    }

    [Test]
    public void Email_layout_encodes_every_value()
    {
        var content = EmailLayout.Render("Hi <b>", ["Tom & <script>x</script>"], "Go", "https://mw.example/?a=1&b=\"2\"", "foot");
        Assert.That(content.HtmlBody, Does.Contain("Tom &amp; &lt;script&gt;x&lt;/script&gt;"));
        Assert.That(content.HtmlBody, Does.Not.Contain("<script>"));
        Assert.That(content.HtmlBody, Does.Contain("href=\"https://mw.example/?a=1&amp;b=&quot;2&quot;\""));
        Assert.That(content.TextBody, Does.Contain("Tom & <script>x</script>"));
    }
}
