using MarketWatch.Web.Features.Accounts;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>The user's alerts and their firings in "download my data".</summary>
public sealed class AlertPersonalData(DbContext db) : IPersonalDataContributor
{
    public async Task<IReadOnlyDictionary<string, object?>> ExportAsync(string userId, CancellationToken cancellationToken) =>
        new Dictionary<string, object?>
        {
            ["alerts"] = await db.Set<Alert>().AsNoTracking()
                .Where(a => a.UserId == userId).OrderBy(a => a.Id)
                .Select(a => new
                {
                    a.Id, Ticker = a.Instrument != null ? a.Instrument.Ticker : null, Watchlist = a.Watchlist != null ? a.Watchlist.Name : null,
                    Condition = a.Condition.ToString(), a.Level, a.Level2, a.WindowMinutes, a.IndicatorPeriod, TriggerMode = a.TriggerMode.ToString(), a.CooldownMinutes,
                    a.ExpiresAt, Channels = a.Channels, a.Note, a.SessionOnly, Status = a.Status.ToString(), a.CreatedAt, a.LastFiredAt,
                })
                .ToListAsync(cancellationToken),
            ["alertFirings"] = await db.Set<AlertFiring>().AsNoTracking()
                .Where(f => f.UserId == userId).OrderBy(f => f.Id)
                .Select(f => new { f.AlertId, f.Instrument.Ticker, Condition = f.Condition.ToString(), f.Level, f.Level2, f.Price, f.Value, f.FiredAt })
                .ToListAsync(cancellationToken),
        };
}
