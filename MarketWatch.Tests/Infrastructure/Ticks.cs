using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Host;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>Stores ticks the way the ingest does (normalise, set-based batch, NOTIFY), without running the feed.</summary>
public static class Ticks
{
    /// <returns>The quotes' time as stored, for waiting until a consumer (the alert engine) has handled them.</returns>
    public static Task<DateTimeOffset> WriteAsync(MarketWatchFactory app, params (string Ticker, decimal Price)[] quotes) =>
        WriteAsync(app, quotes.Select(q => (q.Ticker, q.Price, 100L)).ToArray());

    /// <summary>
    /// Ticks with the instrument's cumulative volume of the day (what the order engine's participation cap counts:
    /// a fill takes at most a share of the volume traded since the order became active).
    /// </summary>
    public static async Task<DateTimeOffset> WriteAsync(MarketWatchFactory app, params (string Ticker, decimal Price, long Volume)[] quotes)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var ingest = ActivatorUtilities.CreateInstance<IngestService>(scope.ServiceProvider);
        var state = await ingest.LoadAsync(CancellationToken.None);
        var now = Now();
        var (ticks, problems) = state.Normalizer.Normalize(quotes.Select(q => new ProviderQuote(q.Ticker, q.Price, now, Volume: q.Volume)), "Test");
        Assert.That(problems, Is.Empty);
        await scope.ServiceProvider.GetRequiredService<QuoteStore>().WriteAsync(ticks, CancellationToken.None);
        return now;
    }

    /// <summary>
    /// The same, on a database no in-process app serves (the apps run as child processes, see <see cref="AppProcess"/>):
    /// the ingest's market state is read straight from the database.
    /// </summary>
    public static Task<DateTimeOffset> WriteAsync(string database, params (string Ticker, decimal Price)[] quotes) =>
        WriteAsync(database, quotes.Select(q => (q.Ticker, q.Price, 100L)).ToArray());

    /// <summary>The same with the cumulative volume of the day per quote.</summary>
    public static async Task<DateTimeOffset> WriteAsync(string database, params (string Ticker, decimal Price, long Volume)[] quotes)
    {
        var connectionString = TestDatabase.ConnectionStringFor(database);
        // The model as the app builds it: Identity's store options (schema version 3, the passkeys table) come from the
        // application's services, which a context made here has not got.
        var identity = new ServiceCollection()
            .Configure<Microsoft.AspNetCore.Identity.IdentityOptions>(o => o.Stores.SchemaVersion = Microsoft.AspNetCore.Identity.IdentitySchemaVersions.Version3)
            .BuildServiceProvider();
        var options = new DbContextOptionsBuilder<AppDbContext>().UseNpgsql(connectionString).UseSnakeCaseNamingConvention()
            .UseApplicationServiceProvider(identity).Options;
        await using var db = new AppDbContext(options);
        var now = Now();
        var snapshot = await MarketState.LoadAsync(db, ExchangeCalendar.ExchangeDate(now), CancellationToken.None);
        var normalizer = new TickNormalizer(snapshot.Select(s => new InstrumentState(s.Instrument.Id, s.Instrument.Ticker, s.LastClose, s.LastCloseDate, s.Quote)));
        var (ticks, problems) = normalizer.Normalize(quotes.Select(q => new ProviderQuote(q.Ticker, q.Price, now, Volume: q.Volume)), "Test");
        Assert.That(problems, Is.Empty);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new QuoteStore(dataSource).WriteAsync(ticks, CancellationToken.None);
        return now;
    }

    /// <summary>PostgreSQL keeps microseconds: a time it stores unchanged is the one a consumer reads back.</summary>
    private static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.Ticks % 10));
    }
}
