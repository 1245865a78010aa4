using CsvHelper;

namespace MarketWatch.Web.Infrastructure.Csv;

/// <summary>
/// How a CSV file that a user uploads is read: RFC 4180 with commas (never a separator guessed from the data), values
/// trimmed, and lines counted, so that an import reports a bad row by the line the user sees in an editor.
/// </summary>
public static class CsvUpload
{
    /// <summary>
    /// Opens <paramref name="text"/> without taking it over. <paramref name="unclosedQuoteAt"/> hears of a quoted field
    /// that is never closed: it runs to the end of the file, so nothing after its line can be trusted.
    /// </summary>
    public static CsvReader Open(TextReader text, Action<int> unclosedQuoteAt) =>
        CsvReader.Create(text, CsvReaderOptions.Default with
        {
            Separator = ',',
            TrackLineNumbers = true,
            TrimWhitespace = true,
            TrimInsideQuotes = true,
            OnMalformedRecord = record =>
            {
                if (record.Reason == CsvMalformedReason.UnterminatedQuote)
                {
                    unclosedQuoteAt((int)record.LineNumber);
                }
            },
        }, leaveOpen: true);
}
