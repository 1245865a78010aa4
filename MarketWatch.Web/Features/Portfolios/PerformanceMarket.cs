using MarketWatch.Web.Features.Market.Calendar;
using Npgsql;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// The market's closed sessions as performance needs them, in memory: every instrument's close on every session before
/// the current one (carried forward over gaps) and the computed MASI's level on each. Immutable; a newer snapshot
/// says from which date it differs from the one before (<see cref="ChangedFrom"/>), so cached portfolio series are
/// recomputed from there on only.
/// </summary>
public sealed class MarketHistory
{
    private readonly Dictionary<int, decimal[]> _closes;

    internal MarketHistory(long generation, DateOnly session, DateOnly[] dates, Dictionary<int, decimal[]> closes, double[] masi,
        Dictionary<int, long> shares, DateOnly? changedFrom)
    {
        Generation = generation;
        Session = session;
        Dates = dates;
        _closes = closes;
        Masi = masi;
        Shares = shares;
        ChangedFrom = changedFrom;
        Instruments = [.. closes.Keys.Union(shares.Keys).Order()];
    }

    /// <summary>Bumped whenever the closes differ from the previous snapshot's.</summary>
    public long Generation { get; }
    /// <summary>The current session (the last trading day on or before today): its prices are live, not in here.</summary>
    public DateOnly Session { get; }
    /// <summary>Every date with a daily bar before <see cref="Session"/>, ascending.</summary>
    public DateOnly[] Dates { get; }
    /// <summary>The computed MASI's chain-linked level on each of <see cref="Dates"/> (1 on the first).</summary>
    public double[] Masi { get; }
    /// <summary>The shares each instrument weighs with in the computed index (instruments without are left out).</summary>
    public IReadOnlyDictionary<int, long> Shares { get; }
    /// <summary>Every instrument with a bar or an index weight (whose session bar the live point reads).</summary>
    public int[] Instruments { get; }
    /// <summary>The first date whose closes differ from the previous generation's; null for the first snapshot.</summary>
    public DateOnly? ChangedFrom { get; }

    /// <summary>The instrument's close on <see cref="Dates"/>[index], carried forward; 0 when it has no bar yet.</summary>
    public decimal Close(int instrumentId, int index) =>
        index >= 0 && _closes.TryGetValue(instrumentId, out var closes) ? closes[index] : 0m;

    /// <summary>The instrument's latest close before the current session; 0 when none.</summary>
    public decimal LastClose(int instrumentId) => Close(instrumentId, Dates.Length - 1);

    /// <summary>The index of the last date on or before <paramref name="date"/>; −1 when none.</summary>
    public int IndexOnOrBefore(DateOnly date)
    {
        var i = Array.BinarySearch(Dates, date);
        return i >= 0 ? i : ~i - 1;
    }

    /// <summary>
    /// A snapshot from daily closes (<paramref name="rows"/>: instrument, day number, close; sorted by day) and the
    /// index weights; compared with <paramref name="previous"/> to keep its generation or say where it changed.
    /// </summary>
    public static MarketHistory Build(DateOnly session, IReadOnlyList<(int Id, int Day, decimal Close)> rows, Dictionary<int, long> shares,
        MarketHistory? previous = null)
    {
        var dates = new List<DateOnly>();
        foreach (var row in rows)
        {
            if (dates.Count == 0 || dates[^1].DayNumber != row.Day)
            {
                dates.Add(DateOnly.FromDayNumber(row.Day));
            }
        }
        var closes = new Dictionary<int, decimal[]>();
        var masi = new double[dates.Count];
        // The computed MASI exactly as MarketQueries.IndexHistoryAsync chains it: each session moves the level by
        // Σ(close × shares) / Σ(previous close × shares) over the members with a bar that session and one before it.
        var previousClose = new Dictionary<int, decimal>();
        var level = 1.0;
        var index = -1;
        decimal numerator = 0, denominator = 0;
        foreach (var (id, day, close) in rows)
        {
            if (index < 0 || dates[index].DayNumber != day)
            {
                if (index >= 0)
                {
                    level *= denominator == 0 ? 1 : (double)(numerator / denominator);
                    masi[index] = level;
                }
                index++;
                numerator = denominator = 0;
            }
            if (!closes.TryGetValue(id, out var series))
            {
                closes[id] = series = new decimal[dates.Count];
            }
            series[index] = close;
            if (shares.TryGetValue(id, out var weight) && previousClose.TryGetValue(id, out var prev))
            {
                numerator += close * weight;
                denominator += prev * weight;
            }
            previousClose[id] = close;
        }
        if (index >= 0)
        {
            level *= denominator == 0 ? 1 : (double)(numerator / denominator);
            masi[index] = level;
        }
        foreach (var series in closes.Values)
        {
            for (var i = 1; i < series.Length; i++)
            {
                if (series[i] == 0)
                {
                    series[i] = series[i - 1];
                }
            }
        }
        var candidate = new MarketHistory(previous?.Generation ?? 1, session, [.. dates], closes, masi, shares, null);
        if (previous is null)
        {
            return candidate;
        }
        if (candidate.SameCloses(previous, out var changedFrom) && previous.Session == session)
        {
            return previous;
        }
        return new MarketHistory(previous.Generation + 1, session, candidate.Dates, closes, masi, shares,
            changedFrom is { } c && c < previous.Session ? c : previous.Session);
    }

    /// <summary>True when both hold the same dates and closes; otherwise the first date (of either) where they differ.</summary>
    internal bool SameCloses(MarketHistory other, out DateOnly? changedFrom)
    {
        var common = Math.Min(Dates.Length, other.Dates.Length);
        var first = common;
        for (var i = 0; i < common; i++)
        {
            if (Dates[i] != other.Dates[i])
            {
                first = i;
                break;
            }
        }
        foreach (var id in _closes.Keys.Union(other._closes.Keys))
        {
            for (var i = 0; i < first; i++)
            {
                if (Close(id, i) != other.Close(id, i))
                {
                    first = i;
                    break;
                }
            }
        }
        if (first == common && Dates.Length == other.Dates.Length)
        {
            changedFrom = null;
            return true;
        }
        var mine = first < Dates.Length ? Dates[first] : DateOnly.MaxValue;
        var theirs = first < other.Dates.Length ? other.Dates[first] : DateOnly.MaxValue;
        changedFrom = mine < theirs ? mine : theirs;
        return false;
    }
}

/// <summary>
/// One snapshot of <see cref="MarketHistory"/> per instance, shared by every portfolio: closes of past sessions never
/// change, so they are read once (one set-based query over daily_bars) instead of per page view. A new session starts
/// a new snapshot; otherwise it is re-read every <see cref="MaxAge"/> so an admin's bar import shows within minutes,
/// and a re-read that finds the same closes keeps its generation (nothing is recomputed).
/// </summary>
public sealed class PerformanceMarket(NpgsqlDataSource dataSource, CalendarCache calendar, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private MarketHistory? _current;
    private DateTimeOffset _loadedAt;

    /// <summary>The current session: today when it is a trading day, else the last trading day before it.</summary>
    public DateOnly Session()
    {
        var day = ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
        var cal = calendar.Current;
        for (var i = 0; i < 30 && !cal.IsTradingDay(day); i++)
        {
            day = day.AddDays(-1);
        }
        return day;
    }

    public async Task<MarketHistory> CurrentAsync(CancellationToken cancellationToken)
    {
        var session = Session();
        var current = _current;
        if (current is not null && current.Session == session && clock.GetUtcNow() - _loadedAt < MaxAge)
        {
            return current;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            current = _current;
            if (current is not null && current.Session == session && clock.GetUtcNow() - _loadedAt < MaxAge)
            {
                return current;
            }
            var loaded = await LoadAsync(session, current, cancellationToken);
            _current = loaded;
            _loadedAt = clock.GetUtcNow();
            return loaded;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the snapshot (the next reader loads a new one): after bars were imported or rewritten.</summary>
    public void Invalidate() => _loadedAt = DateTimeOffset.MinValue;

    private async Task<MarketHistory> LoadAsync(DateOnly session, MarketHistory? previous, CancellationToken cancellationToken)
    {
        var shares = new Dictionary<int, long>();
        var rows = new List<(int Id, int Day, decimal Close)>(200_000);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await using (var command = new NpgsqlCommand(
                             "SELECT id, coalesce(shares_outstanding, estimated_shares) FROM instruments WHERE coalesce(shares_outstanding, estimated_shares) IS NOT NULL",
                             connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    shares[reader.GetInt32(0)] = reader.GetInt64(1);
                }
            }
            await using (var command = new NpgsqlCommand("SELECT instrument_id, date, close FROM daily_bars WHERE date < $1 ORDER BY date, instrument_id", connection))
            {
                command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = session });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add((reader.GetInt32(0), reader.GetFieldValue<DateOnly>(1).DayNumber, reader.GetDecimal(2)));
                }
            }
        }
        return MarketHistory.Build(session, rows, shares, previous);
    }
}
