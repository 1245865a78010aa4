using System.Globalization;
using System.Text;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>A numeric filter's bounds and how its query parameters are named (<c>{Name}Min</c> / <c>{Name}Max</c>).</summary>
public sealed record ScreenerRange(string Name, double Lowest, double Highest, bool HasMin = true, bool HasMax = true);

/// <summary>
/// The screener's filter as its URL says it (the grammar is in docs/analytics.md). Every part is optional;
/// percentages are written in percent (<c>chgMin=5</c> is +5 %), the figures they compare with are fractions.
/// </summary>
public sealed record ScreenerQuery
{
    public const int PageSize = 50;
    public const int MaxLimit = 200;
    public const int MaxPage = 10_000;
    public const int MaxSectors = 50;

    /// <summary>The numeric filters, in the order the form shows them.</summary>
    public static readonly ScreenerRange[] Ranges =
    [
        new("price", 0, 10_000_000),
        new("chg", -100, 100_000),
        new("vol", 0, 1e13, HasMax: false),
        new("relVol", 0, 10_000, HasMax: false),
        new("cap", 0, 1e16),
        new("pos52", 0, 100),
        new("rsi", 0, 100),
        new("volat", 0, 10_000),
        new("beta", -100, 100),
    ];

    /// <summary>The columns a user may show and sort by (the ticker is always shown and sortable).</summary>
    public static readonly string[] Columns = ["last", "change", "perf", "name", "sector", "volume", "relVol", "cap", "pos52", "rsi", "sma50", "sma200", "volat", "beta"];
    /// <summary>Shown when <c>cols</c> is absent; a phone shows the ticker and the first two columns chosen.</summary>
    public static readonly string[] DefaultColumns = ["last", "change", "perf", "name", "volume", "cap", "rsi"];
    public static readonly string[] SortKeys = ["ticker", .. Columns];
    public static readonly string[] Relations = ["above", "below"];

    public IReadOnlyList<string> Sectors { get; init; } = [];
    public Period Period { get; init; } = Period.D1;
    /// <summary>Each range's bounds by name (missing: no bound), as written (percent for percentages).</summary>
    public IReadOnlyDictionary<string, (double? Min, double? Max)> Bounds { get; init; } = new Dictionary<string, (double?, double?)>();
    /// <summary>"above" / "below" the 50- and 200-session averages, or null.</summary>
    public string? Sma50 { get; init; }
    public string? Sma200 { get; init; }
    public IReadOnlyList<string> Cols { get; init; } = DefaultColumns;
    public string Sort { get; init; } = "ticker";
    public bool Descending { get; init; }
    public int Page { get; init; } = 1;
    public int Limit { get; init; } = PageSize;

    public static ScreenerQuery Default { get; } = new();

    public (double? Min, double? Max) Bound(string name) => Bounds.GetValueOrDefault(name);

    /// <summary>True when any filter (not the columns, order or page) is set.</summary>
    public bool Filters => FilterCount > 0;

    /// <summary>How many filters narrow the screen (the sector choice counts once, a range once whatever its bounds).</summary>
    public int FilterCount => (Sectors.Count > 0 ? 1 : 0) + Bounds.Values.Count(b => b.Min is not null || b.Max is not null)
                              + (Sma50 is not null ? 1 : 0) + (Sma200 is not null ? 1 : 0);

    /// <summary>Reads the filter; unknown parameter names are ignored, empty values mean "not set".</summary>
    /// <param name="api">The API also reads <c>limit</c> (page size up to <see cref="MaxLimit"/>); the page always shows <see cref="PageSize"/>.</param>
    public static ScreenerParse Parse(IEnumerable<KeyValuePair<string, StringValues>> query, IReadOnlyCollection<string> sectors, bool api = false)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in query)
        {
            if (!values.TryGetValue(key, out var list))
            {
                values[key] = list = [];
            }
            list.AddRange(value.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()));
        }
        var errors = new List<FieldError>();
        string? One(string name) => values.TryGetValue(name, out var list) && list.Count > 0 ? list[^1] : null;

        var chosen = new List<string>();
        foreach (var sector in (values.GetValueOrDefault("sector") ?? []).SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            var known = sectors.FirstOrDefault(s => string.Equals(s, sector, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                errors.Add(new FieldError("sector", new Text("{0} must be one of the catalogue's sectors; {1} is not one.", "sector", Text.Echo(sector))));
                break;
            }
            if (!chosen.Contains(known))
            {
                chosen.Add(known);
            }
        }

        var period = Period.D1;
        if (One("period") is { } p && !TryEnum(p, out period))
        {
            errors.Add(OneOf("period", MetricsCalculator.Periods.Select(x => x.ToString())));
        }

        var bounds = new Dictionary<string, (double?, double?)>();
        foreach (var range in Ranges)
        {
            double? min = null, max = null;
            if (range.HasMin)
            {
                min = Number(range.Name + "Min", range, One(range.Name + "Min"), errors);
            }
            if (range.HasMax)
            {
                max = Number(range.Name + "Max", range, One(range.Name + "Max"), errors);
            }
            if (min is { } a && max is { } b && b < a)
            {
                errors.Add(new FieldError(range.Name + "Max", new Text("{0} must not be less than {1}.", range.Name + "Max", range.Name + "Min")));
            }
            if (min is not null || max is not null)
            {
                bounds[range.Name] = (min, max);
            }
        }

        string? Relation(string name)
        {
            var value = One(name);
            if (value is null)
            {
                return null;
            }
            if (Relations.FirstOrDefault(r => string.Equals(r, value, StringComparison.OrdinalIgnoreCase)) is { } known)
            {
                return known;
            }
            errors.Add(OneOf(name, Relations));
            return null;
        }
        var sma50 = Relation("sma50");
        var sma200 = Relation("sma200");

        IReadOnlyList<string> cols = DefaultColumns;
        if (values.TryGetValue("cols", out var colValues) && colValues.Count > 0)
        {
            var list = new List<string>();
            foreach (var col in colValues.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
            {
                if (Columns.FirstOrDefault(c => string.Equals(c, col, StringComparison.OrdinalIgnoreCase)) is { } known)
                {
                    if (!list.Contains(known))
                    {
                        list.Add(known);
                    }
                }
                else
                {
                    errors.Add(OneOf("cols", Columns));
                    break;
                }
            }
            cols = list;
        }

        var sort = "ticker";
        if (One("sort") is { } s)
        {
            if (SortKeys.FirstOrDefault(k => string.Equals(k, s, StringComparison.OrdinalIgnoreCase)) is { } known)
            {
                sort = known;
            }
            else
            {
                errors.Add(OneOf("sort", SortKeys));
            }
        }
        var descending = false;
        if (One("dir") is { } d)
        {
            if (d.Equals("desc", StringComparison.OrdinalIgnoreCase))
            {
                descending = true;
            }
            else if (!d.Equals("asc", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(OneOf("dir", ["asc", "desc"]));
            }
        }
        var page = Whole("page", One("page"), 1, MaxPage, 1, errors);
        var limit = api ? Whole("limit", One("limit"), 1, MaxLimit, PageSize, errors) : PageSize;

        return errors.Count > 0
            ? new ScreenerParse(null, errors)
            : new ScreenerParse(new ScreenerQuery
            {
                Sectors = chosen, Period = period, Bounds = bounds, Sma50 = sma50, Sma200 = sma200, Cols = cols, Sort = sort, Descending = descending,
                Page = page, Limit = limit,
            }, []);
    }

    /// <summary>Reads a query string ("a=1&amp;b=2", with or without the leading '?').</summary>
    public static ScreenerParse Parse(string? query, IReadOnlyCollection<string> sectors, bool api = false) =>
        Parse(QueryHelpers.ParseQuery(query), sectors, api);

    private static bool TryEnum(string value, out Period period)
    {
        foreach (var candidate in MetricsCalculator.Periods)
        {
            if (string.Equals(candidate.ToString(), value, StringComparison.OrdinalIgnoreCase))
            {
                period = candidate;
                return true;
            }
        }
        period = Period.D1;
        return false;
    }

    private static FieldError OneOf(string name, IEnumerable<string> allowed) =>
        new(name, new Text("{0} must be one of: {1}.", name, string.Join(", ", allowed)));

    private static string Invariant(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static double? Number(string name, ScreenerRange range, string? value, List<FieldError> errors)
    {
        if (value is null)
        {
            return null;
        }
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            && number >= range.Lowest && number <= range.Highest)
        {
            return number;
        }
        errors.Add(new FieldError(name, new Text("{0} must be a number between {1} and {2}.", name, Invariant(range.Lowest), Invariant(range.Highest))));
        return null;
    }

    private static int Whole(string name, string? value, int lowest, int highest, int fallback, List<FieldError> errors)
    {
        if (value is null)
        {
            return fallback;
        }
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= lowest && number <= highest)
        {
            return number;
        }
        errors.Add(new FieldError(name, new Text("{0} must be a whole number between {1} and {2}.", name, lowest, highest)));
        return fallback;
    }

    /// <summary>
    /// The canonical query string (without '?'): only what differs from the defaults, in a fixed order, so one filter has
    /// one URL. <paramref name="page"/> false leaves the page out (a saved screen, a "changed" filter starting again at 1).
    /// </summary>
    public string ToQueryString(bool page = true, bool limit = false)
    {
        var parts = new List<KeyValuePair<string, string?>>();
        foreach (var sector in Sectors)
        {
            parts.Add(new("sector", sector));
        }
        if (Period != Period.D1)
        {
            parts.Add(new("period", Period.ToString()));
        }
        foreach (var range in Ranges)
        {
            var (min, max) = Bound(range.Name);
            if (min is { } a)
            {
                parts.Add(new(range.Name + "Min", a.ToString("R", CultureInfo.InvariantCulture)));
            }
            if (max is { } b)
            {
                parts.Add(new(range.Name + "Max", b.ToString("R", CultureInfo.InvariantCulture)));
            }
        }
        if (Sma50 is not null)
        {
            parts.Add(new("sma50", Sma50));
        }
        if (Sma200 is not null)
        {
            parts.Add(new("sma200", Sma200));
        }
        if (!Cols.SequenceEqual(DefaultColumns))
        {
            parts.Add(new("cols", string.Join(",", Cols)));
        }
        if (Sort != "ticker")
        {
            parts.Add(new("sort", Sort));
        }
        if (Descending)
        {
            parts.Add(new("dir", "desc"));
        }
        if (page && Page != 1)
        {
            parts.Add(new("page", Page.ToString(CultureInfo.InvariantCulture)));
        }
        if (limit && Limit != PageSize)
        {
            parts.Add(new("limit", Limit.ToString(CultureInfo.InvariantCulture)));
        }
        var text = QueryHelpers.AddQueryString("", parts);
        return text.Length > 0 ? text[1..] : text;
    }

    /// <summary>The same filter sorted by <paramref name="key"/> (the other direction when it already is), from page 1.</summary>
    public ScreenerQuery SortedBy(string key) => this with { Sort = key, Descending = Sort == key ? !Descending : key is not ("ticker" or "name" or "sector"), Page = 1 };
}

/// <summary>A parsed filter, or every reason it was refused (field: the query parameter).</summary>
public sealed record ScreenerParse(ScreenerQuery? Query, IReadOnlyList<FieldError> Errors)
{
    public bool Valid => Query is not null;
}
