using MarketWatch.Web.Features.Watchlists;
using MarketWatch.Web.Infrastructure.Csv;

namespace MarketWatch.Tests.Features.Watchlists;

public sealed class WatchlistCsvTests
{
    private static WatchlistRow Row(string ticker, int position, string? note, decimal? target) =>
        new(ticker, ticker, position, note, target, null, null, null, null, null, null, null, null, [], null);

    /// <summary>Every record of an upload as (first line, fields joined by |), the header first, and the line of an unclosed quote.</summary>
    private static (List<(int Line, string Fields)> Records, int? Unclosed) Read(string text)
    {
        int? unclosed = null;
        using var csv = CsvUpload.Open(new StringReader(text), line => unclosed = line);
        var records = new List<(int, string)> { (1, string.Join("|", csv.Headers)) };
        while (csv.Read())
        {
            records.Add(((int)csv.LineNumber, string.Join("|", Enumerable.Range(0, csv.FieldCount).Select(csv.GetString))));
        }
        return (records, unclosed);
    }

    [Test]
    public void Quotes_hold_commas_quotes_and_line_breaks_and_a_quote_inside_a_field_is_just_a_character()
    {
        var (records, unclosed) = Read("ticker,note\nATW,\"a, \"\"b\"\"\nc\"\nIAM,5\" screen\n");
        Assert.That(unclosed, Is.Null);
        Assert.That(records, Is.EqualTo(new[]
        {
            (1, "ticker|note"), (2, "ATW|a, \"b\"\nc"), (4, "IAM|5\" screen"),
        }));
    }

    [Test]
    public void An_unclosed_quote_is_reported_with_its_line()
    {
        var (_, unclosed) = Read("ticker,note\nATW,ok\nIAM,\"never closed\nBCP,\n");
        Assert.That(unclosed, Is.EqualTo(3));
    }

    [Test]
    public void Notes_a_spreadsheet_would_run_as_formulas_are_exported_inert()
    {
        var csv = WatchlistCsv.Export([Row("ATW", 0, "=HYPERLINK(\"http://x\")", 700.5m), Row("IAM", 1, "-5% stop", null)]);
        Assert.That(csv, Is.EqualTo("ticker,note,target_price,name,last,change_percent,added_at\nATW,\"'=HYPERLINK(\"\"http://x\"\")\",700.5,ATW,,,\nIAM,'-5% stop,,IAM,,,\n"));
    }
}
