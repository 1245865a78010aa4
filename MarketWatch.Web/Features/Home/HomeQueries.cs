using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Home;

/// <summary>The user's default watchlist (its name, id and rows in list order); null before the first list.</summary>
public sealed record HomeList(int Id, string Name, IReadOnlyList<QuoteRow> Rows);

/// <summary>An alert that fired today.</summary>
public sealed record FiredToday(long AlertId, string Ticker, AlertCondition Condition, decimal? Level, decimal? Level2, int? WindowMinutes, decimal Price, DateTimeOffset FiredAt,
    int? IndicatorPeriod = null);

/// <summary>An armed price alert whose level is within <see cref="HomeQueries.NearPercent"/> of the last price.</summary>
public sealed record NearLevel(long AlertId, string Ticker, AlertCondition Condition, decimal Level, decimal Last, decimal DistancePercent);

/// <summary>
/// What the personal home reads, each a set-based query whatever the size of the list or the number of alerts: the
/// default list with its quotes, today's firings, armed price alerts near their level, recent notifications, movers.
/// </summary>
public sealed class HomeQueries(DbContext db, MarketQueries market, NotificationCentre centre, TimeProvider clock)
{
    public const int ShownFirings = 5;
    public const int ShownNear = 5;
    public const int ShownNotifications = 5;
    /// <summary>How close (in % of the last price) an armed price level counts as "close".</summary>
    public const decimal NearPercent = 2m;

    public async Task<HomeList?> DefaultListAsync(string userId, CancellationToken cancellationToken)
    {
        var list = await db.Set<Watchlist>().AsNoTracking().Where(w => w.UserId == userId)
            .OrderByDescending(w => w.IsDefault).ThenBy(w => w.Id)
            .Select(w => new { w.Id, w.Name }).FirstOrDefaultAsync(cancellationToken);
        if (list is null)
        {
            return null;
        }
        // Active instruments only: the live stream refuses a ticker that no longer trades, and the list would go quiet.
        var tickers = await db.Set<WatchlistItem>().AsNoTracking().Where(i => i.WatchlistId == list.Id && i.Instrument.IsActive)
            .OrderBy(i => i.Position).Select(i => i.Instrument.Ticker).ToListAsync(cancellationToken);
        var quotes = tickers.Count == 0 ? [] : (await market.QuotesAsync(tickers, cancellationToken)).ToDictionary(q => q.Ticker);
        return new HomeList(list.Id, list.Name, tickers.Where(quotes.ContainsKey).Select(t => quotes[t]).ToList());
    }

    public Task<List<FiredToday>> FiredTodayAsync(string userId, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var since = QuietHours.StartOfDay(zone, clock.GetUtcNow());
        return db.Set<AlertFiring>().AsNoTracking()
            .Where(f => f.UserId == userId && f.FiredAt >= since)
            .OrderByDescending(f => f.FiredAt).ThenByDescending(f => f.Id)
            .Take(ShownFirings)
            .Select(f => new FiredToday(f.AlertId, f.Instrument.Ticker, f.Condition, f.Level, f.Level2, f.WindowMinutes, f.Price, f.FiredAt, f.IndicatorPeriod))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Armed single-instrument price alerts (above, below, crossing) whose level is within 2 % of the last price, closest first.</summary>
    public async Task<List<NearLevel>> NearLevelAsync(string userId, CancellationToken cancellationToken)
    {
        AlertCondition[] priced = [AlertCondition.PriceAbove, AlertCondition.PriceBelow, AlertCondition.CrossesUp, AlertCondition.CrossesDown, AlertCondition.CrossesEither];
        var rows = await (from a in db.Set<Alert>().AsNoTracking()
                          where a.UserId == userId && a.Status == AlertStatus.Active && a.InstrumentId != null && a.Level != null
                                && priced.Contains(a.Condition)
                          join q in db.Quotes.AsNoTracking() on a.InstrumentId equals q.InstrumentId
                          where q.Last > 0
                          let distance = (a.Level!.Value - q.Last) / q.Last * 100
                          where distance <= NearPercent && distance >= -NearPercent
                          orderby (distance < 0 ? -distance : distance), a.Id
                          select new { a.Id, a.Instrument!.Ticker, a.Condition, Level = a.Level!.Value, q.Last, distance })
            .Take(ShownNear).ToListAsync(cancellationToken);
        return rows.Select(r => new NearLevel(r.Id, r.Ticker, r.Condition, r.Level, r.Last, Math.Round(r.distance, 2))).ToList();
    }

    public Task<List<NotificationItem>> NotificationsAsync(string userId, TimeZoneInfo zone, CancellationToken cancellationToken) =>
        centre.ListAsync(userId, 0, ShownNotifications, unreadOnly: false, zone, cancellationToken);

    public Task<Movers> MoversAsync(CancellationToken cancellationToken) => market.MoversAsync(cancellationToken);
}
