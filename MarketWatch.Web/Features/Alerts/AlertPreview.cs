using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>
/// "This fires immediately": the alert form's warning that a (non-crossing) condition already holds. It asks the
/// engine's own evaluator, loaded for the alert's instruments, so the warning and the engine cannot disagree.
/// </summary>
public sealed class AlertPreview(DbContext db, NpgsqlDataSource dataSource, MarketMemory memory, AlertIndicators indicators)
{
    /// <summary>
    /// What an indicator condition measures now on the alert's stock (the RSI, the average, the volume multiple at
    /// the latest price as today's close), from the engine's own states; null for other conditions or without history.
    /// </summary>
    public async Task<double?> IndicatorNowAsync(AlertInput input, CancellationToken cancellationToken)
    {
        var ticker = input.Ticker?.Trim().ToUpperInvariant();
        if (!Enum.IsDefined(input.Condition) || !AlertRules.IsIndicator(input.Condition) || string.IsNullOrEmpty(ticker))
        {
            return null;
        }
        var ids = await db.Instruments.Where(i => i.Ticker == ticker).Select(i => i.Id).ToArrayAsync(cancellationToken);
        if (ids.Length != 1)
        {
            return null;
        }
        await indicators.LoadAsync(ids, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var evaluator = await memory.LoadAsync(connection, ids, previous: null, cancellationToken);
        return evaluator.IndicatorNow(ids[0], input.Condition, input.IndicatorPeriod, input.Level);
    }

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
        if (AlertRules.IsIndicator(input.Condition))
        {
            await indicators.LoadAsync(ids, cancellationToken);
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var evaluator = await memory.LoadAsync(connection, ids, previous: null, cancellationToken);
        return ids.Count(id => evaluator.HoldsNow(id, input.Condition, input.Level, input.Level2, input.WindowMinutes, out _, out _, input.IndicatorPeriod));
    }
}
