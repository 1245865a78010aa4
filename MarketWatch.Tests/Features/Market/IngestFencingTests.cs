using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Providers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MarketWatch.Tests.Features.Market;

/// <summary>
/// Issue 11 item 6: the ingest checks its lease in the transaction of each write. Two ingest instances (the service
/// objects, as two app instances run them) on one database: only the holder's writes land, a holder that lost the
/// lease is refused at its next write, and a minute's volume is never counted twice.
/// </summary>
[NonParallelizable]
public sealed class IngestFencingTests : AppTest
{
    private NpgsqlDataSource DataSource => App.Services.GetRequiredService<NpgsqlDataSource>();

    private IngestService Instance() => ActivatorUtilities.CreateInstance<IngestService>(App.Services);

    private static ScriptedProvider Feed(string ticker, decimal price, DateTimeOffset time, long volume) =>
        new(new ProviderQuote(ticker, price, time, Volume: volume));

    private Task<Quote?> QuoteAsync(string ticker) => App.WithDbAsync(db =>
        db.Quotes.AsNoTracking().Where(q => db.Set<Instrument>().Any(i => i.Id == q.InstrumentId && i.Ticker == ticker)).SingleOrDefaultAsync());

    private Task<long> MinuteVolumeSinceAsync(string ticker, DateTimeOffset from) => App.WithDbAsync(db =>
        db.MinuteBars.Where(b => b.Time >= from.AddMinutes(-1) && db.Set<Instrument>().Any(i => i.Id == b.InstrumentId && i.Ticker == ticker))
            .SumAsync(b => b.Volume));

    private async Task<IngestLease> AcquireAsync()
    {
        IngestLease? lease = null;
        await Eventually.TrueAsync(async () => (lease = await IngestLease.TryAcquireAsync(DataSource, CancellationToken.None)) is not null,
            "the ingest lease to be free");
        return lease!;
    }

    [Test]
    public async Task A_holder_whose_session_was_killed_writes_nothing_and_the_minute_volume_counts_once()
    {
        var first = Instance();
        await using var a = await AcquireAsync();
        var firstState = await first.LoadAsync(CancellationToken.None);
        var t0 = ScriptedProvider.Now();
        await first.PollOnceAsync(Feed("ATW", 751m, t0, 100), firstState, a, CancellationToken.None);
        Assert.That((await QuoteAsync("ATW"))!.Last, Is.EqualTo(751m), "the holder's write lands");

        // While it holds the lease, another instance is refused the lease, and a writer without the lease is refused too.
        Assert.That(await IngestLease.TryAcquireAsync(DataSource, CancellationToken.None), Is.Null);
        Assert.ThrowsAsync<IngestLeaseLostException>(() => Ticks.WriteAsync(App, ("ATW", 999m)));
        Assert.That((await QuoteAsync("ATW"))!.Last, Is.EqualTo(751m));

        // The holder's session dies, as in a PostgreSQL restart or a cut connection; the other instance takes over.
        await using (var admin = await DataSource.OpenConnectionAsync())
        await using (var kill = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", admin))
        {
            kill.Parameters.AddWithValue("pid", a.ProcessId);
            Assert.That(await kill.ExecuteScalarAsync(), Is.True);
        }
        var second = Instance();
        await using var b = await AcquireAsync();
        var secondState = await second.LoadAsync(CancellationToken.None);

        // The old holder has not noticed (its 5-second check has not run): its next poll is refused by the write itself.
        var t1 = t0.AddMilliseconds(500);
        Assert.ThrowsAsync<IngestLeaseLostException>(() => first.PollOnceAsync(Feed("ATW", 752m, t1, 150), firstState, a, CancellationToken.None));
        Assert.That(await a.IsHeldAsync(CancellationToken.None), Is.False);
        var quote = await QuoteAsync("ATW");
        Assert.That((quote!.Last, quote.Volume), Is.EqualTo((751m, 100L)), "nothing of the refused poll was stored");

        // The new holder stores the same tick: the 50 shares traded since count once in the minute bars.
        await second.PollOnceAsync(Feed("ATW", 752m, t1, 150), secondState, b, CancellationToken.None);
        quote = await QuoteAsync("ATW");
        Assert.That((quote!.Last, quote.Volume), Is.EqualTo((752m, 150L)));
        Assert.That(await MinuteVolumeSinceAsync("ATW", t0), Is.EqualTo(150), "the session's 150 shares, not 200");
    }

    [Test]
    public async Task The_fence_refuses_a_live_session_that_no_longer_holds_the_lock_and_the_whole_poll_is_rolled_back()
    {
        var first = Instance();
        var a = await AcquireAsync();
        try
        {
            var state = await first.LoadAsync(CancellationToken.None);
            var levelsBefore = await App.WithDbAsync(db => db.IndexLevels.AsNoTracking().Select(l => l.Time).ToListAsync());

            // The session stays up but lets go of the lock (as if an operator released it), and another instance takes it.
            await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", a.Connection))
            {
                await release.ExecuteNonQueryAsync();
            }
            await using var other = await AcquireAsync();
            Assert.That(await a.IsHeldAsync(CancellationToken.None), Is.False);

            var ex = Assert.ThrowsAsync<IngestLeaseLostException>(() =>
                first.PollOnceAsync(Feed("IAM", 121m, ScriptedProvider.Now(), 10), state, a, CancellationToken.None));
            Assert.That(ex!.InnerException, Is.InstanceOf<PostgresException>().With.Property(nameof(PostgresException.SqlState)).EqualTo(IngestLease.LostSqlState));
            Assert.That(await QuoteAsync("IAM"), Is.Null.Or.Property(nameof(Quote.Last)).Not.EqualTo(121m), "no quote");
            Assert.That(await App.WithDbAsync(db => db.IndexLevels.AsNoTracking().Select(l => l.Time).ToListAsync()), Is.EqualTo(levelsBefore),
                "no index level either: the computed MASI is written in the same refused transaction");
        }
        finally
        {
            await a.DisposeAsync();
        }
    }
}
