using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Live;
using MarketWatch.Web.Features.Portfolios;
using Npgsql;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>The periods performance is measured over (screener columns, dashboard buttons). Stored in URLs by name.</summary>
public enum Period { D1, W1, M1, M3, YTD, Y1, Y3 }

/// <summary>One instrument's closed sessions (dates before the current session), oldest first; prices adjusted for corporate actions.</summary>
public sealed record InstrumentBars(int InstrumentId, DateOnly[] Dates, double[] Opens, double[] Highs, double[] Lows, double[] Closes, double[] Volumes);

/// <summary>An instrument as the catalogue describes it (what metrics need beside prices).</summary>
public sealed record InstrumentInfo(int Id, string Ticker, string Name, string Sector, long? Shares);

/// <summary>
/// What the closed sessions say of one instrument, computed once per session (or when bars change): the bases of each
/// period's performance, the indicator states the live price is applied to, and the figures that need no live price.
/// </summary>
public sealed class HistoryFigures
{
    public required InstrumentInfo Instrument { get; init; }
    /// <summary>The last closed session's date and close (null without bars).</summary>
    public DateOnly? LastDate { get; init; }
    public double? LastClose { get; init; }
    /// <summary>The close each period's performance is measured from (index: <see cref="Period"/>); D1 is the last close.</summary>
    public required double?[] Bases { get; init; }
    public required Sma Sma50 { get; init; }
    public required Sma Sma200 { get; init; }
    public required Rsi Rsi14 { get; init; }
    /// <summary>The highest high and lowest low of the closed sessions of the last 52 weeks.</summary>
    public double? High52 { get; init; }
    public double? Low52 { get; init; }
    /// <summary>The last 20 closed sessions' volumes (relative volume's baseline).</summary>
    public required double[] Volumes20 { get; init; }
    public double? Volatility1Y { get; init; }
    public double? Beta1Y { get; init; }
    public double? Correlation1Y { get; init; }
    public double? MaxDrawdown1Y { get; init; }
    public double? Atr14 { get; init; }
}

/// <summary>
/// Every figure the screener filters and sorts on and the dashboard aggregates, for one instrument at its live price.
/// Returns are fractions (0.05 = +5%); <see cref="Position52"/> is 0 at the 52-week low and 1 at the high.
/// </summary>
public sealed record InstrumentMetrics(
    int InstrumentId, string Ticker, string Name, string Sector,
    decimal? Last, decimal? ChangePercent, long Volume, decimal ValueTraded, decimal? MarketCap, DateTimeOffset? Time,
    double?[] Performance, double? Rsi14, double? Sma50, double? Sma200, double? Volatility1Y, double? Beta1Y, double? Correlation1Y,
    double? High52, double? Low52, double? Position52, double? RelativeVolume, double? MaxDrawdown1Y, double? Atr14)
{
    public double? Return(Period period) => Performance[(int)period];
    /// <summary>Price against its 50/200-session average (0.02 = 2% above); null without enough history.</summary>
    public double? VsSma50 => Last is { } l && Sma50 is > 0 ? (double)l / Sma50.Value - 1 : null;
    public double? VsSma200 => Last is { } l && Sma200 is > 0 ? (double)l / Sma200.Value - 1 : null;
}

/// <summary>The pure computation of <see cref="HistoryFigures"/> and <see cref="InstrumentMetrics"/> (no I/O): the service and the benchmark share it.</summary>
public static class MetricsCalculator
{
    public static readonly Period[] Periods = Enum.GetValues<Period>();

    /// <summary>The date each period starts from, for a session on <paramref name="session"/> (YTD: the last day of the year before).</summary>
    public static DateOnly Start(Period period, DateOnly session) => period switch
    {
        Period.D1 => session.AddDays(-1),
        Period.W1 => session.AddDays(-7),
        Period.M1 => session.AddMonths(-1),
        Period.M3 => session.AddMonths(-3),
        Period.YTD => new DateOnly(session.Year - 1, 12, 31),
        Period.Y1 => session.AddYears(-1),
        _ => session.AddYears(-3),
    };

    /// <param name="market">The market index's level by date (the computed MASI), for beta and correlation; null: none.</param>
    public static HistoryFigures History(InstrumentInfo instrument, InstrumentBars bars, DateOnly session, Func<DateOnly, double?>? market)
    {
        var n = bars.Dates.Length;
        var bases = new double?[Periods.Length];
        foreach (var period in Periods)
        {
            var i = OnOrBefore(bars.Dates, Start(period, session));
            bases[(int)period] = period == Period.D1 ? (n > 0 ? bars.Closes[^1] : null) : i >= 0 ? bars.Closes[i] : null;
        }
        var sma50 = new Sma(50);
        var sma200 = new Sma(200);
        var rsi = new Rsi(14);
        var atr = new Atr(14);
        for (var i = Math.Max(0, n - 400); i < n; i++)
        {
            sma50.Next(bars.Closes[i]);
            sma200.Next(bars.Closes[i]);
            rsi.Next(bars.Closes[i]);
            atr.Next(bars.Highs[i], bars.Lows[i], bars.Closes[i]);
        }
        var yearStart = OnOrBefore(bars.Dates, session.AddYears(-1)) + 1;
        double? high = null, low = null;
        for (var i = Math.Max(yearStart, 0); i < n; i++)
        {
            high = Math.Max(high ?? double.MinValue, bars.Highs[i]);
            low = Math.Min(low ?? double.MaxValue, bars.Lows[i]);
        }
        var from = Math.Max(0, n - (Indicators.SessionsPerYear + 1));
        var year = bars.Closes.AsSpan(from);
        double? beta = null, correlation = null;
        if (market is not null && year.Length >= 3)
        {
            var levels = new double[year.Length];
            var complete = true;
            for (var i = 0; i < levels.Length && complete; i++)
            {
                complete = market(bars.Dates[from + i]) is { } level && (levels[i] = level) > 0;
            }
            if (complete && Indicators.Beta(year, levels) is { } b)
            {
                (beta, correlation) = (b.Beta, b.Correlation);
            }
        }
        return new HistoryFigures
        {
            Instrument = instrument,
            LastDate = n > 0 ? bars.Dates[^1] : null,
            LastClose = n > 0 ? bars.Closes[^1] : null,
            Bases = bases,
            Sma50 = sma50,
            Sma200 = sma200,
            Rsi14 = rsi,
            High52 = high,
            Low52 = low,
            Volumes20 = bars.Volumes[Math.Max(0, n - 20)..],
            Volatility1Y = Indicators.Volatility(year),
            Beta1Y = beta,
            Correlation1Y = correlation,
            MaxDrawdown1Y = year.Length > 0 ? Indicators.MaxDrawdown(year) : null,
            Atr14 = atr.Value,
        };
    }

    /// <summary>
    /// The figures at the live quote. A quote of a session after the last closed one is today's point (the indicators
    /// take its price as today's close); a quote of a session already closed adds nothing to the history.
    /// </summary>
    public static InstrumentMetrics Live(HistoryFigures history, QuoteRow? quote)
    {
        var info = history.Instrument;
        var today = quote?.Time is { } time && quote.Last is not null && (history.LastDate is not { } lastDate || ExchangeCalendar.ExchangeDate(time) > lastDate);
        var last = today ? (double)quote!.Last!.Value : history.LastClose;
        var performance = new double?[Periods.Length];
        if (last is { } price)
        {
            foreach (var period in Periods)
            {
                performance[(int)period] = period == Period.D1 && !today ? null : Indicators.Return(history.Bases[(int)period], price);
            }
            if (today && quote!.ChangePercent is { } change)
            {
                performance[(int)Period.D1] = (double)change / 100; // the provider's own change (its reference may differ from our last bar)
            }
        }
        var volume = today ? quote!.Volume ?? 0 : 0;
        var high = history.High52;
        var low = history.Low52;
        if (today && last is { } live)
        {
            high = Math.Max(high ?? live, Math.Max(live, (double?)quote!.High ?? live));
            low = Math.Min(low ?? live, Math.Min(live, (double?)quote!.Low ?? live));
        }
        var lastDecimal = today ? quote!.Last : (decimal?)history.LastClose;
        return new InstrumentMetrics(
            info.Id, info.Ticker, info.Name, info.Sector,
            lastDecimal, today ? quote!.ChangePercent : null, volume, today ? quote!.ValueTraded ?? 0 : 0,
            lastDecimal is { } l && info.Shares is { } shares ? l * shares : null,
            quote?.Time,
            performance,
            today ? history.Rsi14.At(last!.Value) : history.Rsi14.Value,
            today ? history.Sma50.At(last!.Value) : history.Sma50.Current,
            today ? history.Sma200.At(last!.Value) : history.Sma200.Current,
            history.Volatility1Y, history.Beta1Y, history.Correlation1Y,
            high, low, last is { } p && high is { } h && low is { } lo ? Indicators.RangePosition(p, lo, h) : null,
            today ? Indicators.RelativeVolume(volume, history.Volumes20) : null,
            history.MaxDrawdown1Y, history.Atr14);
    }

    /// <summary>The index of the last date on or before <paramref name="date"/>; −1 when none.</summary>
    public static int OnOrBefore(DateOnly[] dates, DateOnly date)
    {
        var i = Array.BinarySearch(dates, date);
        return i >= 0 ? i : ~i - 1;
    }
}

/// <summary>Every instrument's metrics at one moment; immutable (a new snapshot replaces it on every quote batch).</summary>
public sealed class MetricsSnapshot(IReadOnlyList<InstrumentMetrics> all, DateOnly session, long version)
{
    private readonly Dictionary<string, InstrumentMetrics> _byTicker = all.ToDictionary(m => m.Ticker, StringComparer.OrdinalIgnoreCase);

    public static readonly MetricsSnapshot Empty = new([], DateOnly.MinValue, 0);

    /// <summary>Active instruments, ordered by ticker.</summary>
    public IReadOnlyList<InstrumentMetrics> All { get; } = all;
    public DateOnly Session { get; } = session;
    /// <summary>Bumped on every change (live rows and caches compare it).</summary>
    public long Version { get; } = version;

    public InstrumentMetrics? Find(string ticker) => _byTicker.GetValueOrDefault(ticker);
}

/// <summary>
/// The metrics of every active instrument, in memory, one snapshot per instance: the history part is computed from
/// daily bars once per session (and re-read every <see cref="PerformanceMarket.MaxAge"/> so imported bars show), the
/// live part is updated from every quote batch of the one <c>market_quotes</c> listener. The screener and the
/// dashboard read <see cref="CurrentAsync"/>: no query per request.
/// </summary>
public sealed class MarketMetrics(NpgsqlDataSource dataSource, PerformanceMarket market, IServiceScopeFactory scopes, TimeProvider clock,
    ILogger<MarketMetrics> logger) : IQuoteBatchConsumer
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _live = new();
    private Dictionary<string, HistoryFigures> _history = new(StringComparer.OrdinalIgnoreCase);
    private Dictionary<string, QuoteRow> _quotes = new(StringComparer.OrdinalIgnoreCase);
    private MetricsSnapshot _current = MetricsSnapshot.Empty;
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;
    private long _version;

    /// <summary>Raised (on the listener's loop) after a quote batch changed the snapshot; live pages redraw from it.</summary>
    public event Action<MetricsSnapshot, IReadOnlyCollection<string>>? Changed;

    public async Task<MetricsSnapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        var session = market.Session();
        if (_current.Session == session && clock.GetUtcNow() - _loadedAt < PerformanceMarket.MaxAge)
        {
            return _current;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current.Session != session || clock.GetUtcNow() - _loadedAt >= PerformanceMarket.MaxAge)
            {
                await LoadAsync(session, cancellationToken);
            }
            return _current;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the history part (after bars were imported): the next reader recomputes it.</summary>
    public void Invalidate() => _loadedAt = DateTimeOffset.MinValue;

    public Task OnQuotesAsync(QuoteBatch batch, CancellationToken cancellationToken)
    {
        if (_current.Version == 0)
        {
            return Task.CompletedTask; // nobody asked yet: the first reader loads everything
        }
        MetricsSnapshot snapshot;
        var changed = new List<string>(batch.Quotes.Count);
        lock (_live)
        {
            var quotes = new Dictionary<string, QuoteRow>(_quotes, StringComparer.OrdinalIgnoreCase);
            foreach (var quote in batch.Quotes)
            {
                quotes[quote.Ticker] = quote;
                changed.Add(quote.Ticker);
            }
            _quotes = quotes;
            snapshot = Build(_current.Session, _history, quotes);
            _current = snapshot;
        }
        try
        {
            Changed?.Invoke(snapshot, changed);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "A metrics listener failed");
        }
        return Task.CompletedTask;
    }

    private MetricsSnapshot Build(DateOnly session, Dictionary<string, HistoryFigures> history, Dictionary<string, QuoteRow> quotes)
    {
        var all = new InstrumentMetrics[history.Count];
        var i = 0;
        foreach (var figures in history.Values)
        {
            all[i++] = MetricsCalculator.Live(figures, quotes.GetValueOrDefault(figures.Instrument.Ticker));
        }
        Array.Sort(all, (a, b) => string.CompareOrdinal(a.Ticker, b.Ticker));
        return new MetricsSnapshot(all, session, Interlocked.Increment(ref _version));
    }

    private async Task LoadAsync(DateOnly session, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var history = await market.CurrentAsync(cancellationToken);
        var masi = history.Dates.Length > 0 ? history : null;
        double? Masi(DateOnly date)
        {
            if (masi is null)
            {
                return null;
            }
            var i = masi.IndexOnOrBefore(date);
            return i >= 0 && masi.Dates[i] == date ? masi.Masi[i] : null;
        }
        var instruments = new List<InstrumentInfo>();
        var bars = new Dictionary<int, InstrumentBars>();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await using (var command = new NpgsqlCommand(
                             "SELECT id, ticker, name, sector, coalesce(shares_outstanding, estimated_shares) FROM instruments WHERE is_active ORDER BY ticker", connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    instruments.Add(new InstrumentInfo(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                        reader.IsDBNull(4) ? null : reader.GetInt64(4)));
                }
            }
            bars = await ReadBarsAsync(connection, session.AddYears(-3).AddDays(-10), session, cancellationToken);
        }
        var figures = new Dictionary<string, HistoryFigures>(StringComparer.OrdinalIgnoreCase);
        foreach (var instrument in instruments)
        {
            var series = bars.GetValueOrDefault(instrument.Id) ?? new InstrumentBars(instrument.Id, [], [], [], [], [], []);
            figures[instrument.Ticker] = MetricsCalculator.History(instrument, series, session, masi is null ? null : Masi);
        }
        await using var scope = scopes.CreateAsyncScope();
        var quotes = (await scope.ServiceProvider.GetRequiredService<MarketQueries>().AllAsync(cancellationToken))
            .ToDictionary(q => q.Ticker, StringComparer.OrdinalIgnoreCase);
        lock (_live)
        {
            _history = figures;
            _quotes = quotes;
            _current = Build(session, figures, quotes);
        }
        _loadedAt = clock.GetUtcNow();
        logger.LogInformation("Market metrics computed for {Count} instruments in {Elapsed} ms", figures.Count,
            (int)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// Daily bars of closed sessions in [from, session), per instrument, prices scaled by the adjusted close's factor;
    /// every instrument's, or only those of <paramref name="instruments"/> (a chart, a watchlist, the alert engine's indicator states).
    /// </summary>
    internal static async Task<Dictionary<int, InstrumentBars>> ReadBarsAsync(NpgsqlConnection connection, DateOnly from, DateOnly session,
        CancellationToken cancellationToken, IReadOnlyCollection<int>? instruments = null)
    {
        var rows = new Dictionary<int, List<(DateOnly Date, double O, double H, double L, double C, double V)>>();
        await using var command = new NpgsqlCommand(
            $"""
            SELECT instrument_id, date, open, high, low, close, adjusted_close, volume FROM daily_bars
            WHERE date >= $1 AND date < $2{(instruments is null ? "" : " AND instrument_id = ANY($3)")} ORDER BY instrument_id, date
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = from });
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = session });
        if (instruments is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. instruments] });
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt32(0);
            if (!rows.TryGetValue(id, out var list))
            {
                rows[id] = list = new List<(DateOnly, double, double, double, double, double)>(800);
            }
            var close = (double)reader.GetDecimal(5);
            var adjusted = (double)reader.GetDecimal(6);
            var factor = close > 0 && adjusted > 0 ? adjusted / close : 1;
            list.Add((reader.GetFieldValue<DateOnly>(1), (double)reader.GetDecimal(2) * factor, (double)reader.GetDecimal(3) * factor,
                (double)reader.GetDecimal(4) * factor, adjusted > 0 ? adjusted : close, reader.GetInt64(7)));
        }
        return rows.ToDictionary(r => r.Key, r => new InstrumentBars(r.Key,
            [.. r.Value.Select(b => b.Date)], [.. r.Value.Select(b => b.O)], [.. r.Value.Select(b => b.H)], [.. r.Value.Select(b => b.L)],
            [.. r.Value.Select(b => b.C)], [.. r.Value.Select(b => b.V)]));
    }
}
