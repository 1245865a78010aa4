using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Market;

/// <summary>The market tables: catalogue, latest quotes, bars, indices, calendar and feed events.</summary>
public static class MarketDbModel
{
    public static void Configure(ModelBuilder builder)
    {
        builder.Entity<Instrument>(e =>
        {
            e.ToTable("instruments");
            e.HasIndex(i => i.Ticker).IsUnique();
            e.Property(i => i.Ticker).HasMaxLength(16);
            e.Property(i => i.Name).HasMaxLength(120);
            e.Property(i => i.Sector).HasMaxLength(60);
            e.Property(i => i.Isin).HasMaxLength(12);
            e.Property(i => i.Exchange).HasMaxLength(8);
            e.Property(i => i.Currency).HasMaxLength(3);
            e.Property(i => i.SearchText).HasMaxLength(300);
            e.Property(i => i.ReferencePrice).HasPrecision(18, 4);
            e.Ignore(i => i.SharesForCap);
        });
        builder.Entity<Quote>(e =>
        {
            e.ToTable("quotes");
            e.HasKey(q => q.InstrumentId);
            e.HasOne<Instrument>().WithOne().HasForeignKey<Quote>(q => q.InstrumentId).OnDelete(DeleteBehavior.Cascade);
            e.Property(q => q.Source).HasMaxLength(32);
            foreach (var p in new[] { nameof(Quote.Last), nameof(Quote.Open), nameof(Quote.High), nameof(Quote.Low), nameof(Quote.PreviousClose), nameof(Quote.Change), nameof(Quote.Bid), nameof(Quote.Ask) })
            {
                e.Property(p).HasPrecision(18, 4);
            }
            e.Property(q => q.ChangePercent).HasPrecision(9, 4);
            e.Property(q => q.ValueTraded).HasPrecision(20, 2);
        });
        builder.Entity<DailyBar>(e =>
        {
            e.ToTable("daily_bars");
            e.HasKey(b => new { b.InstrumentId, b.Date });
            e.HasOne<Instrument>().WithMany().HasForeignKey(b => b.InstrumentId).OnDelete(DeleteBehavior.Cascade);
            e.Property(b => b.Source).HasMaxLength(32);
            foreach (var p in new[] { nameof(DailyBar.Open), nameof(DailyBar.High), nameof(DailyBar.Low), nameof(DailyBar.Close), nameof(DailyBar.AdjustedClose) })
            {
                e.Property(p).HasPrecision(18, 4);
            }
        });
        builder.Entity<MinuteBar>(e =>
        {
            e.ToTable("minute_bars");
            e.HasKey(b => new { b.InstrumentId, b.Time });
            e.HasOne<Instrument>().WithMany().HasForeignKey(b => b.InstrumentId).OnDelete(DeleteBehavior.Cascade);
            foreach (var p in new[] { nameof(MinuteBar.Open), nameof(MinuteBar.High), nameof(MinuteBar.Low), nameof(MinuteBar.Close) })
            {
                e.Property(p).HasPrecision(18, 4);
            }
        });
        builder.Entity<MarketIndex>(e =>
        {
            e.ToTable("market_indices");
            e.HasIndex(i => i.Name).IsUnique();
            e.Property(i => i.Name).HasMaxLength(120);
        });
        builder.Entity<IndexLevel>(e =>
        {
            e.ToTable("index_levels");
            e.HasKey(l => l.IndexId);
            e.HasOne<MarketIndex>().WithOne().HasForeignKey<IndexLevel>(l => l.IndexId).OnDelete(DeleteBehavior.Cascade);
            e.Property(l => l.Level).HasPrecision(18, 4);
            e.Property(l => l.PreviousClose).HasPrecision(18, 4);
            e.Property(l => l.Change).HasPrecision(18, 4);
            e.Property(l => l.ChangePercent).HasPrecision(9, 4);
            e.Property(l => l.Source).HasMaxLength(32);
        });
        builder.Entity<Holiday>(e =>
        {
            e.ToTable("holidays");
            e.HasKey(h => h.Date);
            e.Property(h => h.Name).HasMaxLength(100);
        });
        builder.Entity<SpecialSession>(e =>
        {
            e.ToTable("special_sessions");
            e.Property(s => s.Name).HasMaxLength(100);
        });
        builder.Entity<FeedEvent>(e =>
        {
            e.ToTable("feed_events");
            e.HasIndex(f => f.Time);
            e.Property(f => f.Provider).HasMaxLength(32);
            e.Property(f => f.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(f => f.Message).HasMaxLength(2000);
        });
    }
}
