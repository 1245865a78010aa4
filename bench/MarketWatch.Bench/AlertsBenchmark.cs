using MarketWatch.Web.Host;
using System.Diagnostics;
using System.Globalization;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using NpgsqlTypes;

namespace MarketWatch.Bench;

/// <summary>
/// The alert engine (<see cref="AlertEvaluator"/>, in memory, one tick at a time) against the SQL sweep
/// (<see cref="AlertSweep.Evaluate"/>, every armed alert against the latest quotes) on the same N alerts over the
/// real catalogue, and a check that both find the same matches for the same prices.
/// </summary>
public static class AlertsBenchmark
{
    private static readonly int[] Windows = [5, 15, 60, 240];
    private const int WarmupTicks = 2_000;
    /// <summary>A fired rule is re-armed this many ticks later (a cooldown), with a new level around the price then.</summary>
    private const int CooldownTicks = 2_000;

    private readonly record struct Spec(long AlertId, int InstrumentId, AlertCondition Condition, decimal? Level, decimal? Level2, int? Window);

    /// <summary>One instrument of the catalogue as the simulated ticks move it.</summary>
    private sealed class Walk
    {
        public required int Id { get; init; }
        public required string Ticker { get; init; }
        public decimal Price { get; set; }
        public decimal PreviousClose { get; init; }
        public decimal ChangePercent => PreviousClose == 0 ? 0 : Math.Round((Price - PreviousClose) / PreviousClose * 100, 4);
        public long Volume { get; set; }
    }

    public static async Task RunAsync(BenchEnvironment bench, int alerts, int ticks)
    {
        var services = bench.App.Services;
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        var rng = new Random(20261126);
        var start = DateTimeOffset.UtcNow;
        var armedAt = start.AddMinutes(-3);
        var expiresAt = start.AddDays(Alert.DefaultExpiryDays);
        var today = ExchangeCalendar.ExchangeDate(start);

        // The catalogue and its starting quotes, stored through the ingest's own path (normalise, set-based batch).
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var store = scope.ServiceProvider.GetRequiredService<QuoteStore>();
        var snapshot = await MarketState.LoadAsync(db, today, CancellationToken.None);
        var normalizer = new TickNormalizer(snapshot.Select(s => new InstrumentState(s.Instrument.Id, s.Instrument.Ticker, s.LastClose, s.LastCloseDate, s.Quote)));
        var (initialTicks, _) = normalizer.Normalize(snapshot.Select(s =>
            new ProviderQuote(s.Instrument.Ticker, s.LastClose ?? s.Instrument.ReferencePrice, armedAt, Volume: rng.Next(1_000, 200_000))), "Bench");
        await store.WriteAsync(initialTicks, CancellationToken.None);
        var initial = await ReadQuotesAsync(dataSource);
        var years = await ReadYearRangesAsync(dataSource, today);
        var walks = initial.Values.Select(q => new Walk { Id = q.Tick.InstrumentId, Ticker = initialTicks.First(t => t.Quote.InstrumentId == q.Tick.InstrumentId).Ticker,
            Price = q.Tick.Last, PreviousClose = q.PreviousClose, Volume = q.Tick.Volume }).OrderBy(w => w.Id).ToArray();
        var walkById = walks.ToDictionary(w => w.Id);

        var specs = new Spec[alerts];
        for (var i = 0; i < alerts; i++)
        {
            specs[i] = Make(i + 1, PickCondition(rng), walks[rng.Next(walks.Length)], rng);
        }
        var mix = string.Join(", ", specs.GroupBy(s => s.Condition).OrderBy(g => g.Key)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count() * 100.0 / alerts:0.#}%")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{alerts:N0} armed alerts over {walks.Length} instruments (levels within ±20% of each price); conditions: {mix}"));

        // 1. The engine: the index's memory and build time, then T ticks on one thread.
        var engine = Engine(specs, initial, years, walks, walkById, ticks, expiresAt, armedAt, rng);

        // 2. The sweep on the same alerts, armed at the same prices; then the walk's final prices as the latest quotes.
        var load = await LoadAlertsAsync(scope.ServiceProvider, dataSource, specs, initial, armedAt, expiresAt);
        var checkTime = DateTimeOffset.UtcNow;
        var (checkTicks, _) = normalizer.Normalize(walks.Select(w => new ProviderQuote(w.Ticker, w.Price, checkTime, Volume: w.Volume)), "Bench");
        await store.WriteAsync(checkTicks, CancellationToken.None);
        var latest = await ReadQuotesAsync(dataSource);
        checkTime = latest.Values.Max(q => q.Tick.Time);
        var (sweepTimes, sqlMatches) = await SweepAsync(dataSource, checkTime, today, runs: 6);

        // The engine on the same jump: every instrument from its armed price to its latest price, one tick each.
        var agreement = await AgreementAsync(dataSource, specs, initial, latest, years, checkTime, expiresAt);

        // Report.
        var sweepP50 = Percentile(sweepTimes.Skip(1).Order().ToList(), 0.5);
        Console.WriteLine();
        Console.WriteLine("| engine (in memory, one thread) | value |");
        Console.WriteLine("| --- | ---: |");
        Row("armed rules in the book", $"{alerts:N0}");
        Row("index build (Book.Add × N, seeds, 52-week ranges)", $"{engine.BuildSeconds:0.00} s");
        Row("managed memory of the index (GC.GetTotalMemory(true) after − before)", $"{engine.MemoryBytes / 1048576.0:N0} MB ({engine.MemoryBytes / (double)alerts:N0} bytes per rule)");
        Row($"ticks replayed (after {WarmupTicks:N0} warm-up ticks)", $"{ticks:N0}");
        Row("time per tick p50 / p99 / p99.9 / max", $"{engine.P50:0.0} / {engine.P99:0.0} / {engine.P999:0.0} / {engine.Max:0} µs");
        Row("time per tick mean", $"{engine.Mean:0.0} µs");
        Row("ticks per second on one core (1 / mean)", $"{1_000_000 / engine.Mean:N0}");
        Row("fired candidates per tick mean / max (total)", $"{engine.FiredMean:0.00} / {engine.FiredMax} ({engine.FiredTotal:N0})");
        Row("allocated per tick", $"{engine.AllocatedPerTick:N0} bytes");
        Row("book size during the replay min / max", $"{engine.BookMin:N0} / {engine.BookMax:N0}");
        Console.WriteLine();
        Console.WriteLine("| SQL sweep (AlertSweep.Evaluate, PostgreSQL) | value |");
        Console.WriteLine("| --- | ---: |");
        Row("alerts + alert_targets rows loaded (binary COPY, FK triggers off, then ANALYZE)", $"{alerts:N0} + {alerts:N0} in {load:0.0} s");
        Row($"evaluation times (ms, first is cold)", string.Join(", ", sweepTimes.Select(t => t.ToString("0", CultureInfo.InvariantCulture))));
        Row("evaluation p50 (warm runs)", $"{sweepP50:0} ms");
        Row("matches returned", $"{sqlMatches.Count:N0}");
        Row("engine, same jump: one tick per instrument", $"{agreement.EngineMilliseconds:0.00} ms for {latest.Count} ticks");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"One sweep evaluation (p50 {sweepP50:0} ms) = {sweepP50 * 1000 / engine.Mean:N0} engine ticks at the mean ({sweepP50 * 1000 / engine.P50:N0} at the p50): " +
            $"the sweep evaluates {1000 / sweepP50:0.00} times a second, the engine {1_000_000 / engine.Mean:N0} ticks a second on one core."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Whole-market jump (every instrument once): sweep {sweepP50:0} ms vs engine {agreement.EngineMilliseconds:0.00} ms = {sweepP50 / agreement.EngineMilliseconds:N0}x."));
        Console.WriteLine();
        Console.WriteLine("Agreement on the same prices (crossing reference = armed price):");
        Console.WriteLine("| condition | engine | SQL | only engine | only SQL |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        var conditionOf = specs.ToDictionary(s => s.AlertId, s => s.Condition);
        var engineSet = agreement.Matches;
        var sqlSet = sqlMatches.Select(m => (m.AlertId, m.InstrumentId)).ToHashSet();
        foreach (var condition in Enum.GetValues<AlertCondition>())
        {
            var e = engineSet.Count(m => conditionOf[m.AlertId] == condition);
            var s = sqlSet.Count(m => conditionOf[m.AlertId] == condition);
            var onlyE = engineSet.Count(m => conditionOf[m.AlertId] == condition && !sqlSet.Contains(m));
            var onlyS = sqlSet.Count(m => conditionOf[m.AlertId] == condition && !engineSet.Contains(m));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {condition} | {e:N0} | {s:N0} | {onlyE:N0} | {onlyS:N0} |"));
        }
        var mismatches = engineSet.Except(sqlSet).Select(m => ("engine only", m)).Concat(sqlSet.Except(engineSet).Select(m => ("SQL only", m))).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| total | {engineSet.Count:N0} | {sqlSet.Count:N0} | {engineSet.Except(sqlSet).Count():N0} | {sqlSet.Except(engineSet).Count():N0} |"));
        foreach (var (side, (alertId, instrumentId)) in mismatches.Take(10))
        {
            var spec = specs[alertId - 1];
            var was = initial[instrumentId].Tick;
            var now = latest[instrumentId].Tick;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {side}: alert {alertId} {spec.Condition} level {spec.Level} level2 {spec.Level2} window {spec.Window} on {instrumentId}: armed {was.Last} → {now.Last}, change {now.ChangePercent}%, volume {now.Volume}, 52w {years.GetValueOrDefault(instrumentId)}"));
        }
    }

    private static void Row(string name, string value) => Console.WriteLine($"| {name} | {value} |");

    private sealed record EngineResult(double BuildSeconds, long MemoryBytes, double P50, double P99, double P999, double Max, double Mean,
        double FiredMean, int FiredMax, long FiredTotal, double AllocatedPerTick, int BookMin, int BookMax);

    private static EngineResult Engine(Spec[] specs, Dictionary<int, (MarketTick Tick, decimal PreviousClose)> initial,
        Dictionary<int, (decimal High, decimal Low)> years, Walk[] walks, Dictionary<int, Walk> walkById, int ticks, DateTimeOffset expiresAt,
        DateTimeOffset armedAt, Random rng)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var evaluator = new AlertEvaluator();
        foreach (var (id, range) in years)
        {
            evaluator.SetYearRange(id, range.High, range.Low);
        }
        foreach (var (tick, _) in initial.Values)
        {
            evaluator.Seed(tick);
        }
        foreach (var spec in specs)
        {
            evaluator.Book.Add(Rule(spec, expiresAt));
        }
        clock.Stop();
        var after = GC.GetTotalMemory(forceFullCollection: true);

        var samples = new double[ticks];
        var firedCounts = new int[ticks];
        var fired = new List<Candidate>(4096);
        var cooling = new Queue<(int Due, ArmedRule Rule)>();
        var time = armedAt;
        var (bookMin, bookMax) = (int.MaxValue, 0);
        long allocatedBefore = 0;
        for (var i = -WarmupTicks; i < ticks; i++)
        {
            if (i == 0)
            {
                allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            }
            var walk = walks[rng.Next(walks.Length)];
            // A small move (σ 0.1%, cents), as real ticks move; about one tick in five trades at the same price.
            var step = (decimal)(Gaussian(rng) * 0.001);
            walk.Price = Math.Max(0.01m, Math.Round(walk.Price * (1 + step), 2));
            walk.Volume += rng.Next(10, 2_000);
            time = time.AddMilliseconds(50);
            var tick = new MarketTick(walk.Id, walk.Price, walk.ChangePercent, walk.Volume, time);
            fired.Clear();
            var started = Stopwatch.GetTimestamp();
            evaluator.Evaluate(tick, fired);
            // What the engine does after claiming: won or lost, the pair is no longer armed.
            foreach (var candidate in fired)
            {
                evaluator.Book.Remove(candidate.Rule);
            }
            var elapsed = Stopwatch.GetElapsedTime(started);
            foreach (var candidate in fired)
            {
                cooling.Enqueue((i + CooldownTicks, candidate.Rule));
            }
            while (cooling.Count > 0 && cooling.Peek().Due <= i)
            {
                var rule = cooling.Dequeue().Rule;
                evaluator.Book.Add(Rule(Make(rule.AlertId, rule.Condition, walkById[rule.InstrumentId], rng), expiresAt));
            }
            if (i >= 0)
            {
                samples[i] = elapsed.TotalMicroseconds;
                firedCounts[i] = fired.Count;
                bookMin = Math.Min(bookMin, evaluator.Book.Count);
                bookMax = Math.Max(bookMax, evaluator.Book.Count);
            }
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        GC.KeepAlive(evaluator);
        var sorted = samples.Order().ToList();
        return new EngineResult(clock.Elapsed.TotalSeconds, after - before, Percentile(sorted, 0.5), Percentile(sorted, 0.99), Percentile(sorted, 0.999),
            sorted[^1], samples.Average(), firedCounts.Average(), firedCounts.Max(), firedCounts.Sum(c => (long)c),
            // Includes the replay's own bookkeeping (the cooldown queue and re-armed rules), a small share.
            allocated / (double)ticks, bookMin, bookMax);
    }

    private static ArmedRule Rule(Spec spec, DateTimeOffset expiresAt) =>
        new(spec.AlertId, spec.InstrumentId, spec.Condition, spec.Level, spec.Level2, spec.Window, SessionOnly: true, ExpiresAt: expiresAt);

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Mostly price levels (above, below, crossing), some change %, volume, channel, move-within and 52-week.</summary>
    private static AlertCondition PickCondition(Random rng) => rng.Next(100) switch
    {
        < 23 => AlertCondition.PriceAbove,
        < 46 => AlertCondition.PriceBelow,
        < 58 => AlertCondition.CrossesUp,
        < 70 => AlertCondition.CrossesDown,
        < 78 => AlertCondition.CrossesEither,
        < 82 => AlertCondition.ChangeUp,
        < 86 => AlertCondition.ChangeDown,
        < 90 => AlertCondition.VolumeAbove,
        < 92 => AlertCondition.EntersChannel,
        < 94 => AlertCondition.ExitsChannel,
        < 96 => AlertCondition.MoveUpWithin,
        < 98 => AlertCondition.MoveDownWithin,
        < 99 => AlertCondition.New52WeekHigh,
        _ => AlertCondition.New52WeekLow,
    };

    /// <summary>A rule that does not hold at the current price (as an armed rule would be): levels on the far side of it.</summary>
    private static Spec Make(long id, AlertCondition condition, Walk walk, Random rng)
    {
        var price = walk.Price;
        decimal Fraction(double min, double max) => (decimal)(min + rng.NextDouble() * (max - min));
        decimal Up(double min, double max) => Math.Max(price + 0.01m, Math.Round(price * (1 + Fraction(min, max)), 2));
        decimal Down(double min, double max) => Math.Max(0.01m, Math.Min(price - 0.01m, Math.Round(price * (1 - Fraction(min, max)), 2)));
        decimal Percent(double min, double max) => Math.Round(Fraction(min, max), 2);
        Spec Level(decimal level) => new(id, walk.Id, condition, level, null, null);
        switch (condition)
        {
            case AlertCondition.PriceAbove or AlertCondition.CrossesUp:
                return Level(Up(0.002, 0.20));
            case AlertCondition.PriceBelow or AlertCondition.CrossesDown:
                return Level(Down(0.002, 0.20));
            case AlertCondition.CrossesEither:
                return Level(rng.Next(2) == 0 ? Up(0.002, 0.20) : Down(0.002, 0.20));
            case AlertCondition.ChangeUp:
                return Level(Math.Max(0.1m, Math.Round(walk.ChangePercent, 2) + Percent(0.5, 6)));
            case AlertCondition.ChangeDown:
                return Level(Math.Max(0.1m, -Math.Round(walk.ChangePercent, 2) + Percent(0.5, 6)));
            case AlertCondition.VolumeAbove:
                return Level(Math.Round(walk.Volume * Fraction(1.1, 5)) + 1_000);
            case AlertCondition.EntersChannel:
                if (rng.Next(2) == 0)
                {
                    var low = Up(0.01, 0.15);
                    return new(id, walk.Id, condition, low, Math.Round(low * (1 + Fraction(0.01, 0.05)), 2) + 0.01m, null);
                }
                var high = Down(0.01, 0.15);
                return new(id, walk.Id, condition, Math.Max(0.01m, Math.Round(high * (1 - Fraction(0.01, 0.05)), 2) - 0.01m), high, null);
            case AlertCondition.ExitsChannel:
                return new(id, walk.Id, condition, Down(0.005, 0.10), Up(0.005, 0.10), null);
            case AlertCondition.MoveUpWithin or AlertCondition.MoveDownWithin:
                return new(id, walk.Id, condition, Percent(1, 8), null, Windows[rng.Next(Windows.Length)]);
            default:
                return new(id, walk.Id, condition, null, null, null);
        }
    }

    private static async Task<Dictionary<int, (MarketTick Tick, decimal PreviousClose)>> ReadQuotesAsync(NpgsqlDataSource dataSource)
    {
        // The engine's own read (AlertEngine.ReadTicksAsync), plus the previous close the walk's change % needs.
        await using var command = dataSource.CreateCommand("SELECT instrument_id, last, change_percent, volume, time, previous_close FROM quotes");
        await using var reader = await command.ExecuteReaderAsync();
        var quotes = new Dictionary<int, (MarketTick, decimal)>();
        while (await reader.ReadAsync())
        {
            quotes[reader.GetInt32(0)] = (new MarketTick(reader.GetInt32(0), reader.GetDecimal(1), reader.GetDecimal(2), reader.GetInt64(3),
                reader.GetFieldValue<DateTimeOffset>(4)), reader.GetDecimal(5));
        }
        return quotes;
    }

    private static async Task<Dictionary<int, (decimal High, decimal Low)>> ReadYearRangesAsync(NpgsqlDataSource dataSource, DateOnly today)
    {
        // The engine's ranges (SessionFigures.PriorYearRangesAsync) and the sweep's: the year before today, today excluded.
        await using var command = dataSource.CreateCommand(
            "SELECT instrument_id, max(high), min(low) FROM daily_bars WHERE date >= @from AND date < @today GROUP BY instrument_id");
        command.Parameters.AddWithValue("from", today.AddYears(-1));
        command.Parameters.AddWithValue("today", today);
        await using var reader = await command.ExecuteReaderAsync();
        var years = new Dictionary<int, (decimal, decimal)>();
        while (await reader.ReadAsync())
        {
            years[reader.GetInt32(0)] = (reader.GetDecimal(1), reader.GetDecimal(2));
        }
        return years;
    }

    /// <summary>The same alerts as rows (one user, single-instrument, every time with a 5-minute cooldown, in-app), armed at the starting prices.</summary>
    private static async Task<double> LoadAlertsAsync(IServiceProvider services, NpgsqlDataSource dataSource, Spec[] specs,
        Dictionary<int, (MarketTick Tick, decimal PreviousClose)> initial, DateTimeOffset armedAt, DateTimeOffset expiresAt)
    {
        var users = services.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = "bench-alerts@example.com", Email = "bench-alerts@example.com", EmailConfirmed = true, DisplayName = "Bench", CreatedAt = armedAt };
        var created = await users.CreateAsync(user);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
        }
        var clock = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync();
        // Bench shortcut: no foreign-key trigger per row (the rows are consistent by construction). Indexes are kept.
        await using (var role = new NpgsqlCommand("SET session_replication_role = replica", connection))
        {
            await role.ExecuteNonQueryAsync();
        }
        int[] inApp = [(int)Channel.InApp];
        await using (var writer = await connection.BeginBinaryImportAsync(
                         "COPY alerts (id, user_id, instrument_id, condition, level, level2, window_minutes, trigger_mode, cooldown_minutes, expires_at, channels, session_only, status, created_at, updated_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var spec in specs)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(spec.AlertId, NpgsqlDbType.Bigint);
                await writer.WriteAsync(user.Id, NpgsqlDbType.Text);
                await writer.WriteAsync(spec.InstrumentId, NpgsqlDbType.Integer);
                await writer.WriteAsync((int)spec.Condition, NpgsqlDbType.Integer);
                await WriteNullableAsync(writer, spec.Level, NpgsqlDbType.Numeric);
                await WriteNullableAsync(writer, spec.Level2, NpgsqlDbType.Numeric);
                await WriteNullableAsync(writer, spec.Window, NpgsqlDbType.Integer);
                await writer.WriteAsync((int)TriggerMode.EveryTime, NpgsqlDbType.Integer);
                await writer.WriteAsync(5, NpgsqlDbType.Integer);
                await writer.WriteAsync(expiresAt, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(inApp, NpgsqlDbType.Array | NpgsqlDbType.Integer);
                await writer.WriteAsync(true, NpgsqlDbType.Boolean);
                await writer.WriteAsync((int)AlertStatus.Active, NpgsqlDbType.Integer);
                await writer.WriteAsync(armedAt, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(armedAt, NpgsqlDbType.TimestampTz);
            }
            await writer.CompleteAsync();
        }
        await using (var writer = await connection.BeginBinaryImportAsync(
                         "COPY alert_targets (alert_id, instrument_id, state, armed_price, armed_at, fired_count) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var spec in specs)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(spec.AlertId, NpgsqlDbType.Bigint);
                await writer.WriteAsync(spec.InstrumentId, NpgsqlDbType.Integer);
                await writer.WriteAsync((int)TargetState.Armed, NpgsqlDbType.Integer);
                await writer.WriteAsync(initial[spec.InstrumentId].Tick.Last, NpgsqlDbType.Numeric);
                await writer.WriteAsync(armedAt, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(0, NpgsqlDbType.Integer);
            }
            await writer.CompleteAsync();
        }
        await using (var finish = new NpgsqlCommand("""
            SET session_replication_role = origin;
            SELECT setval(pg_get_serial_sequence('alerts', 'id'), (SELECT max(id) FROM alerts));
            ANALYZE alerts; ANALYZE alert_targets;
            """, connection))
        {
            await finish.ExecuteNonQueryAsync();
        }
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type) where T : struct
    {
        if (value is { } v)
        {
            await writer.WriteAsync(v, type);
        }
        else
        {
            await writer.WriteNullAsync();
        }
    }

    /// <summary>The sweep's evaluation statement as <see cref="AlertSweep.EvaluateAsync"/> runs it, with "trading" forced on (session-only alerts count).</summary>
    private static async Task<(List<double> Milliseconds, List<ClaimRequest> Matches)> SweepAsync(NpgsqlDataSource dataSource, DateTimeOffset now, DateOnly today, int runs)
    {
        var times = new List<double>();
        var matches = new List<ClaimRequest>();
        for (var run = 0; run < runs; run++)
        {
            matches = [];
            var clock = Stopwatch.StartNew();
            await using var command = dataSource.CreateCommand(AlertSweep.Evaluate);
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("trading", true);
            command.Parameters.AddWithValue("today", today);
            command.Parameters.AddWithValue("year_from", today.AddYears(-1));
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    matches.Add(new ClaimRequest(reader.GetInt64(0), reader.GetInt32(1), reader.GetDecimal(2), reader.IsDBNull(3) ? null : reader.GetDecimal(3)));
                }
            }
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return (times, matches);
    }

    private sealed record Agreement(HashSet<(long AlertId, int InstrumentId)> Matches, double EngineMilliseconds);

    /// <summary>A fresh engine loaded as AlertEngine.LoadAllAsync does (52-week ranges, minute bars, seed ticks = armed prices), then one tick per instrument at the latest price.</summary>
    private static async Task<Agreement> AgreementAsync(NpgsqlDataSource dataSource, Spec[] specs, Dictionary<int, (MarketTick Tick, decimal PreviousClose)> initial,
        Dictionary<int, (MarketTick Tick, decimal PreviousClose)> latest, Dictionary<int, (decimal High, decimal Low)> years, DateTimeOffset now, DateTimeOffset expiresAt)
    {
        GC.Collect();
        var evaluator = new AlertEvaluator();
        foreach (var (id, range) in years)
        {
            evaluator.SetYearRange(id, range.High, range.Low);
        }
        await using (var command = dataSource.CreateCommand("SELECT instrument_id, time, low, high FROM minute_bars WHERE time >= @since ORDER BY instrument_id, time"))
        {
            command.Parameters.AddWithValue("since", now.AddMinutes(-AlertRules.MaxWindowMinutes));
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                evaluator.SeedMinute(reader.GetInt32(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetDecimal(2), reader.GetDecimal(3));
            }
        }
        foreach (var (tick, _) in initial.Values)
        {
            evaluator.Seed(tick);
        }
        foreach (var spec in specs)
        {
            evaluator.Book.Add(Rule(spec, expiresAt));
        }
        var fired = new List<Candidate>();
        var clock = Stopwatch.StartNew();
        foreach (var (tick, _) in latest.Values)
        {
            evaluator.Evaluate(tick, fired);
        }
        clock.Stop();
        return new Agreement(fired.Select(c => (c.Rule.AlertId, c.Rule.InstrumentId)).ToHashSet(), clock.Elapsed.TotalMilliseconds);
    }
}
