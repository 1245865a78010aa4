using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Market;

/// <summary>The market overview: the first page anyone sees, signed in or not.</summary>
public sealed class OverviewModel(MarketQueries market) : PageModel
{
    public IReadOnlyList<IndexRow> Indices { get; private set; } = [];
    public Movers Movers { get; private set; } = new([], [], []);
    public IReadOnlyList<SectorRow> Sectors { get; private set; } = [];
    public DateTimeOffset? LastUpdate { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Indices = await market.IndicesAsync(withLevelOnly: true, cancellationToken);
        Movers = await market.MoversAsync(cancellationToken);
        Sectors = await market.SectorsAsync(cancellationToken);
        LastUpdate = Movers.Gainers.Concat(Movers.Losers).Concat(Movers.MostActive).Max(r => r.Time);
    }
}
