using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Infrastructure.Email;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Infrastructure.Data;

/// <summary>The one database: Identity, Data Protection keys, the mail outbox and every feature's tables.</summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options)
    : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<EmailMessage> EmailMessages => Set<EmailMessage>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<Instrument> Instruments => Set<Instrument>();
    public DbSet<Quote> Quotes => Set<Quote>();
    public DbSet<DailyBar> DailyBars => Set<DailyBar>();
    public DbSet<MinuteBar> MinuteBars => Set<MinuteBar>();
    public DbSet<MarketIndex> MarketIndices => Set<MarketIndex>();
    public DbSet<IndexLevel> IndexLevels => Set<IndexLevel>();
    public DbSet<Holiday> Holidays => Set<Holiday>();
    public DbSet<SpecialSession> SpecialSessions => Set<SpecialSession>();
    public DbSet<FeedEvent> FeedEvents => Set<FeedEvent>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        // Identity names its tables "AspNet..." explicitly; the snake_case convention leaves explicit names alone.
        builder.Entity<ApplicationUser>().ToTable("users");
        builder.Entity<IdentityRole>().ToTable("roles");
        builder.Entity<IdentityUserRole<string>>().ToTable("user_roles");
        builder.Entity<IdentityUserClaim<string>>().ToTable("user_claims");
        builder.Entity<IdentityUserLogin<string>>().ToTable("user_logins");
        builder.Entity<IdentityRoleClaim<string>>().ToTable("role_claims");
        builder.Entity<IdentityUserToken<string>>().ToTable("user_tokens");
        builder.Entity<IdentityRole>().HasIndex(r => r.NormalizedName).HasDatabaseName("ix_roles_normalized_name");
        builder.Entity<ApplicationUser>().HasIndex(u => u.NormalizedUserName).HasDatabaseName("ix_users_normalized_user_name");
        builder.Entity<ApplicationUser>().HasIndex(u => u.NormalizedEmail).HasDatabaseName("ix_users_normalized_email");
        builder.Entity<ApplicationUser>(user =>
        {
            user.Property(u => u.DisplayName).HasMaxLength(ApplicationUser.DisplayNameMaxLength);
            user.Property(u => u.TimeZone).HasMaxLength(64);
            user.Property(u => u.Language).HasMaxLength(8);
            user.Property(u => u.Theme).HasMaxLength(8);
            user.HasIndex(u => new { u.EmailConfirmed, u.CreatedAt });
        });
        // The Admin role exists from the first migration, so promoting the first account never races to create it.
        builder.Entity<IdentityRole>().HasData(new IdentityRole
        {
            Id = "8b0c6f0e-6f7a-4b8e-9a53-5d2f1e0a0001",
            Name = Registration.AdminRole,
            NormalizedName = Registration.AdminRole.ToUpperInvariant(),
            ConcurrencyStamp = "8b0c6f0e-6f7a-4b8e-9a53-5d2f1e0a0002",
        });
        builder.Entity<EmailMessage>(mail =>
        {
            mail.Property(m => m.To).HasMaxLength(256);
            mail.Property(m => m.Subject).HasMaxLength(300);
            mail.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
            mail.HasIndex(m => m.CreatedAt);
            mail.HasIndex(m => m.To);
        });
        builder.Entity<ApiToken>(token =>
        {
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasOne<ApplicationUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
            token.Property(t => t.Name).HasMaxLength(100);
        });
        MarketDbModel.Configure(builder);
        Features.Watchlists.WatchlistDbModel.Configure(builder);
        Features.Notifications.NotificationsDbModel.Configure(builder);
        Features.Notifications.NotificationModel.Configure(builder);
        Features.Alerts.AlertsDbModel.Configure(builder);
    }
}
