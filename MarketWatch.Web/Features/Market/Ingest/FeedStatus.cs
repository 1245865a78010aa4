using Microsoft.EntityFrameworkCore;
using MarketWatch.Web.Infrastructure.Data;

namespace MarketWatch.Web.Features.Market.Ingest;

/// <summary>
/// What this instance's ingest is doing (leader or standby, last batch, counts), and the feed events stored for
/// every instance to see on /admin/feed. Repeated identical messages are stored once a minute at most.
/// </summary>
public sealed class FeedStatus(IServiceScopeFactory scopes, TimeProvider clock, ILogger<FeedStatus> logger)
{
    private readonly Dictionary<string, DateTimeOffset> _lastStored = [];
    private readonly Lock _gate = new();

    public bool IsLeader { get; private set; }
    public DateTimeOffset? LastBatchAt { get; private set; }
    public long TicksStored { get; private set; }
    public long BatchesStored { get; private set; }
    /// <summary>Times this instance asked for the ingest lease while another instance held it.</summary>
    public long LeaseRefusals { get; private set; }
    public string? LastError { get; private set; }
    public DateTimeOffset? LastErrorAt { get; private set; }

    public void Leading(bool leading) => IsLeader = leading;

    public void Refused() => LeaseRefusals++;

    public void Stored(int ticks)
    {
        LastBatchAt = clock.GetUtcNow();
        TicksStored += ticks;
        BatchesStored++;
    }

    public Task RecordAsync(string provider, FeedEventKind kind, string message, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (kind == FeedEventKind.Error)
        {
            LastError = message;
            LastErrorAt = now;
            logger.LogWarning("Market data feed {Provider}: {Message}", provider, message);
        }
        lock (_gate)
        {
            var key = provider + "|" + message;
            if (_lastStored.TryGetValue(key, out var last) && now - last < TimeSpan.FromMinutes(1))
            {
                return Task.CompletedTask;
            }
            _lastStored[key] = now;
            if (_lastStored.Count > 1000)
            {
                _lastStored.Clear();
            }
        }
        return StoreAsync(new FeedEvent { Time = now, Provider = provider, Kind = kind, Message = message.Length > 2000 ? message[..2000] : message }, cancellationToken);
    }

    private async Task StoreAsync(FeedEvent feedEvent, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            db.FeedEvents.Add(feedEvent);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not store a feed event");
        }
    }
}
