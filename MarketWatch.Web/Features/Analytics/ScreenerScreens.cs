using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>A saved screen as the page and the API show it.</summary>
public sealed record SavedScreenView(long Id, string Name, string Query, DateTimeOffset CreatedAt)
{
    public string Url => Query.Length > 0 ? "/screener?" + Query : "/screener";
}

/// <summary>
/// A user's saved screens: a name (1–60 characters, unique per user whatever the case) and the screener's canonical
/// query string; <see cref="MaxPerUser"/> at most, counted under the user's lock. Another user's screen is not found.
/// </summary>
public sealed class ScreenerScreens(DbContext db, TimeProvider clock)
{
    public const int MaxPerUser = 50;

    private static UserLimit Limit => new("saved-screens", MaxPerUser, "name",
        new Text("You have reached the limit of {0} saved screens. Delete one to save another.", MaxPerUser));

    public Task<List<SavedScreenView>> ListAsync(string userId, CancellationToken cancellationToken) =>
        db.Set<SavedScreen>().AsNoTracking().Where(s => s.UserId == userId).OrderBy(s => s.Name)
            .Select(s => new SavedScreenView(s.Id, s.Name, s.Query, s.CreatedAt)).ToListAsync(cancellationToken);

    /// <summary>Saves <paramref name="query"/> (already validated and canonical) under <paramref name="name"/>.</summary>
    public async Task<Outcome<SavedScreenView>> SaveAsync(string userId, string? name, ScreenerQuery query, CancellationToken cancellationToken)
    {
        var trimmed = (name ?? "").Trim();
        if (trimmed.Length == 0)
        {
            return Outcome<SavedScreenView>.Refused("name", new Text("Give the screen a name."));
        }
        if (trimmed.Length > SavedScreen.NameMaxLength)
        {
            return Outcome<SavedScreenView>.Refused("name", new Text("The name can have at most {0} characters.", SavedScreen.NameMaxLength));
        }
        var text = query.ToQueryString(page: false);
        if (text.Length > SavedScreen.QueryMaxLength)
        {
            return Outcome<SavedScreenView>.Refused("query", new Text("This filter is too long to save."));
        }
        var lower = trimmed.ToLower();
        return await Limit.CheckAsync(db, userId,
            async () => await db.Set<SavedScreen>().CountAsync(s => s.UserId == userId, cancellationToken) + 1,
            error => new Outcome<SavedScreenView>(default, error, true),
            async () =>
            {
                if (await db.Set<SavedScreen>().AnyAsync(s => s.UserId == userId && s.Name.ToLower() == lower, cancellationToken))
                {
                    return Outcome<SavedScreenView>.Refused("name", new Text("You already have a screen called {0}.", trimmed));
                }
                var now = clock.GetUtcNow();
                var screen = new SavedScreen { UserId = userId, Name = trimmed, Query = text, CreatedAt = now, UpdatedAt = now };
                db.Add(screen);
                await db.SaveChangesAsync(cancellationToken);
                return Outcome<SavedScreenView>.Done(new SavedScreenView(screen.Id, screen.Name, screen.Query, screen.CreatedAt));
            }, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string userId, long id, CancellationToken cancellationToken) =>
        await db.Set<SavedScreen>().Where(s => s.Id == id && s.UserId == userId).ExecuteDeleteAsync(cancellationToken) > 0;
}

/// <summary>The user's saved screens in "download my data".</summary>
public sealed class ScreenerPersonalData(DbContext db) : IPersonalDataContributor
{
    public async Task<IReadOnlyDictionary<string, object?>> ExportAsync(string userId, CancellationToken cancellationToken) =>
        new Dictionary<string, object?>
        {
            ["savedScreens"] = await db.Set<SavedScreen>().AsNoTracking().Where(s => s.UserId == userId).OrderBy(s => s.Id)
                .Select(s => new { s.Name, s.Query, s.CreatedAt, s.UpdatedAt }).ToListAsync(cancellationToken),
        };
}
