using System.Security.Cryptography;
using MarketWatch.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// The read-only share link of a portfolio (<c>/p/{token}</c>): on with a new unguessable token, off by forgetting it
/// (revoked: the old link is a 404 and the next one is a new token), and whether it shows amounts. Only the owner
/// changes it; another user's portfolio is simply not found.
/// </summary>
public sealed class PortfolioShares(DbContext db)
{
    /// <summary>The owner's portfolio (tracked), or null.</summary>
    public Task<Portfolio?> FindAsync(string userId, int id, CancellationToken cancellationToken) =>
        db.Portfolios.SingleOrDefaultAsync(p => p.Id == id && p.UserId == userId, cancellationToken);

    /// <summary>The portfolio a share link opens, or null (unknown or revoked).</summary>
    public Task<Portfolio?> FindSharedAsync(string? token, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(token) || token.Length > 64
            ? Task.FromResult<Portfolio?>(null)
            : db.Portfolios.AsNoTracking().SingleOrDefaultAsync(p => p.ShareToken == token, cancellationToken);

    /// <summary>Turns the link on (keeping a live token, else a new 256-bit one) or off, and sets whether it shows amounts.</summary>
    /// <returns>The token (null when off), or missing when the portfolio is not the user's.</returns>
    public async Task<Outcome<string?>> ShareAsync(string userId, int id, bool shared, bool showAmounts, CancellationToken cancellationToken)
    {
        var portfolio = await FindAsync(userId, id, cancellationToken);
        if (portfolio is null)
        {
            return Outcome<string?>.Missing;
        }
        portfolio.ShareToken = shared ? portfolio.ShareToken ?? NewToken() : null;
        // Revoking also forgets the choice: a new link starts from "no amounts".
        portfolio.ShareShowsAmounts = shared && showAmounts;
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<string?>.Done(portfolio.ShareToken);
    }

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public static class PortfolioSharesSetup
{
    public static IServiceCollection AddPortfolioShares(this IServiceCollection services) => services.AddScoped<PortfolioShares>();
}
