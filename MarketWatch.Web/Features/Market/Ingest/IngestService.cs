using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketWatch.Web.Features.Market.Ingest;

/// <summary>
/// The ingest: every instance runs it, one holds the lease and polls the configured provider; the others wait
/// and take over within seconds when the holder dies. Each poll is normalised, stored in one set-based batch and
/// published with NOTIFY.
/// </summary>
public sealed class IngestService(
    NpgsqlDataSource dataSource,
    IServiceScopeFactory scopes,
    IOptions<MarketDataOptions> options,
    QuoteStore store,
    FeedStatus status,
    TimeProvider clock,
    ILogger<IngestService> logger) : BackgroundService
{
    public static readonly TimeSpan LeaseRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LeaseCheck = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CatalogueRefresh = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Ingest)
        {
            return;
        }
        var unreachable = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            IngestLease? lease = null;
            try
            {
                lease = await IngestLease.TryAcquireAsync(dataSource, stoppingToken);
                unreachable = 0;
                if (lease is null)
                {
                    status.Refused();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                unreachable++;
                if (unreachable == 1)
                {
                    logger.LogWarning("Could not ask for the ingest lease: {Error}", ex.Message);
                }
            }
            if (lease is null)
            {
                try
                {
                    // The database unreachable: ask again as soon as it is back (like the listeners), so prices resume within
                    // seconds of a restart; held by another instance: every few seconds.
                    await Task.Delay(unreachable > 0 ? PostgresListener.RetryDelay(unreachable) : LeaseRetry, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            await using (lease)
            {
                status.Leading(true);
                try
                {
                    await LeadAsync(lease, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                }
                catch (Exception ex) when (DatabaseHealth.IsOutage(ex))
                {
                    // Asked for again at once: the lease loop above waits for the database at the listeners' pace.
                    logger.LogWarning("The ingest lost the database: {Error}", ex.Message);
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "The ingest stopped unexpectedly; it will start again");
                    await status.RecordAsync("Ingest", FeedEventKind.Error, ex.Message, CancellationToken.None);
                    // Give the lease up and wait before trying again, rather than hammering a failing provider.
                    try
                    {
                        await Task.Delay(LeaseRetry, clock, stoppingToken);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
                finally
                {
                    status.Leading(false);
                }
            }
        }
    }

    private async Task LeadAsync(IngestLease lease, CancellationToken stoppingToken)
    {
        var state = await LoadAsync(stoppingToken);
        var providerName = state.ProviderName;
        await status.RecordAsync(providerName, FeedEventKind.Ok, $"Ingest started on {Environment.MachineName}", stoppingToken);
        var leaseCheckedAt = clock.GetUtcNow();
        var loadedAt = clock.GetUtcNow();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            if (now - leaseCheckedAt > LeaseCheck)
            {
                if (!await lease.IsHeldAsync(stoppingToken))
                {
                    logger.LogWarning("Lost the ingest lease");
                    return;
                }
                leaseCheckedAt = now;
            }
            if (now - loadedAt > CatalogueRefresh)
            {
                state = await LoadAsync(stoppingToken);
                loadedAt = now;
            }

            TimeSpan wait;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var provider = scope.ServiceProvider.GetRequiredService<IMarketDataProvider>();
                try
                {
                    await PollOnceAsync(provider, state, stoppingToken);
                    failures = 0;
                    wait = provider.PollInterval;
                }
                catch (NpgsqlException ex) when (DatabaseHealth.IsOutage(ex))
                {
                    // The database went away: the lease connection most likely with it. Check it now and, once lost, ask
                    // for it again from the loop above at the listeners' pace, not the provider's backoff.
                    logger.LogWarning("The ingest lost the database: {Error}", ex.Message);
                    if (!await lease.IsHeldAsync(stoppingToken))
                    {
                        return;
                    }
                    failures++;
                    wait = PostgresListener.RetryDelay(failures);
                }
                catch (Exception ex) when (ex is ProviderException or HttpRequestException or TimeoutException
                                               or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
                                               or NpgsqlException)
                {
                    failures++;
                    await status.RecordAsync(provider.Name, FeedEventKind.Error, ex.Message, stoppingToken);
                    wait = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, failures)));
                }
            }
            await Task.Delay(wait, clock, stoppingToken);
        }
    }


    /// <summary>One poll: quotes in batches the provider accepts, normalised, stored and published; index levels after.</summary>
    internal async Task PollOnceAsync(IMarketDataProvider provider, IngestState state, CancellationToken cancellationToken)
    {
        var tickers = state.Normalizer.Tickers.ToList();
        var quotes = new List<ProviderQuote>();
        var indices = new List<ProviderIndexLevel>();
        var problems = new List<string>();
        foreach (var chunk in tickers.Chunk(Math.Max(1, Math.Min(provider.MaxSymbolsPerRequest, tickers.Count))))
        {
            var snapshot = await provider.GetQuotesAsync(chunk, cancellationToken);
            quotes.AddRange(snapshot.Quotes);
            indices.AddRange(snapshot.Indices);
            problems.AddRange(snapshot.Problems);
        }
        var (ticks, refused) = state.Normalizer.Normalize(quotes, provider.Name);
        problems.AddRange(refused);
        await store.WriteAsync(ticks, cancellationToken);

        var now = clock.GetUtcNow();
        var levels = new List<IndexLevel>();
        foreach (var index in indices.DistinctBy(i => i.Name, StringComparer.OrdinalIgnoreCase))
        {
            if (state.IndexIds.TryGetValue(index.Name, out var id) && index.Level > 0)
            {
                var previous = index.PreviousClose ?? index.Level;
                levels.Add(IndexLevel.Of(id, index.Level, previous, index.Time, provider.Name));
            }
        }
        if (ticks.Count > 0 && state.IndexIds.TryGetValue(ComputedIndex.Name, out var masi) && levels.All(l => l.IndexId != masi)
            && ComputedIndex.Compute(masi, state.Instruments, state.Normalizer.LatestQuotes, now) is { } computed)
        {
            levels.Add(computed);
        }
        await store.WriteIndexLevelsAsync(levels, cancellationToken);
        status.Stored(ticks.Count);
        if (problems.Count > 0)
        {
            await status.RecordAsync(provider.Name, FeedEventKind.Warning,
                $"{problems.Count} row(s) skipped: " + string.Join("; ", problems.Take(10)), cancellationToken);
        }
    }

    internal async Task<IngestState> LoadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var today = ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
        var snapshot = await MarketState.LoadAsync(db, today, cancellationToken);
        var indexIds = await db.MarketIndices.AsNoTracking().ToDictionaryAsync(i => i.Name, i => i.Id, StringComparer.OrdinalIgnoreCase, cancellationToken);
        var providerName = scope.ServiceProvider.GetRequiredService<IMarketDataProvider>().Name;
        return new IngestState(
            new TickNormalizer(snapshot.Select(s => new InstrumentState(s.Instrument.Id, s.Instrument.Ticker, s.LastClose, s.LastCloseDate, s.Quote))),
            snapshot.ToDictionary(s => s.Instrument.Id, s => s.Instrument),
            indexIds,
            providerName);
    }
}

internal sealed record IngestState(
    TickNormalizer Normalizer, IReadOnlyDictionary<int, Instrument> Instruments, IReadOnlyDictionary<string, int> IndexIds, string ProviderName);
