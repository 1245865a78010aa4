using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Market;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Watchlists;

/// <summary>A user's list of instruments. One of them is the default (created at sign-up).</summary>
public sealed class Watchlist
{
    public const int NameMaxLength = 60;

    public int Id { get; set; }
    public required string UserId { get; set; }
    public required string Name { get; set; }
    public bool IsDefault { get; set; }
    /// <summary>"position" (the user's own order) or a column; the chosen order persists.</summary>
    public string SortColumn { get; set; } = WatchlistSort.Position;
    public bool SortDescending { get; set; }
    /// <summary>The unguessable token of the read-only share link; null when not shared.</summary>
    public string? ShareToken { get; set; }
    /// <summary>The columns the owner chose, in their order (keys of <see cref="WatchlistColumns.All"/>, comma-separated); null: all of them.</summary>
    public string? Columns { get; set; }
    /// <summary>Compact rows: ticker, last, change % and the day's line only, one line per stock on a phone too.</summary>
    public bool Compact { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<WatchlistItem> Items { get; set; } = [];
}

public sealed class WatchlistItem
{
    public const int NoteMaxLength = 500;

    public int Id { get; set; }
    public int WatchlistId { get; set; }
    public int InstrumentId { get; set; }
    public Instrument Instrument { get; set; } = null!;
    public int Position { get; set; }
    public string? Note { get; set; }
    public decimal? TargetPrice { get; set; }
    public DateTimeOffset AddedAt { get; set; }
}

/// <summary>Settings of section <c>Watchlists</c>.</summary>
public sealed class WatchlistOptions
{
    public int MaxLists { get; set; } = 20;
    public int MaxItemsPerList { get; set; } = 100;
}

/// <summary>The columns a list can show after the instrument, in their default order.</summary>
public static class WatchlistColumns
{
    public const int MaxLength = 200;
    public static readonly string[] All = ["last", "change", "changePercent", "volume", "range", "spark", "yearRange", "target"];

    /// <summary>The stored choice, keeping only known keys (a column removed from the app disappears quietly).</summary>
    public static IReadOnlyList<string> Parse(string? stored) =>
        stored is null ? All : stored.Split(',', StringSplitOptions.RemoveEmptyEntries).Where(All.Contains).Distinct().ToList();

    /// <summary>The column's header, an English resource key.</summary>
    public static string Label(string key) => key switch
    {
        "last" => "Last",
        "change" => "Change",
        "changePercent" => "Change %",
        "volume" => "Volume",
        "range" => "Day range",
        "spark" => "Today",
        "yearRange" => "52-week range",
        "target" => "Target",
        _ => key,
    };

    /// <summary>Columns a header click sorts by.</summary>
    public static bool Sortable(string key) => key is "last" or "change" or "changePercent" or "volume" or "target";
}

public static class WatchlistSort
{
    public const string Position = "position";
    public static readonly string[] Columns = [Position, "ticker", "last", "change", "changePercent", "volume", "target"];
}

/// <summary>
/// A user following someone else's shared watchlist: it shows, read-only, among the follower's lists while the link stays
/// shared; <see cref="Notify"/> asks for an in-app notification when the owner adds a stock. The owner sees how many
/// follow, never who.
/// </summary>
public sealed class WatchlistFollow
{
    public int WatchlistId { get; set; }
    public required string UserId { get; set; }
    public bool Notify { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class WatchlistFollowConfiguration : IEntityTypeConfiguration<WatchlistFollow>
{
    public void Configure(EntityTypeBuilder<WatchlistFollow> e)
    {
        e.ToTable("watchlist_follows");
        e.HasKey(f => new { f.WatchlistId, f.UserId });
        e.HasOne<Watchlist>().WithMany().HasForeignKey(f => f.WatchlistId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(f => f.UserId);
    }
}

internal sealed class WatchlistConfiguration : IEntityTypeConfiguration<Watchlist>
{
    public void Configure(EntityTypeBuilder<Watchlist> e)
    {
        e.ToTable("watchlists");
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(w => w.UserId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(w => w.UserId);
        e.HasIndex(w => w.ShareToken).IsUnique();
        e.Property(w => w.Name).HasMaxLength(Watchlist.NameMaxLength);
        e.Property(w => w.SortColumn).HasMaxLength(20);
        e.Property(w => w.ShareToken).HasMaxLength(64);
        e.Property(w => w.Columns).HasMaxLength(WatchlistColumns.MaxLength);
        e.HasMany(w => w.Items).WithOne().HasForeignKey(i => i.WatchlistId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WatchlistItemConfiguration : IEntityTypeConfiguration<WatchlistItem>
{
    public void Configure(EntityTypeBuilder<WatchlistItem> e)
    {
        e.ToTable("watchlist_items");
        e.HasIndex(i => new { i.WatchlistId, i.InstrumentId }).IsUnique();
        e.HasOne(i => i.Instrument).WithMany().HasForeignKey(i => i.InstrumentId).OnDelete(DeleteBehavior.Cascade);
        e.Property(i => i.Note).HasMaxLength(WatchlistItem.NoteMaxLength);
        e.Property(i => i.TargetPrice).HasPrecision(18, 4);
    }
}
