using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>
/// "This fires immediately": the alert form's warning that a (non-crossing) condition already holds. It asks the
/// engine's own evaluator, loaded for the alert's instruments, so the warning and the engine cannot disagree.
/// </summary>
public sealed class AlertPreview(DbContext db, NpgsqlDataSource dataSource, MarketMemory memory)
{
    /// <summary>How many of the alert's instruments already meet its condition.</summary>
    public async Task<int> HoldsNowAsync(string userId, AlertInput input, CancellationToken cancellationToken)
    {
        if (AlertRules.IsCrossing(input.Condition) || !Enum.IsDefined(input.Condition))
        {
            return 0;
        }
        var ticker = input.Ticker?.Trim().ToUpperInvariant();
        var ids = await (!string.IsNullOrEmpty(ticker)
            ? db.Instruments.Where(i => i.Ticker == ticker).Select(i => i.Id)
            : db.Set<WatchlistItem>().Where(i => i.WatchlistId == input.WatchlistId && db.Set<Watchlist>().Any(w => w.Id == i.WatchlistId && w.UserId == userId))
                .Select(i => i.InstrumentId)).ToArrayAsync(cancellationToken);
        if (ids.Length == 0)
        {
            return 0;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var evaluator = await memory.LoadAsync(connection, ids, previous: null, cancellationToken);
        return ids.Count(id => evaluator.HoldsNow(id, input.Condition, input.Level, input.Level2, input.WindowMinutes, out _, out _));
    }
}
