using Microsoft.AspNetCore.Identity;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>
/// Opaque bearer tokens for API clients. The token is random; PostgreSQL keeps its SHA-256 only, so a
/// database leak gives no usable token, and logout deletes the row, which revokes it at once.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    DbContext db,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var hash = ApiTokens.Hash(header["Bearer ".Length..].Trim());
        var now = clock.GetUtcNow();
        // One query per request: the token, its user and the user's roles (the cookie's claims factory takes several).
        var found = await db.ApiTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.ExpiresAt > now)
            .Join(db.Users, t => t.UserId, u => u.Id, (t, u) => new
            {
                User = u,
                Roles = db.Set<IdentityUserRole<string>>().Where(r => r.UserId == u.Id).Join(db.Set<IdentityRole>(), r => r.RoleId, role => role.Id, (r, role) => role.Name).ToList(),
            })
            .SingleOrDefaultAsync(Context.RequestAborted);
        if (found is null)
        {
            return AuthenticateResult.Fail("Invalid or expired token.");
        }
        var user = found.User;
        var identity = new ClaimsIdentity(SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, user.Id));
        identity.AddClaim(new Claim(ClaimTypes.Name, user.UserName ?? ""));
        identity.AddClaim(new Claim(ClaimTypes.Email, user.Email ?? ""));
        identity.AddClaims(found.Roles.Where(r => r is not null).Select(r => new Claim(ClaimTypes.Role, r!)));
        identity.AddClaims(AccountClaims.Profile(user));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.WriteAsync(Context, StatusCodes.Status403Forbidden);
}

public sealed class ApiTokens(DbContext db, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueAsync(string userId, CancellationToken cancellationToken)
    {
        var token = "mw_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = clock.GetUtcNow();
        var row = new ApiToken { UserId = userId, TokenHash = Hash(token), CreatedAt = now, ExpiresAt = now + Lifetime };
        db.ApiTokens.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return (token, row.ExpiresAt);
    }

    /// <summary>After a password change or reset, a change of second factor or of email address: every token of the account stops working.</summary>
    public Task<int> RevokeAllAsync(string userId, CancellationToken cancellationToken) =>
        db.ApiTokens.Where(t => t.UserId == userId).ExecuteDeleteAsync(cancellationToken);

    public Task<int> RevokeAsync(string token, CancellationToken cancellationToken)
    {
        var hash = Hash(token);
        return db.ApiTokens.Where(t => t.TokenHash == hash).ExecuteDeleteAsync(cancellationToken);
    }
}

/// <summary>401 and 403 for the API as RFC 7807 problem details, never a redirect to the sign-in page.</summary>
public static class ApiProblems
{
    public static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    public static async Task WriteAsync(HttpContext context, int status)
    {
        var L = context.RequestServices.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<SharedResource>>();
        var (title, detail) = status == StatusCodes.Status401Unauthorized
            ? (L["Unauthorized"].Value, L["Sign in or send a valid bearer token."].Value)
            : (L["Forbidden"].Value, L["Your account is not allowed to do this."].Value);
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }
        await Results.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(context);
    }
}
