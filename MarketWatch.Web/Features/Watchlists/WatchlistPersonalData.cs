using MarketWatch.Web.Features.Accounts;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Watchlists;

/// <summary>The user's watchlists in "download my data".</summary>
public sealed class WatchlistPersonalData(DbContext db) : IPersonalDataContributor
{
    public async Task<IReadOnlyDictionary<string, object?>> ExportAsync(string userId, CancellationToken cancellationToken) =>
        new Dictionary<string, object?>
        {
            ["watchlists"] = await db.Set<Watchlist>().AsNoTracking()
                .Where(w => w.UserId == userId).OrderBy(w => w.Id)
                .Select(w => new
                {
                    w.Name, w.IsDefault, w.CreatedAt, Shared = w.ShareToken != null,
                    Items = w.Items.OrderBy(i => i.Position).Select(i => new { i.Instrument.Ticker, i.Note, i.TargetPrice, i.AddedAt }),
                })
                .ToListAsync(cancellationToken),
        };
}
