using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Trading;
using MarketWatch.Web.Host;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using NotificationChannel = MarketWatch.Web.Features.Notifications.Channel;

namespace MarketWatch.Bench;

/// <summary>
/// Paper trading at scale: N open orders over the catalogue (1,000 accounts of 100 million MAD). (1) The engine in memory
/// (<see cref="OrderBook.Reached"/> + <see cref="FillPlanner.Plan"/>, one thread) replays a random walk of ticks: time per
/// tick. (2) The sweep's SQL (<see cref="TradeSweep.Evaluate"/>) on the same orders and the latest quotes, against the
/// engine on the same whole-market jump (one tick per instrument). (3) Tick → fills committed in the real app (a child
/// process whose engine LISTENs to the ingest): K buy limits on one instrument crossed by one tick. (4) Order entry
/// throughput, in process (<see cref="OrderEntry.PlaceAsync"/>) and (5) through the API of the real app.
/// </summary>
public static class PaperBenchmark
{
    private const int Accounts = 1_000;
    private const string Password = "Bench-2026-Load";

    private sealed record Instrument(int Id, string Ticker, decimal Price);

    public static async Task RunAsync(BenchEnvironment bench, int orders, int ticks, int crossing, int repetitions, int entries)
    {
        var services = bench.App.Services;
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        var rng = new Random(20261202);
        var now = DateTimeOffset.UtcNow;
        var today = ExchangeCalendar.ExchangeDate(now);

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var store = scope.ServiceProvider.GetRequiredService<QuoteStore>();
        var snapshot = await MarketState.LoadAsync(db, today, CancellationToken.None);
        var normalizer = new TickNormalizer(snapshot.Select(s => new InstrumentState(s.Instrument.Id, s.Instrument.Ticker, s.LastClose, s.LastCloseDate, s.Quote)));
        var (initialTicks, _) = normalizer.Normalize(snapshot.Select(s =>
            new ProviderQuote(s.Instrument.Ticker, s.LastClose ?? s.Instrument.ReferencePrice, now.AddMinutes(-5), Volume: 1_000_000)), "Bench");
        await store.WriteAsync(initialTicks, CancellationToken.None);
        var instruments = initialTicks.Select(t => new Instrument(t.Quote.InstrumentId, t.Ticker, t.Quote.Last)).OrderBy(i => i.Id).ToArray();

        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = "bench-paper@example.com", Email = "bench-paper@example.com", EmailConfirmed = true, DisplayName = "Bench", CreatedAt = now };
        if (!(await users.CreateAsync(user, Password)).Succeeded)
        {
            throw new InvalidOperationException("Could not create the bench user.");
        }
        var load = Stopwatch.StartNew();
        var accountIds = await SeedAsync(dataSource, user.Id, instruments, orders, now.AddMinutes(-10), rng);
        load.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{orders:N0} open orders (70% buy limits 0.5–9% below the price, 20% sell limits 0.5–9% above, 10% stops 1–9% away) over {instruments.Length} instruments and {Accounts:N0} accounts, loaded in {load.Elapsed.TotalSeconds:0.0} s"));

        // 1. The engine in memory: the book of every live order, then a random walk of ticks.
        var live = await LiveOrdersAsync(dataSource);
        var schedule = await scope.ServiceProvider.GetRequiredService<FeeSchedules>().GetAsync(CancellationToken.None);
        var engine = Replay(live, instruments, ticks, rng, schedule);

        // 2. The sweep's SQL on the same orders after a jump: every instrument moves ±3%, one quote each.
        var jumpTime = DateTimeOffset.UtcNow;
        var jumped = instruments.Select(i => i with { Price = Math.Round(i.Price * (decimal)(1 + (rng.NextDouble() - 0.5) * 0.06), 2) }).ToArray();
        var (jumpTicks, _) = normalizer.Normalize(jumped.Select(i => new ProviderQuote(i.Ticker, i.Price, jumpTime, Volume: 2_000_000)), "Bench");
        await store.WriteAsync(jumpTicks, CancellationToken.None);
        var demo = new MarketStatusService(services.GetRequiredService<CalendarCache>(),
            Options.Create(new MarketDataOptions { Simulated = { DemoMode = true } }), TimeProvider.System);
        var sweep = ActivatorUtilities.CreateInstance<TradeSweep>(scope.ServiceProvider, demo);
        var sweepTimes = new List<double>();
        List<FillRequest> sqlRequests = [];
        for (var run = 0; run < 6; run++)
        {
            var started = Stopwatch.GetTimestamp();
            sqlRequests = await sweep.EvaluateAsync(DateTimeOffset.UtcNow, CancellationToken.None);
            sweepTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        var jump = Jump(live, jumpTicks.Select(t => (t.Ticker, t.Quote.Last, t.Quote.Time, t.Quote.Volume)).ToList(), schedule);
        var sweepP50 = Percentile(sweepTimes.Skip(1).Order().ToList(), 0.5);

        Console.WriteLine();
        Console.WriteLine("| engine (OrderBook + FillPlanner in memory, one thread) | value |");
        Console.WriteLine("| --- | ---: |");
        Row("live orders in the book", $"{live.Count:N0}");
        Row("book build", $"{engine.BuildMilliseconds:0} ms");
        Row("ticks replayed (random walk, ±0.2% a tick)", $"{ticks:N0}");
        Row("time per tick p50 / p99 / p99.9 / max", $"{engine.P50:0.0} / {engine.P99:0.0} / {engine.P999:0.0} / {engine.Max:0} µs");
        Row("time per tick mean", $"{engine.Mean:0.0} µs ({1_000_000 / engine.Mean:N0} ticks/s on one core)");
        Row("fill requests planned (total)", $"{engine.Requests:N0}");
        Console.WriteLine();
        Console.WriteLine("| SQL scan (TradeSweep.Evaluate, PostgreSQL) | value |");
        Console.WriteLine("| --- | ---: |");
        Row("evaluation times (ms, first is cold)", string.Join(", ", sweepTimes.Select(t => t.ToString("0", CultureInfo.InvariantCulture))));
        Row("evaluation p50 (warm runs)", $"{sweepP50:0} ms");
        Row("requests returned / engine's on the same jump", $"{sqlRequests.Count:N0} / {jump.Requests.Count:N0}");
        Row("engine, same jump: one tick per instrument", $"{jump.Milliseconds:0.00} ms for {jumpTicks.Count} ticks");
        var sqlSet = sqlRequests.Select(r => (r.OrderId, r.Quantity)).ToHashSet();
        var engineSet = jump.Requests.Select(r => (r.OrderId, r.Quantity)).ToHashSet();
        Row("requests only the engine / only the SQL asks", $"{engineSet.Except(sqlSet).Count():N0} / {sqlSet.Except(engineSet).Count():N0}");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Whole-market jump: SQL scan {sweepP50:0} ms vs engine {jump.Milliseconds:0.00} ms = {sweepP50 / jump.Milliseconds:N0}x; " +
            $"one SQL scan = {sweepP50 * 1000 / engine.Mean:N0} engine ticks at the mean."));

        // 4. Order entry (before the app process starts: its engine would load these too).
        await EntryAsync(services, user.Id, accountIds, instruments, entries);

        // 3. Tick → fills committed in the real app.
        await LatencyAsync(bench, dataSource, store, normalizer, user.Id, accountIds, instruments, crossing, repetitions);

        // 5. Order entry through the API of the same app.
        await HttpEntryAsync(bench, user.Email!, accountIds, instruments, entries);
    }

    /// <summary>The same limit buys through <c>POST /api/paper/accounts/{id}/orders</c> (bearer token), 8 at a time on distinct accounts.</summary>
    private static async Task HttpEntryAsync(BenchEnvironment bench, string email, int[] accountIds, Instrument[] instruments, int entries)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 }) { BaseAddress = bench.ServerUrl };
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var login = await (await http.PostAsJsonAsync("/api/auth/login", new { email, password = Password })).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        var created = 0;
        var other = new Dictionary<int, int>();
        var latencies = new List<double>();
        var gate = new object();
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, entries, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
        {
            var instrument = instruments[i % instruments.Length];
            // Other accounts than the in-process run's first ones, so that no account nears its open-order cap.
            var account = accountIds[(i + accountIds.Length / 2) % accountIds.Length];
            var started = Stopwatch.GetTimestamp();
            using var response = await http.PostAsJsonAsync($"/api/paper/accounts/{account}/orders", new
            {
                ticker = instrument.Ticker, side = "Buy", type = "Limit", quantity = 10, limitPrice = OnGrid(instrument.Price * 0.95m), validity = "Day",
            }, token);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var body = (int)response.StatusCode == 201 ? null : await response.Content.ReadAsStringAsync(token);
            lock (gate)
            {
                latencies.Add(ms);
                if ((int)response.StatusCode == 201)
                {
                    created++;
                }
                else
                {
                    other[(int)response.StatusCode] = other.GetValueOrDefault((int)response.StatusCode) + 1;
                    if (other.Values.Sum() == 1)
                    {
                        Console.Error.WriteLine($"API entry answered {(int)response.StatusCode}: {body}");
                    }
                }
            }
        });
        clock.Stop();
        var sorted = latencies.Order().ToList();
        Console.WriteLine();
        Console.WriteLine("| order entry through the API (POST /api/paper/accounts/{id}/orders, real app, 8 concurrent, distinct accounts) | value |");
        Console.WriteLine("| --- | ---: |");
        Row("orders created (201) / other answers", $"{created:N0} / {(other.Count == 0 ? "0" : string.Join(", ", other.Select(o => $"{o.Value} × {o.Key}")))}");
        Row("throughput", $"{entries / clock.Elapsed.TotalSeconds:N0} orders/s");
        Row("latency p50 / p99", $"{Percentile(sorted, 0.5):0.0} / {Percentile(sorted, 0.99):0.0} ms");
    }

    private static void Row(string name, string value) => Console.WriteLine($"| {name} | {value} |");

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];

    private static decimal OnGrid(decimal price) => price switch
    {
        < 100m => Math.Round(price, 2),
        < 1000m => Math.Round(price, 1),
        _ => Math.Round(price, 0),
    };

    /// <summary>The accounts (portfolio + paper account, 10 million MAD each), the orders, what they reserve, the shares the sells hold.</summary>
    private static async Task<int[]> SeedAsync(NpgsqlDataSource dataSource, string userId, Instrument[] instruments, int orders, DateTimeOffset since, Random rng)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var accountIds = new List<int>();
        await using (var command = new NpgsqlCommand($"""
            WITH p AS (
                INSERT INTO portfolios (user_id, name, currency, kind, account_at_bank, share_shows_amounts, created_at, version)
                SELECT @user, 'Bench ' || g, 'MAD', {(int)PortfolioKind.Paper}, false, false, now(), 0 FROM generate_series(1, {Accounts}) g
                RETURNING id
            ), a AS (
                INSERT INTO paper_accounts (id, user_id, starting_cash, cash, reserved_cash, run, run_started_at, on_leaderboard, channels, created_at)
                SELECT id, @user, 100000000, 100000000, 0, 1, now(), false, ARRAY[{(int)NotificationChannel.InApp}], now() FROM p
                RETURNING id
            )
            SELECT id FROM a ORDER BY id
            """, connection))
        {
            command.Parameters.AddWithValue("user", userId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                accountIds.Add(reader.GetInt32(0));
            }
        }
        var rows = Enumerable.Range(0, orders).Select(_ =>
        {
            var instrument = instruments[rng.Next(instruments.Length)];
            var away = (decimal)(0.005 + rng.NextDouble() * 0.085);
            var kind = rng.Next(10);
            var side = kind < 7 ? OrderSide.Buy : kind < 9 ? OrderSide.Sell : (rng.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell);
            var type = kind < 9 ? OrderType.Limit : OrderType.Stop;
            // Limits on the far side of the price (a buy below), stops beyond it (a buy stop above).
            var below = (side == OrderSide.Buy) == (type == OrderType.Limit);
            var level = OnGrid(instrument.Price * (below ? 1 - away : 1 + away));
            var quantity = (long)rng.Next(1, 200);
            var reservation = side == OrderSide.Buy ? Math.Round(quantity * level * 1.01m, 4) : 0m;
            return (Account: accountIds[rng.Next(accountIds.Count)], instrument.Id, Side: side, Type: type, Quantity: quantity,
                Limit: type == OrderType.Limit ? level : (decimal?)null, Stop: type == OrderType.Stop ? level : (decimal?)null, Reservation: reservation);
        }).ToList();
        await using (var command = new NpgsqlCommand($"""
            INSERT INTO paper_orders (account_id, user_id, run, instrument_id, side, type, quantity, filled_quantity, limit_price, stop_price, validity,
                expires_at, state, reserved_cash, reservation_price, active_since, volume_base, filled_at_base, filled_amount, fees_paid, created_at, updated_at)
            SELECT r.account, @user, 1, r.instrument, r.side, r.type, r.quantity, 0, r.limit_price, r.stop_price, {(int)OrderValidity.GoodTillCancelled},
                   @since + interval '90 days', {(int)OrderState.Open}, r.reserved, CASE WHEN r.side = {(int)OrderSide.Buy} THEN COALESCE(r.limit_price, r.stop_price * 1.1) END,
                   @since, 0, 0, 0, 0, @since, @since
            FROM unnest(@account, @instrument, @side, @type, @quantity, @limit, @stop, @reserved)
                AS r(account, instrument, side, type, quantity, limit_price, stop_price, reserved);
            UPDATE paper_accounts a SET reserved_cash = s.reserved, cash = a.cash - s.reserved
            FROM (SELECT account_id, sum(reserved_cash) AS reserved FROM paper_orders GROUP BY account_id) s WHERE a.id = s.account_id;
            INSERT INTO paper_positions (account_id, instrument_id, quantity, reserved)
            SELECT account_id, instrument_id, sum(quantity), sum(quantity) FROM paper_orders WHERE side = {(int)OrderSide.Sell} GROUP BY account_id, instrument_id;
            ANALYZE paper_orders; ANALYZE paper_accounts; ANALYZE quotes;
            """, connection))
        {
            command.Parameters.AddWithValue("user", userId);
            command.Parameters.AddWithValue("since", since);
            command.Parameters.AddArray("account", rows, r => r.Account, NpgsqlDbType.Integer);
            command.Parameters.AddArray("instrument", rows, r => r.Id, NpgsqlDbType.Integer);
            command.Parameters.AddArray("side", rows, r => (int)r.Side, NpgsqlDbType.Integer);
            command.Parameters.AddArray("type", rows, r => (int)r.Type, NpgsqlDbType.Integer);
            command.Parameters.AddArray("quantity", rows, r => r.Quantity, NpgsqlDbType.Bigint);
            command.Parameters.AddArray("limit", rows, r => r.Limit, NpgsqlDbType.Numeric);
            command.Parameters.AddArray("stop", rows, r => r.Stop, NpgsqlDbType.Numeric);
            command.Parameters.AddArray("reserved", rows, r => r.Reservation, NpgsqlDbType.Numeric);
            await command.ExecuteNonQueryAsync();
        }
        return [.. accountIds];
    }

    private static async Task<List<LiveOrder>> LiveOrdersAsync(NpgsqlDataSource dataSource)
    {
        var orders = new List<LiveOrder>();
        await using var command = dataSource.CreateCommand($"""
            SELECT o.id, o.account_id, i.ticker, o.side, o.type, o.quantity, o.filled_quantity, o.limit_price, o.stop_price, o.state,
                   o.triggered_at IS NOT NULL, o.active_since, o.volume_date, o.volume_base, o.filled_at_base, o.expires_at
            FROM paper_orders o JOIN instruments i ON i.id = o.instrument_id
            WHERE o.state IN ({(int)OrderState.Pending}, {(int)OrderState.Open}, {(int)OrderState.PartiallyFilled})
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            orders.Add(new LiveOrder
            {
                Id = reader.GetInt64(0), AccountId = reader.GetInt32(1), Ticker = reader.GetString(2), Side = (OrderSide)reader.GetInt32(3),
                Type = (OrderType)reader.GetInt32(4), Quantity = reader.GetInt64(5), Filled = reader.GetInt64(6),
                Limit = reader.IsDBNull(7) ? null : reader.GetDecimal(7), Stop = reader.IsDBNull(8) ? null : reader.GetDecimal(8),
                State = (OrderState)reader.GetInt32(9), Triggered = reader.GetBoolean(10),
                ActiveSince = reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11),
                VolumeDate = reader.IsDBNull(12) ? null : reader.GetFieldValue<DateOnly>(12), VolumeBase = reader.GetInt64(13),
                FilledAtBase = reader.GetInt64(14), ExpiresAt = reader.GetFieldValue<DateTimeOffset>(15),
            });
        }
        return orders;
    }

    private sealed record EngineResult(double BuildMilliseconds, double P50, double P99, double P999, double Max, double Mean, long Requests);

    /// <summary>
    /// The engine's work per tick: the orders the trade reaches, a plan for each; a planned fill is applied to the book as
    /// the engine's reload after the claim would (filled orders leave it, partial fills stay with their new quantity).
    /// </summary>
    private static EngineResult Replay(List<LiveOrder> orders, Instrument[] instruments, int ticks, Random rng, FeeSchedule schedule)
    {
        var build = Stopwatch.StartNew();
        var book = new OrderBook();
        foreach (var order in orders)
        {
            book.Add(order);
        }
        build.Stop();
        var prices = instruments.ToDictionary(i => i.Ticker, i => i.Price);
        var volumes = instruments.ToDictionary(i => i.Ticker, _ => 1_000_000L);
        var tickers = instruments.Select(i => i.Ticker).ToArray();
        var matches = new List<Match>();
        var times = new List<double>(ticks);
        long requests = 0;
        var time = DateTimeOffset.UtcNow;
        for (var t = 0; t < ticks + 2_000; t++)
        {
            var ticker = tickers[rng.Next(tickers.Length)];
            var price = OnGrid(prices[ticker] * (decimal)(1 + (rng.NextDouble() - 0.5) * 0.004));
            prices[ticker] = price;
            volumes[ticker] += rng.Next(100, 5_000);
            time = time.AddMilliseconds(5);
            var started = Stopwatch.GetTimestamp();
            matches.Clear();
            book.Reached(ticker, price, matches);
            foreach (var match in matches)
            {
                if (FillPlanner.Plan(match, price, time, volumes[ticker], 0.10m, time, amount => schedule.TradeFees(amount, false)) is { } request)
                {
                    requests++;
                    var o = match.Order;
                    book.Add(new LiveOrder
                    {
                        Id = o.Id, AccountId = o.AccountId, Ticker = o.Ticker, Side = o.Side, Type = o.Type, Quantity = o.Quantity,
                        Filled = o.Filled + request.Quantity, Limit = o.Limit, Stop = o.Stop,
                        State = o.Filled + request.Quantity == o.Quantity ? OrderState.Filled : request.Quantity > 0 ? OrderState.PartiallyFilled : OrderState.Open,
                        Triggered = o.Triggered || request.Triggers, ActiveSince = o.ActiveSince, VolumeDate = request.Session,
                        VolumeBase = o.VolumeDate == request.Session ? o.VolumeBase : 0, FilledAtBase = o.VolumeDate == request.Session ? o.FilledAtBase : o.Filled,
                        ExpiresAt = o.ExpiresAt,
                    });
                }
            }
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            if (t >= 2_000)
            {
                times.Add(elapsed);
            }
        }
        var sorted = times.Order().ToList();
        return new EngineResult(build.Elapsed.TotalMilliseconds, Percentile(sorted, 0.5), Percentile(sorted, 0.99), Percentile(sorted, 0.999), sorted[^1],
            times.Average(), requests);
    }

    /// <summary>The engine on the sweep's jump: a fresh book of the same orders, one tick per instrument.</summary>
    private static (double Milliseconds, List<FillRequest> Requests) Jump(List<LiveOrder> orders, List<(string Ticker, decimal Last, DateTimeOffset Time, long Volume)> quotes,
        FeeSchedule schedule)
    {
        var book = new OrderBook();
        foreach (var order in orders)
        {
            book.Add(order);
        }
        var requests = new List<FillRequest>();
        var matches = new List<Match>();
        var now = DateTimeOffset.UtcNow;
        var started = Stopwatch.GetTimestamp();
        foreach (var (ticker, last, time, volume) in quotes)
        {
            matches.Clear();
            book.Reached(ticker, last, matches);
            foreach (var match in matches)
            {
                if (FillPlanner.Plan(match, last, time, volume, 0.10m, now, amount => schedule.TradeFees(amount, false)) is { } request)
                {
                    requests.Add(request);
                }
            }
        }
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, requests);
    }

    /// <summary>Limit buys far below the price through <see cref="OrderEntry.PlaceAsync"/>, 8 at a time on distinct accounts.</summary>
    private static async Task EntryAsync(IServiceProvider services, string userId, int[] accountIds, Instrument[] instruments, int entries)
    {
        var placed = 0;
        var refused = 0;
        var latencies = new List<double>();
        var gate = new object();
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, entries, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
        {
            await using var scope = services.CreateAsyncScope();
            var entry = scope.ServiceProvider.GetRequiredService<OrderEntry>();
            var instrument = instruments[i % instruments.Length];
            var input = new OrderInput(instrument.Ticker, OrderSide.Buy, OrderType.Limit, 10, OnGrid(instrument.Price * 0.95m), null, OrderValidity.Day, null);
            var started = Stopwatch.GetTimestamp();
            var outcome = await entry.PlaceAsync(userId, accountIds[i % accountIds.Length], input, token);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            lock (gate)
            {
                latencies.Add(ms);
                if (outcome.Value is not null)
                {
                    placed++;
                }
                else
                {
                    refused++;
                    if (refused == 1)
                    {
                        Console.Error.WriteLine($"entry refused: {outcome.Error?.Field} {outcome.Error?.Message.Key}");
                    }
                }
            }
        });
        clock.Stop();
        var sorted = latencies.Order().ToList();
        Console.WriteLine();
        Console.WriteLine("| order entry (OrderEntry.PlaceAsync in process, 8 concurrent, distinct accounts) | value |");
        Console.WriteLine("| --- | ---: |");
        Row("orders placed / refused", $"{placed:N0} / {refused:N0}");
        Row("throughput", $"{entries / clock.Elapsed.TotalSeconds:N0} orders/s");
        Row("latency p50 / p99", $"{Percentile(sorted, 0.5):0.0} / {Percentile(sorted, 0.99):0.0} ms");
    }

    /// <summary>
    /// K buy limits on one instrument, spread over the accounts, one tick crosses them all: from the ingest's write to the
    /// claim's commit that completes the K fills (its NOTIFY on paper_accounts_changed, then the fills counted).
    /// </summary>
    private static async Task LatencyAsync(BenchEnvironment bench, NpgsqlDataSource dataSource, QuoteStore store, TickNormalizer normalizer, string userId,
        int[] accountIds, Instrument[] instruments, int crossing, int repetitions)
    {
        var startup = Stopwatch.StartNew();
        await bench.StartServerAsync(new Dictionary<string, string>
        {
            ["MarketData__Simulated__DemoMode"] = "true",
            ["MarketData__Simulated__DemoInProduction"] = "true",
            ["Trading__ParticipationRate"] = "0.10",
        });
        startup.Stop();
        var instrument = instruments.OrderBy(i => i.Ticker, StringComparer.Ordinal).FirstOrDefault(i => i.Price is > 20m and < 100m) ?? instruments[0];
        var level = Math.Round(instrument.Price, 2);
        var above = level + 0.05m;
        var below = level - 0.05m;
        long volume = 10_000_000;

        await using var listener = await dataSource.OpenConnectionAsync();
        var commits = Channel.CreateUnbounded<long>();
        listener.Notification += (_, e) =>
        {
            if (e.Channel == TradingChannels.AccountsChanged)
            {
                commits.Writer.TryWrite(Stopwatch.GetTimestamp());
            }
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {TradingChannels.AccountsChanged}", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }
        using var stop = new CancellationTokenSource();
        var pump = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await listener.WaitAsync(stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        async Task WriteAsync(decimal price)
        {
            volume += 1_000_000;
            var (ticks, _) = normalizer.Normalize([new ProviderQuote(instrument.Ticker, price, DateTimeOffset.UtcNow, Volume: volume)], "Bench");
            await store.WriteAsync(ticks, CancellationToken.None);
        }

        var claimed = new List<double>();
        var write = new List<double>();
        try
        {
            // One more round than counted: the first also waits for the app's engine to finish loading every live order.
            for (var rep = -1; rep < repetitions; rep++)
            {
                await WriteAsync(above);
                long[] ids;
                await using (var connection = await dataSource.OpenConnectionAsync())
                {
                    await using (var insert = new NpgsqlCommand($"""
                        WITH o AS (
                            INSERT INTO paper_orders (account_id, user_id, run, instrument_id, side, type, quantity, filled_quantity, limit_price, validity,
                                expires_at, state, reserved_cash, reservation_price, active_since, volume_base, filled_at_base, filled_amount, fees_paid, created_at, updated_at)
                            SELECT (@accounts)[1 + g % cardinality(@accounts)], @user, 1, @instrument, {(int)OrderSide.Buy}, {(int)OrderType.Limit}, 10, 0, @level,
                                   {(int)OrderValidity.GoodTillCancelled}, now() + interval '90 days', {(int)OrderState.Open}, 10 * @level * 1.01, @level,
                                   now(), 0, 0, 0, 0, now(), now()
                            FROM generate_series(1, @n) g
                            RETURNING id, account_id, reserved_cash
                        ), a AS (
                            UPDATE paper_accounts a SET cash = a.cash - s.r, reserved_cash = a.reserved_cash + s.r
                            FROM (SELECT account_id, sum(reserved_cash) AS r FROM o GROUP BY account_id) s WHERE a.id = s.account_id
                        )
                        SELECT id FROM o
                        """, connection))
                    {
                        insert.Parameters.AddWithValue("accounts", accountIds);
                        insert.Parameters.AddWithValue("user", userId);
                        insert.Parameters.AddWithValue("instrument", instrument.Id);
                        insert.Parameters.AddWithValue("level", level);
                        insert.Parameters.AddWithValue("n", crossing);
                        var list = new List<long>();
                        await using var reader = await insert.ExecuteReaderAsync();
                        while (await reader.ReadAsync())
                        {
                            list.Add(reader.GetInt64(0));
                        }
                        ids = [.. list];
                    }
                    await TradingChannels.OrdersChangedAsync(connection, ids, CancellationToken.None);
                }
                // The engine reloads the orders it was told of; then the market comes down through their limit.
                await Task.Delay(1500);
                while (commits.Reader.TryRead(out _))
                {
                }
                var started = Stopwatch.GetTimestamp();
                await WriteAsync(below);
                if (rep >= 0)
                {
                    write.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var filled = 0L;
                while (filled < crossing)
                {
                    var at = await commits.Reader.ReadAsync(timeout.Token);
                    await using var count = dataSource.CreateCommand("SELECT count(*) FROM paper_orders WHERE id = ANY(@ids) AND filled_quantity = quantity");
                    count.Parameters.AddWithValue("ids", ids);
                    filled = (long)(await count.ExecuteScalarAsync())!;
                    if (filled >= crossing && rep >= 0)
                    {
                        claimed.Add(Stopwatch.GetElapsedTime(started, at).TotalMilliseconds);
                    }
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await pump;
        }
        var sorted = claimed.Order().ToList();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| tick → fills committed (real app in a child process, {crossing:N0} buy limits on {instrument.Ticker} crossed by one tick, ×{repetitions} after one warm-up round) | value |"));
        Console.WriteLine("| --- | ---: |");
        Row("app start (engine loads every live order)", $"{startup.Elapsed.TotalSeconds:0.0} s");
        Row("ingest write (normalise, store, NOTIFY)", $"p50 {Percentile(write.Order().ToList(), 0.5):0.0} ms");
        Row("tick → last of the fills committed p50 / p99 / max", $"{Percentile(sorted, 0.5):0} / {Percentile(sorted, 0.99):0} / {sorted[^1]:0} ms");
        Row("samples (ms)", string.Join(", ", claimed.Select(c => c.ToString("0", CultureInfo.InvariantCulture))));
    }
}
