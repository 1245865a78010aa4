using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>A portfolio holding some of a stock, as the position alert form lists it.</summary>
public sealed record HeldIn(int PortfolioId, string Name, decimal Quantity, decimal AverageCost);

/// <summary>
/// Keeps "position P/L crosses X % from average cost" alerts as the engine and the sweep evaluate them: a price
/// threshold (level2 = average cost × (1 + X/100)) in the index every price alert uses. The average cost is the
/// ledger's weighted average cost, replayed from the portfolio's transactions of that one stock (a position depends on
/// nothing else). Re-derived when the alert is saved, when the portfolio changes (Portfolios tells every
/// <see cref="IPortfolioChangeHandler"/>), and by the minute sweep for any alert whose portfolio's version moved past
/// the one it was derived at (a change whose handler did not run). A level that moves re-arms the alert from the
/// current price, so the engine (previous tick) and the sweep (armed price) compare a crossing with the same price.
/// While the portfolio holds none of the stock (sold out) level2 is null: the alert stays armed but waits, and says so.
/// </summary>
public sealed class PositionAlertLevels(DbContext db, NpgsqlDataSource dataSource, TimeProvider clock) : IPortfolioChangeHandler
{
    /// <summary>The user's portfolios that hold the instrument now, by name.</summary>
    public async Task<List<HeldIn>> HeldInAsync(string userId, int instrumentId, CancellationToken cancellationToken)
    {
        var portfolios = await db.Portfolios.AsNoTracking().Where(p => p.UserId == userId).OrderBy(p => p.Name).ThenBy(p => p.Id)
            .Select(p => new { p.Id, p.Name }).ToListAsync(cancellationToken);
        var ids = portfolios.Select(p => p.Id).ToList();
        var trades = (await db.PortfolioTransactions.AsNoTracking().Where(t => ids.Contains(t.PortfolioId) && t.InstrumentId == instrumentId)
            .ToListAsync(cancellationToken)).ToLookup(t => t.PortfolioId);
        return portfolios.Select(p => (p, Position: Position(trades[p.Id], instrumentId)))
            .Where(x => x.Position is { Quantity: > 0 })
            .Select(x => new HeldIn(x.p.Id, x.p.Name, x.Position!.Quantity, x.Position.AverageCost))
            .ToList();
    }

    /// <summary>The position in one of the user's portfolios (null: not theirs); quantity 0 when not held.</summary>
    public async Task<(PositionState Position, long Version)?> PositionAsync(string userId, int portfolioId, int instrumentId, CancellationToken cancellationToken)
    {
        var version = await db.Portfolios.Where(p => p.Id == portfolioId && p.UserId == userId).Select(p => (long?)p.Version).SingleOrDefaultAsync(cancellationToken);
        if (version is null)
        {
            return null;
        }
        var trades = await db.PortfolioTransactions.AsNoTracking().Where(t => t.PortfolioId == portfolioId && t.InstrumentId == instrumentId).ToListAsync(cancellationToken);
        return (Position(trades, instrumentId) ?? new PositionState(instrumentId), version.Value);
    }

    private static PositionState? Position(IEnumerable<PortfolioTransaction> trades, int instrumentId) =>
        Ledger.Replay(trades.ToList()).Positions.GetValueOrDefault(instrumentId);

    public Task OnChangedAsync(int portfolioId, DateOnly from, CancellationToken cancellationToken) =>
        // A position is its whole history: the average cost after the change, whatever date it touched.
        RederiveAsync([portfolioId], cancellationToken);

    /// <summary>Alerts whose portfolio changed since their level was derived (the sweep's safety net): re-derived now.</summary>
    public async Task<int> RefreshStaleAsync(CancellationToken cancellationToken)
    {
        var stale = await db.Set<Alert>().Where(a => a.Condition == AlertCondition.PositionPnlCrosses && a.PortfolioId != null
                && (a.Status == AlertStatus.Active || a.Status == AlertStatus.Paused)
                && db.Set<Portfolio>().Any(p => p.Id == a.PortfolioId && p.Version != a.PortfolioVersion))
            .Select(a => a.PortfolioId!.Value).Distinct().ToListAsync(cancellationToken);
        return stale.Count == 0 ? 0 : await RederiveAsync(stale, cancellationToken);
    }

    /// <summary>Re-derives the levels of the position alerts on these portfolios; re-arms and announces those that moved.</summary>
    /// <remarks>
    /// Each level is written only if the alert is still the one read (same condition, percentage, portfolio and stock): an
    /// edit saved in between derived its own level from its own percentage, and this one must not overwrite it.
    /// A target is re-armed only from a quote: with none, the sweep's crossing (armed price against the last) could never
    /// hold while the engine's (previous tick against this one) could, so it keeps the price it was armed at.
    /// </remarks>
    /// <returns>How many alerts' levels changed.</returns>
    public async Task<int> RederiveAsync(IReadOnlyCollection<int> portfolioIds, CancellationToken cancellationToken)
    {
        var alerts = await db.Set<Alert>().AsNoTracking()
            .Where(a => a.Condition == AlertCondition.PositionPnlCrosses && a.PortfolioId != null && portfolioIds.Contains(a.PortfolioId.Value))
            .Select(a => new { a.Id, a.Level, a.Level2, PortfolioId = a.PortfolioId!.Value, InstrumentId = a.InstrumentId!.Value })
            .ToListAsync(cancellationToken);
        if (alerts.Count == 0)
        {
            return 0;
        }
        var versions = await db.Portfolios.Where(p => portfolioIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Version, cancellationToken);
        var instrumentIds = alerts.Select(a => a.InstrumentId).Distinct().ToList();
        var trades = (await db.PortfolioTransactions.AsNoTracking()
                .Where(t => portfolioIds.Contains(t.PortfolioId) && t.InstrumentId != null && instrumentIds.Contains(t.InstrumentId.Value))
                .ToListAsync(cancellationToken))
            .ToLookup(t => (t.PortfolioId, t.InstrumentId!.Value));
        var moved = new List<long>();
        foreach (var alert in alerts)
        {
            var level = LevelOf(Position(trades[(alert.PortfolioId, alert.InstrumentId)], alert.InstrumentId), alert.Level);
            var version = versions.GetValueOrDefault(alert.PortfolioId);
            var written = await db.Set<Alert>()
                .Where(a => a.Id == alert.Id && a.Condition == AlertCondition.PositionPnlCrosses && a.Level == alert.Level
                    && a.PortfolioId == alert.PortfolioId && a.InstrumentId == alert.InstrumentId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Level2, level).SetProperty(a => a.PortfolioVersion, (long?)version), cancellationToken);
            if (written == 1 && level != alert.Level2)
            {
                moved.Add(alert.Id);
            }
        }
        if (moved.Count > 0)
        {
            var now = clock.GetUtcNow();
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE alert_targets t SET armed_at = {now}, armed_price = q.last, armed_quote_time = q.time
                FROM quotes q
                WHERE q.instrument_id = t.instrument_id AND t.alert_id = ANY({moved.ToArray()}) AND t.state = {(int)TargetState.Armed}
                """, cancellationToken);
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await AlertEngine.NotifyChangedAsync(connection, moved, cancellationToken);
        }
        return moved.Count;
    }

    /// <summary>The alert's price threshold for a position (null: none held, the alert waits).</summary>
    public static decimal? LevelOf(PositionState? position, decimal? percent) =>
        position is { Quantity: > 0 } held && percent is { } x ? AlertRules.PositionLevel(held.AverageCost, x) : null;
}
