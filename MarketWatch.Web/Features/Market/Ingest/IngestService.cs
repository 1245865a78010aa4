using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketWatch.Web.Features.Market.Ingest;

/// <summary>
/// The ingest: every instance runs it, one holds the lease and polls the configured provider; the others wait
/// and take over within seconds when the holder dies. Each poll is normalised, checked for sanity (ticks outside the
/// static threshold are held back), stored in one set-based batch on the lease's own session behind the fence, and
/// published with NOTIFY. A write the fence refuses ends this instance's turn at once.
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
                catch (IngestLeaseLostException ex)
                {
                    logger.LogWarning("Lost the ingest lease: {Reason}", ex.Message);
                    await status.RecordAsync("Ingest", FeedEventKind.Warning, $"{Environment.MachineName} lost the ingest lease: {ex.Message}", CancellationToken.None);
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
        var sanity = FeedSanityRules.From(options.Value);
        var state = await LoadAsync(stoppingToken, sanity);
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
                state = await LoadAsync(stoppingToken, sanity);
                loadedAt = now;
            }

            TimeSpan wait;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var provider = scope.ServiceProvider.GetRequiredService<IMarketDataProvider>();
                try
                {
                    await PollOnceAsync(provider, state, lease, stoppingToken);
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
                    // A failed write leaves this memory ahead of the database (prices, held-back ticks): read it again.
                    loadedAt = DateTimeOffset.MinValue;
                    wait = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, failures)));
                }
            }
            await Task.Delay(wait, clock, stoppingToken);
        }
    }


    /// <summary>
    /// One poll: quotes in batches the provider accepts, normalised and checked (with the admin confirmations waiting),
    /// then quotes, bars, index levels and quarantine rows in one fenced write.
    /// </summary>
    /// <exception cref="IngestLeaseLostException">The lease is gone; nothing of this poll was stored.</exception>
    internal async Task PollOnceAsync(IMarketDataProvider provider, IngestState state, IngestLease lease, CancellationToken cancellationToken)
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
        var confirmedByAdmin = await store.ConfirmedToApplyAsync(lease, cancellationToken);
        var normalized = state.Normalizer.Normalize(quotes, provider.Name, confirmedByAdmin);
        var ticks = normalized.Ticks;
        problems.AddRange(normalized.Problems);

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
        await store.WriteAsync(lease, IngestWrite.Of(normalized, levels, now), cancellationToken);
        status.Stored(ticks.Count);
        if (normalized.Quarantined.Count > 0)
        {
            await status.RecordAsync(provider.Name, FeedEventKind.Warning,
                $"{normalized.Quarantined.Count} tick(s) held back by the feed-sanity check: "
                + string.Join("; ", normalized.Quarantined.Take(10).Select(q => $"{TickerOf(state, q.InstrumentId)} {q.Price} ({q.Reason}, {q.ChangePercent:+0.##;-0.##}% from {q.ReferencePrice})")),
                cancellationToken);
        }
        if (problems.Count > 0)
        {
            await status.RecordAsync(provider.Name, FeedEventKind.Warning,
                $"{problems.Count} row(s) skipped: " + string.Join("; ", problems.Take(10)), cancellationToken);
        }
    }

    private static string TickerOf(IngestState state, int instrumentId) =>
        state.Instruments.TryGetValue(instrumentId, out var instrument) ? instrument.Ticker : $"#{instrumentId}";

    /// <param name="sanity">The feed-sanity rules; null (tests that write prices they chose) takes every positive tick.</param>
    internal async Task<IngestState> LoadAsync(CancellationToken cancellationToken, FeedSanityRules? sanity = null)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var today = ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
        var snapshot = await MarketState.LoadAsync(db, today, cancellationToken);
        var indexIds = await db.MarketIndices.AsNoTracking().ToDictionaryAsync(i => i.Name, i => i.Id, StringComparer.OrdinalIgnoreCase, cancellationToken);
        var providerName = scope.ServiceProvider.GetRequiredService<IMarketDataProvider>().Name;
        // What an earlier holder decided today survives a takeover: a confirmed move's level, rows still waiting.
        var levels = (await db.QuarantinedTicks.AsNoTracking()
                .Where(q => q.Status == QuarantineStatus.Confirmed && q.AppliedAt != null && q.SessionDate == today)
                .Select(q => new { q.InstrumentId, q.Price, q.AppliedAt, q.Id })
                .ToListAsync(cancellationToken))
            .GroupBy(q => q.InstrumentId)
            .ToDictionary(g => g.Key, g => g.OrderBy(q => q.AppliedAt).ThenBy(q => q.Id).Last().Price);
        var pending = (await db.QuarantinedTicks.AsNoTracking()
                .Where(q => q.Status == QuarantineStatus.Pending).Select(q => q.InstrumentId).Distinct().ToListAsync(cancellationToken))
            .ToHashSet();
        return new IngestState(
            new TickNormalizer(
                snapshot.Select(s => new InstrumentState(
                    s.Instrument.Id, s.Instrument.Ticker, s.LastClose, s.LastCloseDate, s.Quote,
                    ConfirmedLevel: levels.TryGetValue(s.Instrument.Id, out var level) ? level : null,
                    ConfirmedSession: levels.ContainsKey(s.Instrument.Id) ? today : null,
                    HasPending: pending.Contains(s.Instrument.Id))),
                sanity),
            snapshot.ToDictionary(s => s.Instrument.Id, s => s.Instrument),
            indexIds,
            providerName);
    }
}

internal sealed record IngestState(
    TickNormalizer Normalizer, IReadOnlyDictionary<int, Instrument> Instruments, IReadOnlyDictionary<string, int> IndexIds, string ProviderName);
