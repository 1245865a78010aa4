namespace MarketWatch.Web.Features.Analytics;

/// <summary>One page of screener results: the rows shown, how many matched in all, and the query that chose them.</summary>
public sealed record ScreenerResult(ScreenerQuery Query, IReadOnlyList<InstrumentMetrics> Rows, int Total, long Version, DateOnly Session)
{
    public int Pages => Math.Max(1, (Total + Query.Limit - 1) / Query.Limit);
}

/// <summary>
/// The screener itself: a pure function of a <see cref="MetricsSnapshot"/> and a <see cref="ScreenerQuery"/> (no I/O).
/// One pass keeps the instruments every filter accepts (an instrument without the figure a filter needs is left out),
/// then only those are sorted; instruments without the sort column's figure come last in either direction.
/// </summary>
public static class Screener
{
    /// <summary>The page of results <paramref name="query"/> asks for.</summary>
    public static ScreenerResult Run(MetricsSnapshot snapshot, ScreenerQuery query)
    {
        var matches = Match(snapshot, query);
        var skip = (long)(query.Page - 1) * query.Limit;
        var rows = skip >= matches.Count ? [] : matches.GetRange((int)skip, (int)Math.Min(query.Limit, matches.Count - skip));
        return new ScreenerResult(query, rows, matches.Count, snapshot.Version, snapshot.Session);
    }

    /// <summary>Every instrument the filter accepts, in the query's order (all pages).</summary>
    public static List<InstrumentMetrics> Match(MetricsSnapshot snapshot, ScreenerQuery query)
    {
        var filter = Compile(query);
        var matches = new List<InstrumentMetrics>();
        foreach (var m in snapshot.All)
        {
            if (filter(m))
            {
                matches.Add(m);
            }
        }
        Sort(matches, query.Sort, query.Descending, query.Period);
        return matches;
    }

    /// <summary>True when <paramref name="m"/> passes every filter of <paramref name="query"/>.</summary>
    public static bool Accepts(ScreenerQuery query, InstrumentMetrics m) => Compile(query)(m);

    /// <summary>The filters as one predicate: only the ones set are checked.</summary>
    private static Func<InstrumentMetrics, bool> Compile(ScreenerQuery query)
    {
        var checks = new List<Func<InstrumentMetrics, bool>>();
        if (query.Sectors.Count > 0)
        {
            var sectors = new HashSet<string>(query.Sectors, StringComparer.OrdinalIgnoreCase);
            checks.Add(m => sectors.Contains(m.Sector));
        }
        void Range(string name, Func<InstrumentMetrics, double?> value, double scale = 1)
        {
            var (min, max) = query.Bound(name);
            if (min is null && max is null)
            {
                return;
            }
            var lo = min ?? double.NegativeInfinity;
            var hi = max ?? double.PositiveInfinity;
            checks.Add(m => value(m) is { } v && v * scale >= lo && v * scale <= hi);
        }
        var period = (int)query.Period;
        Range("price", m => (double?)m.Last);
        Range("chg", m => m.Performance[period], 100);
        Range("vol", m => m.Volume);
        Range("relVol", m => m.RelativeVolume);
        Range("cap", m => (double?)m.MarketCap);
        Range("pos52", m => m.Position52, 100);
        Range("rsi", m => m.Rsi14);
        Range("volat", m => m.Volatility1Y, 100);
        Range("beta", m => m.Beta1Y);
        void Relation(string? relation, Func<InstrumentMetrics, double?> versus)
        {
            if (relation == "above")
            {
                checks.Add(m => versus(m) > 0);
            }
            else if (relation == "below")
            {
                checks.Add(m => versus(m) < 0);
            }
        }
        Relation(query.Sma50, m => m.VsSma50);
        Relation(query.Sma200, m => m.VsSma200);
        var all = checks.ToArray();
        return all.Length switch
        {
            0 => _ => true,
            1 => all[0],
            _ => m =>
            {
                foreach (var check in all)
                {
                    if (!check(m))
                    {
                        return false;
                    }
                }
                return true;
            },
        };
    }

    /// <summary>A column's number for sorting and display (percentages as fractions); null for text columns and missing figures.</summary>
    public static double? Value(InstrumentMetrics m, string column, Period period) => column switch
    {
        "last" => (double?)m.Last,
        "change" => (double?)m.ChangePercent / 100 ?? m.Performance[(int)Period.D1],
        "perf" => m.Performance[(int)period],
        "volume" => m.Volume,
        "relVol" => m.RelativeVolume,
        "cap" => (double?)m.MarketCap,
        "pos52" => m.Position52,
        "rsi" => m.Rsi14,
        "sma50" => m.VsSma50,
        "sma200" => m.VsSma200,
        "volat" => m.Volatility1Y,
        "beta" => m.Beta1Y,
        _ => null,
    };

    private static void Sort(List<InstrumentMetrics> rows, string column, bool descending, Period period)
    {
        var sign = descending ? -1 : 1;
        Comparison<InstrumentMetrics> byTicker = (a, b) => string.CompareOrdinal(a.Ticker, b.Ticker);
        if (column is "ticker" or "name" or "sector")
        {
            Func<InstrumentMetrics, string> text = column switch { "name" => m => m.Name, "sector" => m => m.Sector, _ => m => m.Ticker };
            rows.Sort((a, b) =>
            {
                var c = string.Compare(text(a), text(b), StringComparison.OrdinalIgnoreCase);
                return c != 0 ? sign * c : byTicker(a, b);
            });
            return;
        }
        // Keys computed once per row, not per comparison.
        var keyed = new (double? Key, InstrumentMetrics Row)[rows.Count];
        for (var i = 0; i < keyed.Length; i++)
        {
            keyed[i] = (Value(rows[i], column, period), rows[i]);
        }
        Array.Sort(keyed, (a, b) =>
        {
            if (a.Key is not { } x || b.Key is not { } y)
            {
                return a.Key is null && b.Key is null ? byTicker(a.Row, b.Row) : a.Key is null ? 1 : -1;
            }
            var c = x.CompareTo(y);
            return c != 0 ? sign * c : byTicker(a.Row, b.Row);
        });
        for (var i = 0; i < keyed.Length; i++)
        {
            rows[i] = keyed[i].Row;
        }
    }
}
