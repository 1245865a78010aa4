using MarketWatch.Web.Features.Market;
using Npgsql;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>
/// Fills an <see cref="AlertEvaluator"/> from the database with what the conditions need besides the tick: each
/// instrument's latest quote, its 52-week range (today excluded) and its recent minutes. The engine loads every
/// instrument this way and the alert form's "this fires immediately" loads the few it asks about, so the two
/// evaluate against the same context.
/// </summary>
public sealed class MarketMemory(SessionFigures figures, AlertIndicators indicators, TimeProvider clock)
{
    /// <param name="instrumentIds">The instruments to load; null for all of them.</param>
    /// <param name="previous">An evaluator being replaced: a tick it already saw stays the previous one, so a crossing since then is still seen.</param>
    public async Task<AlertEvaluator> LoadAsync(NpgsqlConnection connection, int[]? instrumentIds, AlertEvaluator? previous, CancellationToken cancellationToken)
    {
        var evaluator = new AlertEvaluator { Indicators = indicators };
        var now = clock.GetUtcNow();
        foreach (var (instrumentId, range) in await figures.PriorYearRangesAsync(cancellationToken))
        {
            if (instrumentIds is null || instrumentIds.Contains(instrumentId))
            {
                evaluator.SetYearRange(instrumentId, range.High, range.Low);
            }
        }
        await using (var command = new NpgsqlCommand(
            "SELECT instrument_id, time, low, high FROM minute_bars WHERE time >= @since"
            + (instrumentIds is null ? "" : " AND instrument_id = ANY(@ids)") + " ORDER BY instrument_id, time", connection))
        {
            command.Parameters.AddWithValue("since", now.AddMinutes(-AlertRules.MaxWindowMinutes));
            if (instrumentIds is not null)
            {
                command.Parameters.AddWithValue("ids", instrumentIds);
            }
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                evaluator.SeedMinute(reader.GetInt32(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetDecimal(2), reader.GetDecimal(3));
            }
        }
        foreach (var tick in await ReadTicksAsync(connection, instrumentIds, cancellationToken))
        {
            evaluator.Seed(previous is not null && previous.TryGetLast(tick.InstrumentId, out var seen) ? seen : tick);
        }
        return evaluator;
    }

    /// <summary>The latest quote of each instrument (of all of them when <paramref name="ids"/> is null).</summary>
    public static async Task<List<MarketTick>> ReadTicksAsync(NpgsqlConnection connection, int[]? ids, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT instrument_id, last, change_percent, volume, time FROM quotes" + (ids is null ? "" : " WHERE instrument_id = ANY(@ids)"), connection);
        if (ids is not null)
        {
            command.Parameters.AddWithValue("ids", ids);
        }
        var ticks = new List<MarketTick>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ticks.Add(new MarketTick(reader.GetInt32(0), reader.GetDecimal(1), reader.GetDecimal(2), reader.GetInt64(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }
        return ticks;
    }
}
