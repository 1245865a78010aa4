using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>The account tables on any <see cref="DbContext"/> (see <c>MarketTables</c> for why).</summary>
public static class AccountTables
{
    extension(DbContext db)
    {
        public DbSet<ApplicationUser> Users => db.Set<ApplicationUser>();
        public DbSet<IdentityRole> Roles => db.Set<IdentityRole>();
        public DbSet<IdentityUserRole<string>> UserRoles => db.Set<IdentityUserRole<string>>();
        public DbSet<ApiToken> ApiTokens => db.Set<ApiToken>();
        public DbSet<UserSession> UserSessions => db.Set<UserSession>();
    }
}
