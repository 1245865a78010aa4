using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MarketWatch.Web.Features.Accounts;

// Identity names its tables "AspNet..." explicitly; the snake_case convention leaves explicit names alone.

internal sealed class ApplicationUserConfiguration : IEntityTypeConfiguration<ApplicationUser>
{
    public void Configure(EntityTypeBuilder<ApplicationUser> user)
    {
        user.ToTable("users");
        user.HasIndex(u => u.NormalizedUserName).HasDatabaseName("ix_users_normalized_user_name");
        user.HasIndex(u => u.NormalizedEmail).HasDatabaseName("ix_users_normalized_email");
        user.Property(u => u.DisplayName).HasMaxLength(ApplicationUser.DisplayNameMaxLength);
        user.Property(u => u.TimeZone).HasMaxLength(64);
        user.Property(u => u.Language).HasMaxLength(8);
        user.Property(u => u.Theme).HasMaxLength(8);
        user.HasIndex(u => new { u.EmailConfirmed, u.CreatedAt });
        // Identity's schema version 3 (for passkeys) would also cap these text columns; they stay as they were.
        user.Property(u => u.PhoneNumber).Metadata.SetMaxLength(null);
    }
}

internal sealed class IdentityRoleConfiguration : IEntityTypeConfiguration<IdentityRole>
{
    public void Configure(EntityTypeBuilder<IdentityRole> role)
    {
        role.ToTable("roles");
        role.HasIndex(r => r.NormalizedName).HasDatabaseName("ix_roles_normalized_name");
        // The Admin role exists from the first migration, so promoting the first account never races to create it.
        role.HasData(new IdentityRole
        {
            Id = "8b0c6f0e-6f7a-4b8e-9a53-5d2f1e0a0001",
            Name = Registration.AdminRole,
            NormalizedName = Registration.AdminRole.ToUpperInvariant(),
            ConcurrencyStamp = "8b0c6f0e-6f7a-4b8e-9a53-5d2f1e0a0002",
        });
    }
}

internal sealed class IdentityUserRoleConfiguration : IEntityTypeConfiguration<IdentityUserRole<string>>
{
    public void Configure(EntityTypeBuilder<IdentityUserRole<string>> e) => e.ToTable("user_roles");
}

internal sealed class IdentityUserClaimConfiguration : IEntityTypeConfiguration<IdentityUserClaim<string>>
{
    public void Configure(EntityTypeBuilder<IdentityUserClaim<string>> e) => e.ToTable("user_claims");
}

internal sealed class IdentityUserLoginConfiguration : IEntityTypeConfiguration<IdentityUserLogin<string>>
{
    public void Configure(EntityTypeBuilder<IdentityUserLogin<string>> e)
    {
        e.ToTable("user_logins");
        // An OpenID Connect subject may be 255 characters: schema version 3's cap of 128 is not applied.
        e.Property(l => l.LoginProvider).Metadata.SetMaxLength(null);
        e.Property(l => l.ProviderKey).Metadata.SetMaxLength(null);
    }
}

internal sealed class IdentityRoleClaimConfiguration : IEntityTypeConfiguration<IdentityRoleClaim<string>>
{
    public void Configure(EntityTypeBuilder<IdentityRoleClaim<string>> e)
    {
        e.ToTable("role_claims");
        e.HasOne<IdentityRole>().WithMany().HasForeignKey(rc => rc.RoleId).IsRequired().HasConstraintName("fk_role_claims_roles_role_id");
    }
}

internal sealed class IdentityUserTokenConfiguration : IEntityTypeConfiguration<IdentityUserToken<string>>
{
    public void Configure(EntityTypeBuilder<IdentityUserToken<string>> e)
    {
        e.ToTable("user_tokens");
        e.Property(t => t.LoginProvider).Metadata.SetMaxLength(null);
        e.Property(t => t.Name).Metadata.SetMaxLength(null);
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> token)
    {
        token.ToTable("api_tokens");
        token.HasIndex(t => t.TokenHash).IsUnique();
        token.HasOne<ApplicationUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_api_tokens_users_user_id");
        token.Property(t => t.Name).HasMaxLength(100);
    }
}
