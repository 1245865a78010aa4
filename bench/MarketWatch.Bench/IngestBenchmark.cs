using MarketWatch.Web.Host;
using System.Diagnostics;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Features.Market.Providers.Simulated;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MarketWatch.Bench;

/// <summary>
/// Ingest throughput: the same pre-generated ticks stored (and published) by the ingest's set-based batch, and by a
/// row-by-row EF Core baseline, on one fresh database, in one run, so the ratio holds on a noisy machine.
/// </summary>
public static class IngestBenchmark
{
    public sealed record Result(string Name, int Batches, int Ticks, TimeSpan Elapsed, int Notifications)
    {
        public double TicksPerSecond => Ticks / Elapsed.TotalSeconds;
        public double BatchesPerSecond => Batches / Elapsed.TotalSeconds;
    }

    public static async Task<IReadOnlyList<Result>> RunAsync(IServiceProvider services, NpgsqlDataSource dataSource, string connectionString, int batches, int baselineBatches)
    {
        var (instruments, snapshot) = await LoadAsync(services);
        var generated = Generate(instruments, batches + baselineBatches);

        var setBased = await MeasureAsync("Set-based batch (QuoteStore, one round trip per batch)", connectionString, generated.Take(batches).ToList(),
            snapshot, (ticks, _) => services.GetRequiredService<QuoteStore>().WriteAsync(ticks, CancellationToken.None));

        var baseline = await MeasureAsync("Baseline: EF Core row by row (find, update or insert, save, NOTIFY)", connectionString,
            generated.Skip(batches).Take(baselineBatches).ToList(), snapshot, async (ticks, db) => await RowByRowAsync(db, ticks));
        return [setBased, baseline];
    }

    private static async Task<(List<SimulatedInstrument>, IReadOnlyList<InstrumentState>)> LoadAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var today = ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow);
        var state = await MarketState.LoadAsync(db, today, CancellationToken.None);
        return (state.Select(s => new SimulatedInstrument(s.Instrument.Ticker, s.LastClose ?? s.Instrument.ReferencePrice, s.Instrument.SharesForCap ?? 1_000_000)).ToList(),
            state.Select(s => new InstrumentState(s.Instrument.Id, s.Instrument.Ticker, s.LastClose, s.LastCloseDate, s.Quote)).ToList());
    }

    /// <summary>Every instrument ticks in every batch (a full-market snapshot, as the exchange's dashboard gives).</summary>
    private static List<List<ProviderQuote>> Generate(List<SimulatedInstrument> instruments, int batches)
    {
        var market = new SimulatedMarket(1, ExchangeCalendar.WithoutMovableHolidays, demoMode: true, instruments);
        var start = DateTimeOffset.UtcNow;
        var result = new List<List<ProviderQuote>>(batches);
        var last = new Dictionary<string, ProviderQuote>();
        for (var i = 0; i < batches; i++)
        {
            var time = start.AddMilliseconds(i * 100);
            foreach (var quote in market.Step(time))
            {
                last[quote.Ticker] = quote;
            }
            result.Add(last.Values.Select(q => q with { Time = time }).ToList());
        }
        return result;
    }

    private static async Task<Result> MeasureAsync(string name, string connectionString, List<List<ProviderQuote>> batches,
        IReadOnlyList<InstrumentState> snapshot, Func<IReadOnlyList<Tick>, AppDbContext, Task> store)
    {
        var normalizer = new TickNormalizer(snapshot);
        await using var listener = new NpgsqlConnection(connectionString);
        await listener.OpenAsync();
        var received = 0;
        listener.Notification += (_, _) => Interlocked.Increment(ref received);
        await using (var listen = new NpgsqlCommand($"LISTEN {QuoteStore.Channel}", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }
        using var stop = new CancellationTokenSource();
        var pump = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await listener.WaitAsync(stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var options = new DbContextOptionsBuilder<AppDbContext>().UseNpgsql(connectionString).UseSnakeCaseNamingConvention().Options;
        var ticks = 0;
        var clock = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            var (normalized, _) = normalizer.Normalize(batch, "Bench");
            await using var db = new AppDbContext(options);
            await store(normalized, db);
            ticks += normalized.Count;
        }
        // Published means received by a listener: wait for the last notification.
        while (Volatile.Read(ref received) < batches.Count && clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(1);
        }
        clock.Stop();
        await stop.CancelAsync();
        await pump;
        return new Result(name, batches.Count, ticks, clock.Elapsed, received);
    }

    /// <summary>What a first version would write: the change tracker, one entity at a time.</summary>
    private static async Task RowByRowAsync(AppDbContext db, IReadOnlyList<Tick> ticks)
    {
        foreach (var tick in ticks)
        {
            var q = tick.Quote;
            var quote = await db.Quotes.FindAsync(q.InstrumentId);
            if (quote is null)
            {
                db.Quotes.Add(q);
            }
            else
            {
                db.Entry(quote).CurrentValues.SetValues(q);
            }
            var minute = new DateTimeOffset(q.Time.Year, q.Time.Month, q.Time.Day, q.Time.Hour, q.Time.Minute, 0, TimeSpan.Zero);
            var bar = await db.MinuteBars.FindAsync(q.InstrumentId, minute);
            if (bar is null)
            {
                db.MinuteBars.Add(new MinuteBar { InstrumentId = q.InstrumentId, Time = minute, Open = q.Last, High = q.Last, Low = q.Last, Close = q.Last, Volume = tick.VolumeDelta });
            }
            else
            {
                bar.High = Math.Max(bar.High, q.Last);
                bar.Low = Math.Min(bar.Low, q.Last);
                bar.Close = q.Last;
                bar.Volume += tick.VolumeDelta;
            }
            var day = await db.DailyBars.FindAsync(q.InstrumentId, tick.SessionDate);
            if (day is null)
            {
                db.DailyBars.Add(new DailyBar { InstrumentId = q.InstrumentId, Date = tick.SessionDate, Open = q.Open, High = q.High, Low = q.Low, Close = q.Last, AdjustedClose = q.Last, Volume = q.Volume, Source = q.Source });
            }
            else
            {
                (day.Open, day.High, day.Low, day.Close, day.AdjustedClose, day.Volume) = (q.Open, q.High, q.Low, q.Last, q.Last, q.Volume);
            }
            await db.SaveChangesAsync();
        }
        await db.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, {1})", QuoteStore.Channel, "bench");
    }
}
