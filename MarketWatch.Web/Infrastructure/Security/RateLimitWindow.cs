using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MarketWatch.Web.Infrastructure.Security;

/// <summary>
/// One rate-limit partition's current window, shared by every instance: <see cref="Hits"/> attempts since the window
/// opened, until <see cref="WindowEnd"/>. Written only by <see cref="SharedRateLimitStore"/> (one upsert per attempt);
/// rows a minute past their end are purged by it.
/// </summary>
public sealed class RateLimitWindow
{
    /// <summary>Policy and client, e.g. <c>auth:203.0.113.7</c> or <c>auth:2001:db8::/64</c>.</summary>
    public string Key { get; set; } = "";
    public DateTimeOffset WindowEnd { get; set; }
    public int Hits { get; set; }
}

internal sealed class RateLimitWindowConfiguration : IEntityTypeConfiguration<RateLimitWindow>
{
    public void Configure(EntityTypeBuilder<RateLimitWindow> window)
    {
        // Unlogged: counters need no crash safety (a restart at worst forgets a minute of attempts), and skipping the
        // WAL makes the one write per attempt cheaper.
        window.ToTable("rate_limit_windows").IsUnlogged();
        window.HasKey(w => w.Key);
        window.Property(w => w.Key).HasMaxLength(200);
    }
}

/// <summary>The shared rate-limit table on any <see cref="DbContext"/>.</summary>
public static class RateLimitTables
{
    extension(DbContext db)
    {
        public DbSet<RateLimitWindow> RateLimitWindows => db.Set<RateLimitWindow>();
    }
}
