using MarketWatch.Web.Infrastructure.Localization;

namespace MarketWatch.Web.Infrastructure.Csv;

/// <summary>
/// How big an uploaded CSV file may be, per import (named options: each import binds its own section). A file over
/// either limit is refused whole with a field error, before anything is imported.
/// </summary>
public sealed class CsvLimits
{
    public long MaxBytes { get; set; } = 1024 * 1024;
    public int MaxRows { get; set; } = 10_000;

    /// <summary>The field error for a file over <see cref="MaxBytes"/>, or null when it fits.</summary>
    public Text? TooLarge(long bytes) => bytes > MaxBytes ? new Text("The file is too large: at most {0} KB.", MaxBytes / 1024) : null;

    /// <summary>The field error once a file has more than <see cref="MaxRows"/> rows, or null while it fits.</summary>
    public Text? TooManyRows(int rows) => rows > MaxRows ? new Text("The file has more than {0} rows: split it.", MaxRows) : null;
}

/// <summary>One bad row of an import: its line in the file and what is wrong with it.</summary>
public sealed record ImportError(int Line, IReadOnlyList<Text> Problems);

/// <summary>
/// The errors of an import, kept to the first <see cref="Shown"/>: the rest are only counted, so a file of bad rows
/// cannot grow the report (and the page) with it.
/// </summary>
public sealed class ImportErrors
{
    public const int Shown = 100;
    private readonly List<ImportError> _first = [];

    public int Count { get; private set; }
    public IReadOnlyList<ImportError> First => _first;
    public int More => Count - _first.Count;

    public void Add(ImportError error)
    {
        Count++;
        if (_first.Count < Shown)
        {
            _first.Add(error);
        }
    }

    public static ImportErrors Of(params ImportError[] errors)
    {
        var all = new ImportErrors();
        foreach (var error in errors)
        {
            all.Add(error);
        }
        return all;
    }
}
