using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MarketWatch.Web.Features.Analytics.Sharing;

/// <summary>
/// A stock an owner added to a followed list, as its followers were told: the event their notices name. It outlives the
/// watchlist item (a notice still reads "IAM was added to Banks" after the owner takes IAM out again) and goes with the
/// list's link: revoking the share, or deleting the list, deletes it and, through a trigger, the notices.
/// </summary>
public sealed class FollowedAddition
{
    /// <summary>The watchlist item's id at the time (the notices' event id).</summary>
    public int Id { get; set; }
    public int WatchlistId { get; set; }
    public int InstrumentId { get; set; }
    public Instrument Instrument { get; set; } = null!;
    public DateTimeOffset AddedAt { get; set; }
}

internal sealed class FollowedAdditionConfiguration : IEntityTypeConfiguration<FollowedAddition>
{
    public void Configure(EntityTypeBuilder<FollowedAddition> e)
    {
        e.ToTable("watchlist_additions");
        e.Property(a => a.Id).ValueGeneratedNever();
        e.HasOne<Watchlist>().WithMany().HasForeignKey(a => a.WatchlistId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne(a => a.Instrument).WithMany().HasForeignKey(a => a.InstrumentId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(a => a.WatchlistId);
    }
}
