using MarketWatch.Web.Features.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>A user's saved screener filter: a name and the screener's query string (the filter lives in the URL).</summary>
public sealed class SavedScreen
{
    public const int NameMaxLength = 60;
    public const int QueryMaxLength = 2000;

    public long Id { get; set; }
    public required string UserId { get; set; }
    public required string Name { get; set; }
    /// <summary>The screener's query string without the leading '?', as <c>/screener?{Query}</c> reads it.</summary>
    public required string Query { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class SavedScreenConfiguration : IEntityTypeConfiguration<SavedScreen>
{
    public void Configure(EntityTypeBuilder<SavedScreen> e)
    {
        e.ToTable("saved_screens");
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(s => new { s.UserId, s.Name }).IsUnique();
        e.Property(s => s.Name).HasMaxLength(SavedScreen.NameMaxLength);
        e.Property(s => s.Query).HasMaxLength(SavedScreen.QueryMaxLength);
    }
}
