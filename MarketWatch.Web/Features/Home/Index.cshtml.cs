using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Home;

/// <summary>A signed-in user's <c>/</c>: their default list live, today's alerts, recent notifications, the day's movers.</summary>
[Authorize]
public sealed class IndexModel(HomeQueries home, PortfolioService portfolios, PortfolioHoldings holdings) : PageModel
{
    public HomeList? List { get; private set; }
    public IReadOnlyList<FiredToday> Fired { get; private set; } = [];
    public IReadOnlyList<NearLevel> Near { get; private set; } = [];
    public IReadOnlyList<NotificationItem> Notifications { get; private set; } = [];
    public Movers Movers { get; private set; } = new([], [], []);
    /// <summary>The user's portfolios with their value and day change (at most Portfolios:MaxPerUser, each from its cached ledger).</summary>
    public IReadOnlyList<PortfolioSnapshot> Portfolios { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var userId = HttpContext.UserIdOf();
        var zone = User.TimeZoneOf();
        // One DbContext per request: the reads run one after the other, each one set-based.
        List = await home.DefaultListAsync(userId, cancellationToken);
        Fired = await home.FiredTodayAsync(userId, zone, cancellationToken);
        Near = await home.NearLevelAsync(userId, cancellationToken);
        Notifications = await home.NotificationsAsync(userId, zone, cancellationToken);
        Movers = await home.MoversAsync(cancellationToken);
        var mine = new List<PortfolioSnapshot>();
        foreach (var portfolio in await portfolios.ListAsync(userId, cancellationToken))
        {
            if (await holdings.GetAsync(userId, portfolio.Id, cancellationToken) is { } snapshot)
            {
                mine.Add(snapshot);
            }
        }
        Portfolios = mine;
    }
}
