using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Alerts;

public sealed record AlertSummary(
    long Id, string? Ticker, string? InstrumentName, int? WatchlistId, string? WatchlistName, AlertCondition Condition, decimal? Level, decimal? Level2,
    int? WindowMinutes, TriggerMode TriggerMode, int CooldownMinutes, AlertStatus Status, DateTimeOffset? ExpiresAt, Channel[] Channels,
    string? Note, bool SessionOnly, DateTimeOffset CreatedAt, DateTimeOffset? LastFiredAt, int FiredCount, DateTimeOffset? RearmAt,
    int? PortfolioId = null, string? PortfolioName = null, int? IndicatorPeriod = null);

/// <summary>Which alerts a list shows.</summary>
public enum AlertFilter { All, Armed, Paused, Triggered, Expired }

/// <summary>A user's alerts as the list, the API and the history page show them; another user's alert is not found.</summary>
public sealed class AlertQueries(DbContext db)
{
    public async Task<List<AlertSummary>> ListAsync(string userId, AlertFilter filter, string? search, CancellationToken cancellationToken)
    {
        var query = db.Set<Alert>().AsNoTracking().Where(a => a.UserId == userId);
        query = filter switch
        {
            AlertFilter.Armed => query.Where(a => a.Status == AlertStatus.Active),
            AlertFilter.Paused => query.Where(a => a.Status == AlertStatus.Paused),
            AlertFilter.Triggered => query.Where(a => a.Status == AlertStatus.Triggered || a.LastFiredAt != null),
            AlertFilter.Expired => query.Where(a => a.Status == AlertStatus.Expired),
            _ => query,
        };
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = "%" + search.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            // The escape character must be named: without it Npgsql turns escaping off (ESCAPE '').
            query = query.Where(a => (a.Instrument != null && (EF.Functions.ILike(a.Instrument.Ticker, pattern, "\\") || EF.Functions.ILike(a.Instrument.Name, pattern, "\\")))
                                     || (a.Watchlist != null && EF.Functions.ILike(a.Watchlist.Name, pattern, "\\"))
                                     || (a.Note != null && EF.Functions.ILike(a.Note, pattern, "\\")));
        }
        return await Summaries(query.OrderByDescending(a => a.Id).Take(500)).ToListAsync(cancellationToken);
    }

    public Task<AlertSummary?> FindAsync(string userId, long id, CancellationToken cancellationToken) =>
        Summaries(db.Set<Alert>().AsNoTracking().Where(a => a.UserId == userId && a.Id == id)).SingleOrDefaultAsync(cancellationToken);

    private IQueryable<AlertSummary> Summaries(IQueryable<Alert> alerts) => alerts.Select(a => new AlertSummary(
        a.Id, a.Instrument != null ? a.Instrument.Ticker : null, a.Instrument != null ? a.Instrument.Name : null,
        a.WatchlistId, a.Watchlist != null ? a.Watchlist.Name : null, a.Condition, a.Level, a.Level2, a.WindowMinutes, a.TriggerMode,
        a.CooldownMinutes, a.Status, a.ExpiresAt, a.Channels, a.Note, a.SessionOnly, a.CreatedAt, a.LastFiredAt,
        a.Targets.Sum(t => t.FiredCount), a.Targets.Where(t => t.State == TargetState.Cooling).Min(t => t.RearmAt),
        a.PortfolioId, a.PortfolioId == null ? null : db.Set<Portfolio>().Where(p => p.Id == a.PortfolioId).Select(p => p.Name).FirstOrDefault(),
        a.IndicatorPeriod));
}
