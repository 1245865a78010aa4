using System.Text.Json;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using Npgsql;

namespace MarketWatch.Web.Features.Market.Live;

/// <summary>
/// This instance's one LISTEN on the ingest's NOTIFY, whichever instance ingests. For each wake-up (however many
/// notifications arrived meanwhile) it reads the latest quotes of the notified tickers once and hands the same rows to
/// every <see cref="IQuoteBatchConsumer"/>, each through its own bounded queue. After a lost connection it reads every
/// instrument's quote and marks the batch as a resync, so nothing missed stays stale.
/// </summary>
public sealed class QuoteListener(
    NpgsqlDataSource dataSource,
    IServiceScopeFactory scopes,
    IServiceProvider services,
    DatabaseHealth health,
    TimeProvider clock,
    ILogger<QuoteListener> logger) : BackgroundService
{
    private readonly Lock _gate = new();
    private readonly WakeUp _wake = new();
    private HashSet<string> _notified = new(StringComparer.OrdinalIgnoreCase);
    private bool _everything;
    private bool _resync;
    private long _reads;
    private long _notifiedAt = clock.GetUtcNow().UtcTicks;

    private bool _listening;

    /// <summary>The LISTEN connection is up (read by other threads: the alert engine, tests).</summary>
    public bool Listening => Volatile.Read(ref _listening);

    /// <summary>Database reads of notified quotes so far: one per wake-up, whatever the number of consumers.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>When the ingest last notified new quotes (or when this listener started): how fresh the feed is here.</summary>
    public DateTimeOffset LastNotifiedAt => new(Interlocked.Read(ref _notifiedAt), TimeSpan.Zero);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved here rather than injected: a consumer (the alert engine) may ask this listener whether it listens.
        var mailboxes = services.GetServices<IQuoteBatchConsumer>().Select(c => new QuoteMailbox(c, logger)).ToList();
        var loops = mailboxes.Select(m => Task.Run(() => m.RunAsync(stoppingToken), stoppingToken))
            .Append(Task.Run(() => ReadLoopAsync(mailboxes, stoppingToken), stoppingToken)).ToList();
        await PostgresListener.RunAsync(dataSource, [QuoteStore.Channel], OnNotification, listening =>
        {
            Volatile.Write(ref _listening, listening);
            if (listening)
            {
                Resync();
            }
        }, health, health.Listener(QuoteStore.Channel), logger, stoppingToken);
        await Task.WhenAll(loops).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        Interlocked.Exchange(ref _notifiedAt, clock.GetUtcNow().UtcTicks);
        string[]? tickers = null;
        if (e.Payload != PostgresListener.Everything)
        {
            try
            {
                tickers = JsonSerializer.Deserialize<string[]>(e.Payload);
            }
            catch (JsonException)
            {
                // Unreadable: read everything rather than miss something.
            }
        }
        lock (_gate)
        {
            if (tickers is null)
            {
                _everything = true;
            }
            else
            {
                _notified.UnionWith(tickers);
            }
        }
        _wake.Signal();
    }

    /// <summary>Notifications may have been missed: every consumer gets every quote and reloads what it keeps.</summary>
    private void Resync()
    {
        lock (_gate)
        {
            (_everything, _resync) = (true, true);
        }
        _wake.Signal();
    }

    private async Task ReadLoopAsync(IReadOnlyList<QuoteMailbox> mailboxes, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(stoppingToken);
                HashSet<string> notified;
                bool everything, resync;
                lock (_gate)
                {
                    (notified, everything, resync) = (_notified, _everything, _resync);
                    _notified = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                    (_everything, _resync) = (false, false);
                }
                if (!everything && notified.Count == 0)
                {
                    continue;
                }
                IReadOnlyList<QuoteRow> quotes;
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var market = scope.ServiceProvider.GetRequiredService<MarketQueries>();
                    quotes = everything ? await market.AllAsync(stoppingToken) : await market.QuotesAsync(notified, stoppingToken);
                }
                Interlocked.Increment(ref _reads);
                var batch = new QuoteBatch(quotes, resync);
                foreach (var mailbox in mailboxes)
                {
                    mailbox.Post(batch);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not read the notified quotes; reading everything again");
                Resync();
                await Task.Delay(1000, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
