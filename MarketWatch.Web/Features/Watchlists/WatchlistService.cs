using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Infrastructure;
using System.Security.Cryptography;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Watchlists;

/// <summary>One of the user's lists; <paramref name="Followers"/> is how many follow its shared link (never who).</summary>
public sealed record WatchlistSummary(int Id, string Name, bool IsDefault, int Items, bool Shared, int Followers);

/// <summary>
/// Everything a user can do to their watchlists, for the pages and the API alike. Every method takes the user id
/// and looks the list up by (id, user): another user's list is simply not found.
/// </summary>
public sealed class WatchlistService(DbContext db, WatchlistRows rows, IOptions<WatchlistOptions> options, TimeProvider clock,
    IEnumerable<IWatchlistItemsAdded> itemsAdded)
{
    public const decimal MaxTargetPrice = 10_000_000m;

    /// <summary>The cap on lists, under the user's "watchlists" lock (which also keeps exactly one default list).</summary>
    private UserLimit Lists => new("watchlists", options.Value.MaxLists, "name",
        new Text("You have reached the limit of {0} watchlists. Delete one to create another.", options.Value.MaxLists));

    /// <summary>The cap on instruments per list, under the user's "watchlist-items" lock (adding one, importing a file).</summary>
    internal static UserLimit Items(WatchlistOptions options) => new("watchlist-items", options.MaxItemsPerList, "ticker",
        new Text("This list has reached the limit of {0} instruments.", options.MaxItemsPerList));

    /// <summary>A change of the user's lists (which one is the default) under the same lock as <see cref="Lists"/>.</summary>
    private Task<T> ForUserAsync<T>(string userId, Func<Task<T>> change, CancellationToken cancellationToken) =>
        AdvisoryLock.InTransactionAsync(db, Lists.Name + ":" + userId, change, cancellationToken);

    public Task<List<WatchlistSummary>> ListAsync(string userId, CancellationToken cancellationToken) =>
        db.Set<Watchlist>().AsNoTracking()
            .Where(w => w.UserId == userId)
            .OrderByDescending(w => w.IsDefault).ThenBy(w => w.Id)
            .Select(w => new WatchlistSummary(w.Id, w.Name, w.IsDefault, w.Items.Count, w.ShareToken != null,
                db.Set<WatchlistFollow>().Count(f => f.WatchlistId == w.Id)))
            .ToListAsync(cancellationToken);

    public Task<Watchlist?> FindAsync(string userId, int id, CancellationToken cancellationToken) =>
        db.Set<Watchlist>().SingleOrDefaultAsync(w => w.Id == id && w.UserId == userId, cancellationToken);

    public Task<Watchlist?> FindSharedAsync(string token, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(token) || token.Length > 64
            ? Task.FromResult<Watchlist?>(null)
            : db.Set<Watchlist>().AsNoTracking().SingleOrDefaultAsync(w => w.ShareToken == token, cancellationToken);

    public async Task<Outcome<Watchlist>> CreateAsync(string userId, string? name, CancellationToken cancellationToken)
    {
        if (NameError(name) is { } error)
        {
            return Outcome<Watchlist>.Refused("name", error);
        }
        var count = 0;
        return await Lists.CheckAsync(db, userId, async () => (count = await db.Set<Watchlist>().CountAsync(w => w.UserId == userId, cancellationToken)) + 1,
            error => new Outcome<Watchlist>(default, error, true), async () =>
        {
            var list = new Watchlist { UserId = userId, Name = name!.Trim(), IsDefault = count == 0, CreatedAt = clock.GetUtcNow() };
            db.Add(list);
            await db.SaveChangesAsync(cancellationToken);
            return Outcome<Watchlist>.Done(list);
        }, cancellationToken);
    }

    public async Task<Outcome<Watchlist>> RenameAsync(string userId, int id, string? name, CancellationToken cancellationToken)
    {
        var list = await FindAsync(userId, id, cancellationToken);
        if (list is null)
        {
            return Outcome<Watchlist>.Missing;
        }
        if (NameError(name) is { } error)
        {
            return Outcome<Watchlist>.Refused("name", error);
        }
        list.Name = name!.Trim();
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<Watchlist>.Done(list);
    }

    /// <summary>Deletes a list; when it was the default, the oldest remaining list becomes the default (one transaction).</summary>
    public Task<bool> DeleteAsync(string userId, int id, CancellationToken cancellationToken) =>
        ForUserAsync(userId, async () =>
        {
            var list = await FindAsync(userId, id, cancellationToken);
            if (list is null)
            {
                return false;
            }
            db.Remove(list);
            await db.SaveChangesAsync(cancellationToken);
            if (list.IsDefault)
            {
                var next = await db.Set<Watchlist>().Where(w => w.UserId == userId).OrderBy(w => w.Id).FirstOrDefaultAsync(cancellationToken);
                if (next is not null)
                {
                    next.IsDefault = true;
                    await db.SaveChangesAsync(cancellationToken);
                }
            }
            return true;
        }, cancellationToken);

    public Task<bool> SetDefaultAsync(string userId, int id, CancellationToken cancellationToken) =>
        ForUserAsync(userId, async () =>
        {
            // A user has at most a few dozen lists: loading them keeps one default and the tracked entities in step.
            var mine = await db.Set<Watchlist>().Where(w => w.UserId == userId).ToListAsync(cancellationToken);
            if (mine.All(w => w.Id != id))
            {
                return false;
            }
            mine.ForEach(w => w.IsDefault = w.Id == id);
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }, cancellationToken);

    public async Task<Outcome<WatchlistItem>> AddItemAsync(string userId, int id, string? ticker, string? note, decimal? target, CancellationToken cancellationToken)
    {
        var list = await FindAsync(userId, id, cancellationToken);
        if (list is null)
        {
            return Outcome<WatchlistItem>.Missing;
        }
        if (ItemError(note, target) is { } itemError)
        {
            return new Outcome<WatchlistItem>(default, itemError, true);
        }
        var normalized = (ticker ?? "").Trim().ToUpperInvariant();
        var instrument = await db.Instruments.AsNoTracking().SingleOrDefaultAsync(i => i.Ticker == normalized, cancellationToken);
        if (normalized.Length == 0)
        {
            return Outcome<WatchlistItem>.Refused("ticker", new Text("Choose an instrument."));
        }
        if (instrument is null)
        {
            return Outcome<WatchlistItem>.Refused("ticker", new Text("No instrument with the ticker {0}.", normalized));
        }
        if (!instrument.IsActive)
        {
            return Outcome<WatchlistItem>.Refused("ticker", new Text("{0} is no longer traded and cannot be added.", normalized));
        }
        List<(int InstrumentId, int Position)> items = [];
        var added = await Items(options.Value).CheckAsync(db, userId,
            async () =>
            {
                items = (await db.Set<WatchlistItem>().Where(i => i.WatchlistId == id).Select(i => new { i.InstrumentId, i.Position }).ToListAsync(cancellationToken))
                    .Select(i => (i.InstrumentId, i.Position)).ToList();
                // One already in the list is refused as such, whatever the count.
                return items.Any(i => i.InstrumentId == instrument.Id) ? 0 : items.Count + 1;
            },
            error => new Outcome<WatchlistItem>(default, error, true),
            () => InsertItemAsync(userId, id, normalized, instrument, items, note, target, cancellationToken),
            cancellationToken);
        if (added.Value is { } item)
        {
            // After the commit: whoever learns of it (followers' notices) reads the item as it is stored.
            foreach (var handler in itemsAdded)
            {
                await handler.OnItemsAddedAsync(id, [item.Id], cancellationToken);
            }
        }
        return added;
    }

    private async Task<Outcome<WatchlistItem>> InsertItemAsync(string userId, int id, string normalized, MarketWatch.Web.Features.Market.Instrument instrument,
        List<(int InstrumentId, int Position)> items, string? note, decimal? target, CancellationToken cancellationToken)
    {
        if (!await db.Set<Watchlist>().AnyAsync(w => w.Id == id && w.UserId == userId, cancellationToken))
        {
            return Outcome<WatchlistItem>.Missing;
        }
        if (items.Any(i => i.InstrumentId == instrument.Id))
        {
            return Outcome<WatchlistItem>.Refused("ticker", new Text("{0} is already in this list.", normalized));
        }
        var item = new WatchlistItem
        {
            WatchlistId = id,
            InstrumentId = instrument.Id,
            Position = items.Count == 0 ? 0 : items.Max(i => i.Position) + 1,
            Note = Clean(note),
            TargetPrice = target is { } t ? Math.Round(t, 4) : null,
            AddedAt = clock.GetUtcNow(),
        };
        db.Add(item);
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<WatchlistItem>.Done(item);
    }

    public async Task<Outcome<WatchlistItem>> UpdateItemAsync(string userId, int id, string? ticker, string? note, decimal? target, CancellationToken cancellationToken)
    {
        var item = await FindItemAsync(userId, id, ticker, cancellationToken);
        if (item is null)
        {
            return Outcome<WatchlistItem>.Missing;
        }
        if (ItemError(note, target) is { } error)
        {
            return new Outcome<WatchlistItem>(default, error, true);
        }
        item.Note = Clean(note);
        item.TargetPrice = target is { } t ? Math.Round(t, 4) : null;
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<WatchlistItem>.Done(item);
    }

    public async Task<bool> RemoveItemAsync(string userId, int id, string? ticker, CancellationToken cancellationToken)
    {
        var item = await FindItemAsync(userId, id, ticker, cancellationToken);
        if (item is null)
        {
            return false;
        }
        db.Remove(item);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Puts the list in the given order (drag and drop); tickers not named keep their relative order after them.</summary>
    public async Task<bool> ReorderAsync(string userId, int id, IReadOnlyList<string> tickers, CancellationToken cancellationToken)
    {
        var list = await db.Set<Watchlist>().Include(w => w.Items).ThenInclude(i => i.Instrument)
            .SingleOrDefaultAsync(w => w.Id == id && w.UserId == userId, cancellationToken);
        if (list is null)
        {
            return false;
        }
        var order = tickers.Where(t => !string.IsNullOrEmpty(t)).Select((t, index) => (t.ToUpperInvariant(), index)).DistinctBy(x => x.Item1).ToDictionary(x => x.Item1, x => x.index);
        var position = 0;
        foreach (var item in list.Items.OrderBy(i => order.GetValueOrDefault(i.Instrument.Ticker, int.MaxValue)).ThenBy(i => i.Position))
        {
            item.Position = position++;
        }
        list.SortColumn = WatchlistSort.Position;
        list.SortDescending = false;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Moves one instrument up (-1) or down (+1) in the order the user sees (sorted by a column or not): the keyboard's way to reorder.</summary>
    public async Task<bool> MoveAsync(string userId, int id, string? ticker, int direction, CancellationToken cancellationToken)
    {
        var list = await FindAsync(userId, id, cancellationToken);
        if (list is null || string.IsNullOrEmpty(ticker))
        {
            return false;
        }
        var tickers = (await rows.LoadAsync(id, list.SortColumn, list.SortDescending, cancellationToken)).Select(r => r.Ticker).ToList();
        var index = tickers.IndexOf(ticker.ToUpperInvariant());
        if (index < 0)
        {
            return false;
        }
        var target = Math.Clamp(index + Math.Sign(direction), 0, tickers.Count - 1);
        (tickers[index], tickers[target]) = (tickers[target], tickers[index]);
        return await ReorderAsync(userId, id, tickers, cancellationToken);
    }

    /// <summary>Sorts by a known column; an unknown column changes nothing and says so (false).</summary>
    public async Task<bool> SortAsync(string userId, int id, string? column, bool descending, CancellationToken cancellationToken)
    {
        var list = await FindAsync(userId, id, cancellationToken);
        if (list is null || column is null || !WatchlistSort.Columns.Contains(column))
        {
            return false;
        }
        list.SortColumn = column;
        list.SortDescending = descending;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Saves the columns shown and their order; an unknown column name is refused as a field error and nothing changes.</summary>
    public async Task<Outcome<Watchlist>> SetColumnsAsync(string userId, int id, IReadOnlyList<string> columns, CancellationToken cancellationToken)
    {
        var list = await FindAsync(userId, id, cancellationToken);
        if (list is null)
        {
            return Outcome<Watchlist>.Missing;
        }
        if (columns.FirstOrDefault(c => !WatchlistColumns.All.Contains(c)) is { } unknown)
        {
            return Outcome<Watchlist>.Refused("columns", new Text("Unknown column '{0}'.", unknown.Length > 40 ? unknown[..40] : unknown));
        }
        var chosen = columns.Distinct().ToList();
        if (chosen.Count == 0)
        {
            return Outcome<Watchlist>.Refused("columns", new Text("Choose at least one column."));
        }
        list.Columns = chosen.SequenceEqual(WatchlistColumns.All) ? null : string.Join(',', chosen);
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<Watchlist>.Done(list);
    }

    /// <summary>Compact rows on or off for this list.</summary>
    public async Task<bool> SetCompactAsync(string userId, int id, bool compact, CancellationToken cancellationToken)
    {
        var list = await FindAsync(userId, id, cancellationToken);
        if (list is null)
        {
            return false;
        }
        list.Compact = compact;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Turns the read-only link on (a new 256-bit token) or off.</summary>
    public async Task<Outcome<string?>> ShareAsync(string userId, int id, bool shared, CancellationToken cancellationToken)
    {
        var list = await FindAsync(userId, id, cancellationToken);
        if (list is null)
        {
            return Outcome<string?>.Missing;
        }
        list.ShareToken = shared ? list.ShareToken ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_') : null;
        await db.SaveChangesAsync(cancellationToken);
        if (!shared)
        {
            // A revoked link ends its follows: a new link is a new share, its followers choose again.
            await db.Set<WatchlistFollow>().Where(f => f.WatchlistId == id).ExecuteDeleteAsync(cancellationToken);
            foreach (var handler in itemsAdded)
            {
                await handler.OnShareRevokedAsync(id, cancellationToken);
            }
        }
        return Outcome<string?>.Done(list.ShareToken);
    }

    private Task<WatchlistItem?> FindItemAsync(string userId, int id, string? ticker, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(ticker))
        {
            return Task.FromResult<WatchlistItem?>(null);
        }
        var normalized = ticker.ToUpperInvariant();
        return db.Set<WatchlistItem>()
            .Where(i => i.WatchlistId == id && i.Instrument.Ticker == normalized && db.Set<Watchlist>().Any(w => w.Id == id && w.UserId == userId))
            .SingleOrDefaultAsync(cancellationToken);
    }

    public static Text? NameError(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return new Text("Enter a name for the list.");
        }
        return trimmed.Length > Watchlist.NameMaxLength ? new Text("The name can be at most {0} characters long.", Watchlist.NameMaxLength) : null;
    }

    public static FieldError? ItemError(string? note, decimal? target)
    {
        if (note is not null && note.Trim().Length > WatchlistItem.NoteMaxLength)
        {
            return new FieldError("note", new Text("The note can be at most {0} characters long.", WatchlistItem.NoteMaxLength));
        }
        // Stored with 4 decimals: what rounds to 0 is not a target.
        if (target is { } t && (Math.Round(t, 4) <= 0 || t > MaxTargetPrice))
        {
            return new FieldError("targetPrice", new Text("The target price must be more than 0 and at most {0}.", MaxTargetPrice));
        }
        return null;
    }

    private static string? Clean(string? note) => string.IsNullOrWhiteSpace(note) ? null : note.Trim();
}
