using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Infrastructure.Data;
using Npgsql;

namespace MarketWatch.Web.Features.Realtime;

/// <summary>
/// Every instance LISTENs to the ingest's NOTIFY, whichever instance ingests: it reads the latest quotes of the
/// notified tickers this instance's clients watch (one query per wake-up, however many notifications arrived
/// meanwhile) and hands them to the hub. After a lost connection it republishes everything watched, so nothing
/// missed stays stale.
/// </summary>
public sealed class QuoteBackplane(NpgsqlDataSource dataSource, IServiceScopeFactory scopes, QuoteHub hub, ILogger<QuoteBackplane> logger) : BackgroundService
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    private HashSet<string> _notified = new(StringComparer.OrdinalIgnoreCase);
    private bool _everything = true;

    public bool Listening { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var publisher = Task.Run(() => PublishLoopAsync(stoppingToken), stoppingToken);
        await PostgresListener.RunAsync(dataSource, [QuoteStore.Channel], OnNotification, listening =>
        {
            Listening = listening;
            if (listening)
            {
                Wake(everything: true);
            }
        }, logger, stoppingToken);
        await publisher.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        string[]? tickers = null;
        try
        {
            tickers = System.Text.Json.JsonSerializer.Deserialize<string[]>(e.Payload);
        }
        catch (System.Text.Json.JsonException)
        {
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
        Signal();
    }

    private void Wake(bool everything)
    {
        lock (_gate)
        {
            _everything |= everything;
        }
        Signal();
    }

    private void Signal()
    {
        lock (_gate)
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
    }

    private async Task PublishLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(stoppingToken);
                HashSet<string> notified;
                bool everything;
                lock (_gate)
                {
                    (notified, everything) = (_notified, _everything);
                    _notified = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                    _everything = false;
                }
                var watched = hub.WatchedTickers;
                var wanted = everything ? watched : watched.Where(notified.Contains).ToList();
                if (wanted.Count == 0)
                {
                    continue;
                }
                await using var scope = scopes.CreateAsyncScope();
                var rows = await scope.ServiceProvider.GetRequiredService<MarketQueries>().QuotesAsync(wanted, stoppingToken);
                hub.Publish(rows);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not publish quotes to this instance's streams");
                await Task.Delay(1000, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
