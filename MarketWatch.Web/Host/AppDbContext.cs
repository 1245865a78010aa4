using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using MarketWatch.Web.Features.Accounts;

namespace MarketWatch.Web.Host;

/// <summary>
/// The one database: Identity, Data Protection keys and every feature's tables. Each feature maps its own entities
/// with <see cref="IEntityTypeConfiguration{TEntity}"/> classes next to them and reads them through EF's base
/// <see cref="DbContext"/>; only the composition root knows this type.
/// </summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options)
    : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
    }
}
