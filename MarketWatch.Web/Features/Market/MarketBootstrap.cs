using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Features.Market.Providers.Simulated;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace MarketWatch.Web.Features.Market;

/// <summary>
/// First start of a database: the catalogue, the index names, the movable holidays and Ramadan hours, and, for the
/// simulated feed, years of daily history. Each part only when its table is empty, so admin edits are never
/// overwritten; under an advisory lock, so two instances starting together do it once.
/// </summary>
public sealed class MarketBootstrap(
    IServiceScopeFactory scopes,
    NpgsqlDataSource dataSource,
    IOptions<MarketDataOptions> options,
    CalendarCache calendar,
    TimeProvider clock,
    ILogger<MarketBootstrap> logger) : IHostedService
{
    private const long LockKey = 0x4D57_5345_4544; // "MWSEED"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
        {
            logger.LogWarning("The database has pending migrations: run `dotnet MarketWatch.Web.dll migrate`. Market data is not seeded.");
            return;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            lockCommand.Parameters.AddWithValue("key", LockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            await SeedAsync(db, connection, cancellationToken);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", LockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
        await calendar.RefreshAsync(cancellationToken);
    }

    private async Task SeedAsync(DbContext db, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (!await db.Instruments.AnyAsync(cancellationToken))
        {
            db.Instruments.AddRange(Catalogue.Equities());
            logger.LogInformation("Seeding the instrument catalogue");
        }
        if (!await db.MarketIndices.AnyAsync(cancellationToken))
        {
            db.MarketIndices.AddRange(Catalogue.IndexNames().Select((name, i) => new MarketIndex { Name = name, SortOrder = i }));
        }
        if (!await db.Holidays.AnyAsync(cancellationToken))
        {
            db.Holidays.AddRange(CalendarSeed.IslamicHolidays.Select(h => new Holiday { Date = h.Date, Name = h.Name, IsIslamic = true }));
        }
        if (!await db.SpecialSessions.AnyAsync(cancellationToken))
        {
            db.SpecialSessions.AddRange(CalendarSeed.Ramadan.Select(s => new SpecialSession
            {
                Name = s.Name, From = s.From, To = s.To, ContinuousStart = s.ContinuousStart, ContinuousEnd = s.ContinuousEnd,
            }));
        }
        await db.SaveChangesAsync(cancellationToken);

        if (options.Value.Provider.Equals("Simulated", StringComparison.OrdinalIgnoreCase) && !await db.DailyBars.AnyAsync(cancellationToken))
        {
            await GenerateHistoryAsync(db, connection, cancellationToken);
        }
    }

    /// <summary>Binary COPY: a few hundred thousand bars in about a second.</summary>
    private async Task GenerateHistoryAsync(DbContext db, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var holidays = await db.Holidays.AsNoTracking().ToListAsync(cancellationToken);
        var sessions = await db.SpecialSessions.AsNoTracking().ToListAsync(cancellationToken);
        var days = SimulatedHistory.Days(new ExchangeCalendar(holidays, sessions), ExchangeCalendar.ExchangeDate(clock.GetUtcNow()), options.Value.Simulated.HistoryYears);
        var instruments = await db.Instruments.AsNoTracking().ToListAsync(cancellationToken);
        var rows = 0;
        await using (var writer = await connection.BeginBinaryImportAsync(
                         "COPY daily_bars (instrument_id, date, open, high, low, close, adjusted_close, volume, source) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var instrument in instruments)
            {
                foreach (var bar in SimulatedHistory.Generate(options.Value.Simulated.Seed, instrument, days))
                {
                    await writer.StartRowAsync(cancellationToken);
                    await writer.WriteAsync(bar.InstrumentId, NpgsqlDbType.Integer, cancellationToken);
                    await writer.WriteAsync(bar.Date, NpgsqlDbType.Date, cancellationToken);
                    await writer.WriteAsync(bar.Open, NpgsqlDbType.Numeric, cancellationToken);
                    await writer.WriteAsync(bar.High, NpgsqlDbType.Numeric, cancellationToken);
                    await writer.WriteAsync(bar.Low, NpgsqlDbType.Numeric, cancellationToken);
                    await writer.WriteAsync(bar.Close, NpgsqlDbType.Numeric, cancellationToken);
                    await writer.WriteAsync(bar.AdjustedClose, NpgsqlDbType.Numeric, cancellationToken);
                    await writer.WriteAsync(bar.Volume, NpgsqlDbType.Bigint, cancellationToken);
                    await writer.WriteAsync(bar.Source, NpgsqlDbType.Text, cancellationToken);
                    rows++;
                }
            }
            await writer.CompleteAsync(cancellationToken);
        }
        logger.LogInformation("Generated {Rows} simulated daily bars ({Years} years)", rows, options.Value.Simulated.HistoryYears);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
