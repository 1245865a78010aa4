using MarketWatch.Web.Features.Accounts;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Watchlists;

/// <summary>
/// Told when an owner added stocks to a list (after the commit). Watchlists sits below the features that act on it
/// (the followers' notices): they implement this.
/// </summary>
public interface IWatchlistItemsAdded
{
    Task OnItemsAddedAsync(int watchlistId, IReadOnlyList<int> itemIds, CancellationToken cancellationToken);

    /// <summary>
    /// The owner revoked the list's link (its follows are gone): what followers were told of it goes too, so a notice
    /// never leads a former follower to a later link of the same list.
    /// </summary>
    Task OnShareRevokedAsync(int watchlistId, CancellationToken cancellationToken);
}

/// <summary>A shared list someone follows, as their watchlists page shows it: its name and its share link's token.</summary>
public sealed record FollowedList(int WatchlistId, string Name, string Token, bool Notify);

/// <summary>A visitor's relation to a shared list: whether they may follow it (signed in, not its owner) and do.</summary>
public sealed record FollowState(string Token, bool CanFollow, bool Following, bool Notify);

/// <summary>
/// Following someone else's shared list: read-only, while the link stays shared (revoking it ends the follows). The
/// owner learns how many follow, never who.
/// </summary>
public sealed class WatchlistFollows(DbContext db, TimeProvider clock)
{
    public async Task<FollowState> StateAsync(Watchlist list, string? userId, CancellationToken cancellationToken)
    {
        if (userId is null || userId == list.UserId || list.ShareToken is null)
        {
            return new FollowState(list.ShareToken ?? "", false, false, false);
        }
        var follow = await db.Set<WatchlistFollow>().AsNoTracking()
            .SingleOrDefaultAsync(f => f.WatchlistId == list.Id && f.UserId == userId, cancellationToken);
        return new FollowState(list.ShareToken, true, follow is not null, follow?.Notify ?? false);
    }

    /// <summary>Follows the list (notify on by default); false for its owner. Following twice is one follow.</summary>
    public async Task<bool> FollowAsync(Watchlist list, string userId, CancellationToken cancellationToken)
    {
        if (userId == list.UserId || list.ShareToken is null)
        {
            return false;
        }
        // Only while the link the visitor came by is still the list's (a revoke at the same moment wins).
        return await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO watchlist_follows (watchlist_id, user_id, notify, created_at)
            SELECT id, {userId}, TRUE, {clock.GetUtcNow()} FROM watchlists WHERE id = {list.Id} AND share_token = {list.ShareToken}
            ON CONFLICT (watchlist_id, user_id) DO NOTHING
            """, cancellationToken) > 0 || await db.Set<WatchlistFollow>().AnyAsync(f => f.WatchlistId == list.Id && f.UserId == userId, cancellationToken);
    }

    public Task UnfollowAsync(Watchlist list, string userId, CancellationToken cancellationToken) =>
        db.Set<WatchlistFollow>().Where(f => f.WatchlistId == list.Id && f.UserId == userId).ExecuteDeleteAsync(cancellationToken);

    public Task SetNotifyAsync(Watchlist list, string userId, bool notify, CancellationToken cancellationToken) =>
        db.Set<WatchlistFollow>().Where(f => f.WatchlistId == list.Id && f.UserId == userId)
            .ExecuteUpdateAsync(u => u.SetProperty(f => f.Notify, notify), cancellationToken);

    /// <summary>How many follow one list (its owner's view).</summary>
    public Task<int> CountAsync(int watchlistId, CancellationToken cancellationToken) =>
        db.Set<WatchlistFollow>().CountAsync(f => f.WatchlistId == watchlistId, cancellationToken);

    /// <summary>The shared lists the user follows; a list no longer shared (or deleted) is not among them.</summary>
    public Task<List<FollowedList>> FollowingAsync(string userId, CancellationToken cancellationToken) =>
        (from f in db.Set<WatchlistFollow>().AsNoTracking()
         join w in db.Set<Watchlist>() on f.WatchlistId equals w.Id
         where f.UserId == userId && w.ShareToken != null && w.UserId != userId
         orderby w.Name, w.Id
         select new FollowedList(w.Id, w.Name, w.ShareToken!, f.Notify))
        .ToListAsync(cancellationToken);
}

/// <summary>The lists the user follows, in "download my data" (the list's name and when; never its owner).</summary>
public sealed class WatchlistFollowPersonalData(DbContext db) : IPersonalDataContributor
{
    public async Task<IReadOnlyDictionary<string, object?>> ExportAsync(string userId, CancellationToken cancellationToken) =>
        new Dictionary<string, object?>
        {
            ["followedWatchlists"] = await (from f in db.Set<WatchlistFollow>().AsNoTracking()
                                            join w in db.Set<Watchlist>() on f.WatchlistId equals w.Id
                                            where f.UserId == userId
                                            orderby f.CreatedAt
                                            select new { w.Name, f.Notify, f.CreatedAt, StillShared = w.ShareToken != null })
                .ToListAsync(cancellationToken),
        };
}
