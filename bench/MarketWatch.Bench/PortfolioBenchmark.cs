using System.Diagnostics;
using System.Globalization;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Host;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Bench;

/// <summary>
/// Portfolio performance on a synthetic portfolio (10,000 transactions over 60 instruments, 5 years of the simulated
/// market's daily bars): (a) every range's figures and the chart series from a cold portfolio cache, against a naive
/// baseline that replays every transaction up to each session; (b) a tick's revaluation at 100 and at 10,000
/// transactions with the same 60 holdings; (c) a back-dated transaction recomputed from its date against a full
/// recomputation.
/// </summary>
public static class PortfolioBenchmark
{
    public static async Task RunAsync(BenchEnvironment bench, int transactionCount, int instrumentCount, int runs)
    {
        var services = bench.App.Services;
        var markets = services.GetRequiredService<PerformanceMarket>();
        var cache = services.GetRequiredService<PerformanceCache>();
        var marketLoad = Stopwatch.StartNew();
        var market = await markets.CurrentAsync(CancellationToken.None);
        marketLoad.Stop();

        string userId;
        int big, small;
        await using (var scope = services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = new ApplicationUser { UserName = "bench-portfolio@example.com", Email = "bench-portfolio@example.com", EmailConfirmed = true, DisplayName = "Bench", CreatedAt = DateTimeOffset.UtcNow };
            if (!(await users.CreateAsync(user, "Casablanca-2026")).Succeeded)
            {
                throw new InvalidOperationException("could not create the benchmark user");
            }
            userId = user.Id;
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var instruments = await db.Instruments.AsNoTracking().Where(i => i.IsActive).OrderBy(i => i.Id).Select(i => i.Id).Take(instrumentCount).ToListAsync();
            big = await CreateAsync(db, userId, "10,000 transactions", Generate(market, instruments, transactionCount, seed: 13));
            small = await CreateAsync(db, userId, "100 transactions", Generate(market, instruments, 100, seed: 31));
        }
        var bigCount = await CountAsync(services, big);
        Console.WriteLine($"Load average while it ran: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Portfolio: {bigCount:N0} transactions over {instrumentCount} instruments, {market.Dates.Length:N0} sessions of daily bars ({market.Dates[0]:yyyy-MM-dd} to {market.Dates[^1]:yyyy-MM-dd}).\n"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Market history snapshot (every instrument's closes + the computed MASI, shared by all portfolios, read once per session or 10 min): {marketLoad.Elapsed.TotalMilliseconds:0} ms on first use.\n"));

        var memory = services.GetRequiredService<Microsoft.Extensions.Caching.Memory.IMemoryCache>();
        async Task<long> VersionAsync(int id)
        {
            await using var scope = services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Portfolios.Where(p => p.Id == id).Select(p => p.Version).SingleAsync();
        }
        async Task<PortfolioSnapshot> HoldingsAsync(int id)
        {
            await using var scope = services.CreateAsyncScope();
            return (await scope.ServiceProvider.GetRequiredService<PortfolioHoldings>().GetAsync(userId, id, CancellationToken.None))!;
        }
        // Both caches a cold page starts without: the holdings' replay (core, per id and Version) and the performance series.
        async Task ForgetAsync(int id)
        {
            memory.Remove(("portfolio-replayed", id, await VersionAsync(id)));
            cache.Forget(id);
        }

        async Task<PerformanceReport> ReportAsync(int id, PerformanceRange range)
        {
            await using var scope = services.CreateAsyncScope();
            return (await scope.ServiceProvider.GetRequiredService<PortfolioPerformance>().GetAsync(userId, id, range, CancellationToken.None))!;
        }

        // Warm-up: JIT, connection pool.
        for (var i = 0; i < 3; i++)
        {
            cache.Forget(big);
            await ReportAsync(big, PerformanceRange.All);
        }

        // (a) Cold: the portfolio's caches emptied before each run.
        var page = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            await ForgetAsync(big);
            var watch = Stopwatch.StartNew();
            await HoldingsAsync(big);
            await ReportAsync(big, PerformanceRange.All);
            page.Add(watch.Elapsed.TotalMilliseconds);
        }
        var cold = new List<double>();
        var everyRange = new List<double>();
        PerformanceReport? report = null;
        for (var i = 0; i < runs; i++)
        {
            cache.Forget(big);
            var watch = Stopwatch.StartNew();
            report = await ReportAsync(big, PerformanceRange.All);
            cold.Add(watch.Elapsed.TotalMilliseconds);
            foreach (var range in PerformanceRanges.All.Where(r => r != PerformanceRange.All))
            {
                await ReportAsync(big, range);
            }
            everyRange.Add(watch.Elapsed.TotalMilliseconds);
        }
        var fullyCold = new List<double>();
        for (var i = 0; i < Math.Min(runs, 5); i++)
        {
            cache.Forget(big);
            markets.Invalidate();
            var watch = Stopwatch.StartNew();
            await ReportAsync(big, PerformanceRange.All);
            fullyCold.Add(watch.Elapsed.TotalMilliseconds);
        }
        var baseline = new List<double>();
        decimal[]? naiveValues = null;
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            naiveValues = await NaiveAsync(services, big, market);
            baseline.Add(watch.Elapsed.TotalMilliseconds);
        }
        var series = cache.Find(big)!.Series!;
        // Where a cold report's time goes besides its two round trips (the portfolio; its transactions and the session's prices):
        // the series (replay + valuation), the figures.
        var compute = new List<double>();
        var figures = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            var computed = PerformanceSeries.Compute(series.Version, series.Transactions, market);
            compute.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            PerformanceReports.Build(computed, market, new LivePoint(market.Session, computed.Value[^1], 0, 1), PerformanceRange.All, market.Session);
            figures.Add(watch.Elapsed.TotalMilliseconds);
        }
        var same = naiveValues!.SequenceEqual(series.Value);

        Console.WriteLine("(a) Every range's TWR, XIRR, MASI TWR, drawdown and volatility plus the chart series, portfolio cache cold:\n");
        Console.WriteLine("| workload | runs | p50 ms | p95 ms |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        Row("holdings (core) + report ALL (all 8 ranges' figures + ALL series), both cold", page);
        Row("report ALL (all 8 ranges' figures + ALL series), cold", cold);
        Row("the 8 reports (first cold, 7 from the cache)", everyRange);
        Row("report ALL, portfolio cache and market snapshot both cold", fullyCold);
        Row("naive baseline: replay every transaction up to each session", baseline);
        Row("  of a cold report: the series (replay, valuation, checkpoints)", compute);
        Row("  of a cold report: every range's figures and the series", figures);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"\nBaseline / cold report (p50): {Percentile(baseline, 0.5) / Percentile(cold, 0.5):0}x; the naive daily values equal the series': {same}. " +
            $"ALL: TWR {report!.Figures.Twr:P2}, XIRR {report.Figures.Xirr:P2}, MASI {report.Figures.MasiTwr:P2}, {report.Series.Count} points.\n"));

        // (b) A tick: the live value at new prices (O(holdings)), and a whole warm report (with its two queries).
        var smallSeries = (await Task.Run(async () => { await ReportAsync(small, PerformanceRange.D1); return cache.Find(small)!.Series!; }));
        Console.WriteLine("(b) A tick's revaluation, same 60 holdings:\n");
        Console.WriteLine("| portfolio | holdings | holdings Revalue (core) per tick, ns | performance live value per tick, ns | warm report 1D p50 ms | warm report 1D p95 ms |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, id, s) in new[] { ("100 transactions", small, smallSeries), ($"{bigCount:N0} transactions", big, series) })
        {
            var prices = s.Final.Positions.Values.Where(p => p.Quantity != 0).ToDictionary(p => p.InstrumentId, p => market.LastClose(p.InstrumentId) * 1.01m);
            const int ticks = 200_000;
            var sink = 0m;
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < ticks; i++)
            {
                sink += s.LiveValue(prices, market);
            }
            var perTick = watch.Elapsed.TotalNanoseconds / ticks;
            var snapshot = await HoldingsAsync(id);
            var quotes = prices.ToDictionary(kv => kv.Key, kv => new Quote
            {
                InstrumentId = kv.Key, Last = kv.Value, PreviousClose = market.LastClose(kv.Key), Time = DateTimeOffset.UtcNow,
            });
            var values = 0m;
            watch.Restart();
            for (var i = 0; i < ticks / 10; i++)
            {
                values += PortfolioHoldings.Revalue(snapshot, quotes).Value;
            }
            var revalue = watch.Elapsed.TotalNanoseconds / (ticks / 10);
            GC.KeepAlive(values);
            var warm = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                var w = Stopwatch.StartNew();
                await ReportAsync(id, PerformanceRange.D1);
                warm.Add(w.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {prices.Count} | {revalue:0} | {perTick:0} | {Percentile(warm, 0.5):0.0} | {Percentile(warm, 0.95):0.0} |"));
            GC.KeepAlive(sink);
        }

        // (c) One back-dated transaction: recomputed from its date (the change handler's mark) against from scratch.
        Console.WriteLine("\n(c) One back-dated deposit, then the ALL report:\n");
        Console.WriteLine("| dated | sessions recomputed / all | from its date, ms | full recompute, ms |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        foreach (var back in new[] { 21, 252, 630, 1200 })
        {
            var date = market.Dates[^back];
            var incremental = new List<double>();
            var full = new List<double>();
            var days = 0;
            for (var i = 0; i < 5; i++)
            {
                await InsertAsync(services, big, date);
                await using (var scope = services.CreateAsyncScope())
                {
                    await scope.ServiceProvider.GetRequiredService<PortfolioPerformance>().OnChangedAsync(big, date, CancellationToken.None);
                }
                var watch = Stopwatch.StartNew();
                await ReportAsync(big, PerformanceRange.All);
                incremental.Add(watch.Elapsed.TotalMilliseconds);
                days = cache.Find(big)!.Series!.RecomputedDays;
                cache.Forget(big);
                watch.Restart();
                await ReportAsync(big, PerformanceRange.All);
                full.Add(watch.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {back} sessions ago ({date:yyyy-MM-dd}) | {days} / {series.Days.Length} | {Percentile(incremental, 0.5):0.0} | {Percentile(full, 0.5):0.0} |"));
        }
        Console.WriteLine($"\nLoad average at the end: {LoadAverage()}");
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();

    private static void Row(string name, List<double> samples) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {samples.Count} | {Percentile(samples, 0.5):0.0} | {Percentile(samples, 0.95):0.0} |"));

    private static double Percentile(List<double> samples, double p)
    {
        var sorted = samples.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(sorted.Count * p) - 1, 0, sorted.Count - 1)];
    }

    private static async Task<int> CountAsync(IServiceProvider services, int id)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().PortfolioTransactions.CountAsync(t => t.PortfolioId == id);
    }

    private static async Task<int> CreateAsync(AppDbContext db, string userId, string name, List<PortfolioTransaction> transactions)
    {
        var portfolio = new Portfolio { UserId = userId, Name = name, CreatedAt = DateTimeOffset.UtcNow, Version = 1 };
        db.Portfolios.Add(portfolio);
        await db.SaveChangesAsync();
        foreach (var t in transactions)
        {
            t.PortfolioId = portfolio.Id;
        }
        db.PortfolioTransactions.AddRange(transactions);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        return portfolio.Id;
    }

    private static async Task InsertAsync(IServiceProvider services, int id, DateOnly date)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        db.PortfolioTransactions.Add(new PortfolioTransaction
        {
            PortfolioId = id, Type = TransactionType.Deposit, Date = date, Amount = 1_000, CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
        await db.Portfolios.Where(p => p.Id == id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Version, p => p.Version + 1));
    }

    /// <summary>
    /// Deposits, buys and sells at the day's close (fees 0.44 %), dividends; every instrument bought first and never
    /// sold out, so the holdings are the same 60 at any size. Valid: no sell exceeds what is held, cash never negative.
    /// </summary>
    private static List<PortfolioTransaction> Generate(MarketHistory market, IReadOnlyList<int> instruments, int count, int seed)
    {
        var rng = new Random(seed);
        var first = market.Dates.Length - 1 - 5 * 250;
        var days = Enumerable.Range(0, count).Select(_ => rng.Next(first + 1, market.Dates.Length)).Order().ToList();
        var held = instruments.ToDictionary(i => i, _ => 0m);
        var cash = 0m;
        var list = new List<PortfolioTransaction>(count);
        void Add(TransactionType type, int day, int? instrument, decimal quantity, decimal price, decimal amount)
        {
            var fees = type is TransactionType.Buy or TransactionType.Sell ? Math.Round(amount * 0.0044m, 2) : 0m;
            list.Add(new PortfolioTransaction
            {
                Type = type, Date = market.Dates[day], InstrumentId = instrument, Quantity = quantity, Price = price, Amount = amount, Fees = fees,
                CreatedAt = DateTimeOffset.UtcNow,
            });
            cash += type switch
            {
                TransactionType.Deposit or TransactionType.Dividend => amount,
                TransactionType.Sell => amount - fees,
                TransactionType.Buy => -amount - fees,
                _ => -amount,
            };
        }
        void Buy(int day, int instrument, decimal quantity)
        {
            var price = market.Close(instrument, day);
            var amount = quantity * price;
            if (cash < amount * 1.01m)
            {
                Add(TransactionType.Deposit, day, null, 0, 0, Math.Round(amount * 1.01m - cash + 50_000, 0));
            }
            Add(TransactionType.Buy, day, instrument, quantity, price, amount);
            held[instrument] += quantity;
        }
        var start = days[0];
        foreach (var instrument in instruments)
        {
            Buy(start, instrument, 100);
        }
        foreach (var day in days.Skip(instruments.Count))
        {
            var instrument = instruments[rng.Next(instruments.Count)];
            var roll = rng.NextDouble();
            if (list.Count >= count)
            {
                break;
            }
            if (roll < 0.25 && held[instrument] >= 2)
            {
                var quantity = Math.Floor(held[instrument] / 2);
                var price = market.Close(instrument, day);
                Add(TransactionType.Sell, day, instrument, quantity, price, quantity * price);
                held[instrument] -= quantity;
            }
            else if (roll < 0.30)
            {
                Add(TransactionType.Dividend, day, instrument, held[instrument], 2, held[instrument] * 2);
            }
            else if (roll < 0.33 && cash > 20_000)
            {
                Add(TransactionType.Withdrawal, day, null, 0, 0, 10_000);
            }
            else
            {
                Buy(day, instrument, rng.Next(1, 50));
            }
        }
        return list;
    }

    /// <summary>The baseline: for every session, a new ledger replays every transaction up to it, then values it at the day's closes.</summary>
    private static async Task<decimal[]> NaiveAsync(IServiceProvider services, int id, MarketHistory market)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var transactions = await db.PortfolioTransactions.AsNoTracking().Where(t => t.PortfolioId == id).ToListAsync();
        var ordered = Ledger.Order(transactions).ToList();
        var tracksCash = Ledger.TracksCashOf(ordered);
        var baseIndex = market.IndexOnOrBefore(ordered[0].Date.AddDays(-1));
        var values = new decimal[market.Dates.Length - baseIndex];
        var growth = 1.0;
        for (var d = baseIndex; d < market.Dates.Length; d++)
        {
            var ledger = new Ledger(tracksCash);
            decimal flow = 0m, inflow = 0m;
            foreach (var t in ordered)
            {
                if (t.Date > market.Dates[d])
                {
                    break;
                }
                ledger.Apply(t);
                if (d > baseIndex && t.Date > market.Dates[d - 1])
                {
                    var f = Ledger.ExternalFlow(t, tracksCash);
                    flow += f;
                    inflow += Math.Max(f, 0);
                }
            }
            var value = tracksCash ? ledger.Cash : 0m;
            foreach (var p in ledger.Positions.Values)
            {
                value += p.Quantity * market.Close(p.InstrumentId, d);
            }
            var i = d - baseIndex;
            values[i] = value;
            growth *= 1 + PerformanceMath.DailyReturn(i == 0 ? 0 : values[i - 1], value, inflow, flow - inflow);
        }
        GC.KeepAlive(growth);
        return values;
    }
}
