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
        if (CheckName(name) is { } refused)
        {
            return Outcome<SavedScreenView>.Refused(refused);
        }
        var trimmed = name!.Trim();
        var text = query.ToQueryString(page: false);
        if (text.Length > SavedScreen.QueryMaxLength)
        {
            return Outcome<SavedScreenView>.Refused("query", new Text("This filter is too long to save."));
        }
        return await Limit.CheckAsync(db, userId,
            async () => await db.Set<SavedScreen>().CountAsync(s => s.UserId == userId, cancellationToken) + 1,
            Outcome<SavedScreenView>.Refused,
            async () =>
            {
                if (await NameTakenAsync(userId, trimmed, except: null, cancellationToken) is { } taken)
                {
                    return Outcome<SavedScreenView>.Refused(taken);
                }
                var now = clock.GetUtcNow();
                var screen = new SavedScreen { UserId = userId, Name = trimmed, Query = text, CreatedAt = now, UpdatedAt = now };
                db.Add(screen);
                await db.SaveChangesAsync(cancellationToken);
                return Outcome<SavedScreenView>.Done(View(screen));
            }, cancellationToken);
    }

    /// <summary>
    /// Gives one of the user's screens another name, under the same rules as saving (and the same lock, so a save and a
    /// rename cannot both take a name). Missing when the screen is not the user's; its query is kept.
    /// </summary>
    public Task<Outcome<SavedScreenView>> RenameAsync(string userId, long id, string? name, CancellationToken cancellationToken) =>
        AdvisoryLock.InTransactionAsync(db, Limit.Name + ":" + userId, async () =>
        {
            var screen = await db.Set<SavedScreen>().SingleOrDefaultAsync(s => s.Id == id && s.UserId == userId, cancellationToken);
            if (screen is null)
            {
                return Outcome<SavedScreenView>.Missing;
            }
            if (CheckName(name) is { } refused)
            {
                return Outcome<SavedScreenView>.Refused(refused);
            }
            var trimmed = name!.Trim();
            if (await NameTakenAsync(userId, trimmed, except: id, cancellationToken) is { } taken)
            {
                return Outcome<SavedScreenView>.Refused(taken);
            }
            (screen.Name, screen.UpdatedAt) = (trimmed, clock.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            return Outcome<SavedScreenView>.Done(View(screen));
        }, cancellationToken);

    private static FieldError? CheckName(string? name)
    {
        var trimmed = (name ?? "").Trim();
        return trimmed.Length == 0 ? new FieldError("name", new Text("Give the screen a name."))
            : trimmed.Length > SavedScreen.NameMaxLength ? new FieldError("name", new Text("The name can have at most {0} characters.", SavedScreen.NameMaxLength))
            : null;
    }

    /// <summary>Names are unique per user whatever the case; a screen keeps its own name under another case.</summary>
    private async Task<FieldError?> NameTakenAsync(string userId, string name, long? except, CancellationToken cancellationToken)
    {
        var lower = name.ToLower();
        return await db.Set<SavedScreen>().AnyAsync(s => s.UserId == userId && s.Id != except && s.Name.ToLower() == lower, cancellationToken)
            ? new FieldError("name", new Text("You already have a screen called {0}.", name))
            : null;
    }

    private static SavedScreenView View(SavedScreen screen) => new(screen.Id, screen.Name, screen.Query, screen.CreatedAt);

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
