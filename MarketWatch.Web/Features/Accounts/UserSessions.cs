using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>
/// One signed-in browser. The sign-in cookie names its row; logout deletes the row, so a copy of the cookie
/// taken before logout is refused afterwards, while the account's other browsers stay signed in.
/// </summary>
public sealed class UserSession
{
    public Guid Id { get; set; }
    public required string UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary><c>Accounts:*</c> settings of sessions and re-authentication.</summary>
public sealed class SessionOptions
{
    /// <summary>
    /// Seconds an instance trusts what it last read about an account's sessions and security stamp. A session ended
    /// on another instance (logout, password change) is refused everywhere within this window; 0 reads every request.
    /// </summary>
    public int SessionCheckSeconds { get; set; } = 5;

    /// <summary>Minutes after a sign-in or re-authentication during which sensitive changes need no new proof.</summary>
    public int ReauthenticationMinutes { get; set; } = 10;

    /// <summary>Sessions kept per account; signing in once more deletes the oldest beyond this.</summary>
    public int MaxSessionsPerUser { get; set; } = 50;
}

/// <summary>
/// Server-side checks of the application cookie on every request: its session row still exists and its security stamp
/// is the account's current one (a password, email or second-factor change updates the stamp, so every other browser
/// is refused at once; the browser making the change is signed in again with the new stamp). What an instance read is
/// kept <see cref="SessionOptions.SessionCheckSeconds"/>: at most one indexed query per account per window. A cookie
/// that does not match what is cached is checked against the database before it is refused, so a new sign-in or a
/// change made on another instance is never refused by a stale cache.
/// </summary>
public static class UserSessions
{
    /// <summary>The session id, kept in the cookie's authentication properties (they survive Identity's RefreshSignInAsync; claims do not).</summary>
    public const string SessionIdItem = "mw.sid";

    private static string CacheKey(string userId) => "mw.sessions:" + userId;

    private sealed record Snapshot(string? SecurityStamp, HashSet<Guid> SessionIds);

    /// <summary>A new sign-in gets a new session row; a refresh (profile, password change) keeps its session.</summary>
    public static async Task OnSigningInAsync(CookieSigningInContext context)
    {
        var services = context.HttpContext.RequestServices;
        var userId = context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null)
        {
            return;
        }
        services.GetRequiredService<IMemoryCache>().Remove(CacheKey(userId));
        if (SessionIdOf(context.Properties) is not null)
        {
            return;
        }
        var db = services.GetRequiredService<DbContext>();
        var clock = services.GetRequiredService<TimeProvider>();
        var session = new UserSession { Id = Guid.CreateVersion7(), UserId = userId, CreatedAt = clock.GetUtcNow() };
        db.UserSessions.Add(session);
        await db.SaveChangesAsync(context.HttpContext.RequestAborted);
        db.Entry(session).State = EntityState.Detached;
        var keep = services.GetRequiredService<IOptions<SessionOptions>>().Value.MaxSessionsPerUser;
        var sessions = db.UserSessions;
        await sessions.Where(s => s.UserId == userId)
            .Where(s => !sessions.Where(k => k.UserId == userId).OrderByDescending(k => k.CreatedAt).Take(keep).Select(k => k.Id).Contains(s.Id))
            .ExecuteDeleteAsync(context.HttpContext.RequestAborted);
        context.Properties.Items[SessionIdItem] = session.Id.ToString();
        Reauthentication.Stamp(context.Properties, session.CreatedAt);
    }

    /// <summary>
    /// Logout (page or API) ends this browser's session only. It reads the request's authentication result rather than
    /// authenticating again: a sign-out from inside cookie validation (a rejected cookie) must not wait on itself.
    /// </summary>
    public static async Task OnSigningOutAsync(CookieSigningOutContext context)
    {
        var current = context.HttpContext.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult;
        if (current?.Properties is not { } properties || SessionIdOf(properties) is not { } sessionId)
        {
            return;
        }
        var services = context.HttpContext.RequestServices;
        await services.GetRequiredService<DbContext>().UserSessions.Where(s => s.Id == sessionId).ExecuteDeleteAsync(CancellationToken.None);
        if (current.Principal?.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId)
        {
            services.GetRequiredService<IMemoryCache>().Remove(CacheKey(userId));
        }
    }

    public static async Task OnValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        if (!await IsValidAsync(context))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        // Identity's own validator still refreshes the cookie's claims (roles, profile) every few minutes.
        await SecurityStampValidator.ValidatePrincipalAsync(context);
    }

    private static async Task<bool> IsValidAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var userId = context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var sessionId = SessionIdOf(context.Properties);
        if (userId is null || sessionId is null)
        {
            // Cookies issued before sessions were recorded: one more sign-in.
            return false;
        }
        var stampClaim = services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType;
        var stamp = context.Principal!.FindFirstValue(stampClaim);
        var cache = services.GetRequiredService<IMemoryCache>();
        if (cache.TryGetValue(CacheKey(userId), out Snapshot? cached) && Matches(cached!, stamp, sessionId.Value))
        {
            return true;
        }
        var fresh = await ReadAsync(services, userId, context.HttpContext.RequestAborted);
        var window = services.GetRequiredService<IOptions<SessionOptions>>().Value.SessionCheckSeconds;
        if (window > 0)
        {
            cache.Set(CacheKey(userId), fresh, TimeSpan.FromSeconds(window));
        }
        return Matches(fresh, stamp, sessionId.Value);
    }

    private static bool Matches(Snapshot snapshot, string? stamp, Guid sessionId) =>
        snapshot.SecurityStamp is not null && snapshot.SecurityStamp == stamp && snapshot.SessionIds.Contains(sessionId);

    /// <summary>One query on two primary-key/foreign-key indexes: the stamp and the live sessions of one account.</summary>
    private static async Task<Snapshot> ReadAsync(IServiceProvider services, string userId, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<DbContext>();
        var sessions = db.UserSessions;
        var rows = await db.Users.AsNoTracking().TagWith("session check")
            .Where(u => u.Id == userId)
            .Select(u => new { u.SecurityStamp, Sessions = sessions.Where(s => s.UserId == u.Id).Select(s => s.Id).ToList() })
            .SingleOrDefaultAsync(cancellationToken);
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(UserSessions)).LogDebug("Session check of user {UserId}", userId);
        return rows is null ? new Snapshot(null, []) : new Snapshot(rows.SecurityStamp, [.. rows.Sessions]);
    }

    private static Guid? SessionIdOf(AuthenticationProperties properties) =>
        properties.Items.TryGetValue(SessionIdItem, out var value) && Guid.TryParse(value, out var id) ? id : null;
}

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> session)
    {
        session.ToTable("user_sessions");
        session.Property(s => s.Id).ValueGeneratedNever();
        session.HasIndex(s => s.UserId);
        session.HasOne<ApplicationUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_user_sessions_users_user_id");
    }
}
