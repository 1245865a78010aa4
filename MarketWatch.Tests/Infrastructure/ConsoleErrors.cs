using Microsoft.Playwright;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>
/// Collects a page's console errors (CSP violations show up there) and uncaught exceptions, with the page's address.
/// The browser's own "Failed to load resource" for the document itself is left out: an error page answers 404 or 403 on
/// purpose, and tests assert that status where it matters. Any other failed load (a script, a style, a fragment) counts.
/// </summary>
public sealed class ConsoleErrors
{
    private readonly IPage _page;
    private readonly List<string> _errors = [];

    public ConsoleErrors(IPage page)
    {
        _page = page;
        page.Console += (_, message) =>
        {
            if (message.Type != "error")
            {
                return;
            }
            var source = System.Text.RegularExpressions.Regex.Replace(message.Location ?? "", @":\d+:\d+$", "");
            if (message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal) && source == page.Url)
            {
                return;
            }
            Add($"console: {message.Text}{(source.Length > 0 && source != page.Url ? " (" + message.Location + ")" : "")}");
        };
        page.PageError += (_, error) => Add($"pageerror: {error}");
    }

    private void Add(string text)
    {
        lock (_errors)
        {
            _errors.Add($"{_page.Url}: {text}");
        }
    }

    /// <summary>The errors collected since the last call, and forgets them.</summary>
    public IReadOnlyList<string> Take()
    {
        lock (_errors)
        {
            var taken = _errors.ToList();
            _errors.Clear();
            return taken;
        }
    }

    /// <summary>Fails when an error was collected since the last call (and forgets them).</summary>
    public void AssertNone(string? where = null)
    {
        var errors = Take();
        Assert.That(errors, Is.Empty, $"console errors{(where is null ? "" : " on " + where)}");
    }
}
