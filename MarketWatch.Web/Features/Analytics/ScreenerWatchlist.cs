using MarketWatch.Web.Features.Watchlists;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>What "add all to a watchlist" did: the list, how many were added, already there, and refused by the list's size limit.</summary>
public sealed record AddAllReport(int WatchlistId, string WatchlistName, int Added, int Already, int Refused);

/// <summary>
/// "Add all to a watchlist": every result of a screen (all pages) goes through <see cref="WatchlistService.AddItemAsync"/>,
/// one by one, so the list's size limit and its lock apply exactly as when a user adds one; once the limit refuses
/// one, the rest are counted as refused without asking again.
/// </summary>
public sealed class ScreenerWatchlist(WatchlistService lists, WatchlistRows rows)
{
    /// <summary>Null when the list is not the user's (or, without <paramref name="watchlistId"/>, when the user has no list).</summary>
    public async Task<AddAllReport?> AddAllAsync(string userId, int? watchlistId, IReadOnlyList<string> tickers, CancellationToken cancellationToken)
    {
        var mine = await lists.ListAsync(userId, cancellationToken);
        var list = watchlistId is { } id ? mine.FirstOrDefault(l => l.Id == id) : mine.FirstOrDefault(l => l.IsDefault) ?? mine.FirstOrDefault();
        if (list is null)
        {
            return null;
        }
        var present = (await rows.LoadAsync(list.Id, WatchlistSort.Position, false, cancellationToken))
            .Select(r => r.Ticker).ToHashSet(StringComparer.OrdinalIgnoreCase);
        int added = 0, already = 0, refused = 0;
        var full = false;
        foreach (var ticker in tickers)
        {
            if (present.Contains(ticker))
            {
                already++;
                continue;
            }
            if (full)
            {
                refused++;
                continue;
            }
            var outcome = await lists.AddItemAsync(userId, list.Id, ticker, null, null, cancellationToken);
            if (!outcome.Found)
            {
                return null; // deleted meanwhile
            }
            if (outcome.Error is null)
            {
                added++;
                present.Add(ticker);
            }
            else if (outcome.Error.LimitReached)
            {
                full = true;
                refused++;
            }
            else
            {
                already++; // added by another request meanwhile (the only other refusal of an active ticker)
            }
        }
        return new AddAllReport(list.Id, list.Name, added, already, refused);
    }
}
