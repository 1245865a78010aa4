using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Market;

internal sealed class InstrumentConfiguration : IEntityTypeConfiguration<Instrument>
{
    public void Configure(EntityTypeBuilder<Instrument> e)
    {
        e.ToTable("instruments");
        e.HasIndex(i => i.Ticker).IsUnique();
        e.Property(i => i.Ticker).HasMaxLength(Instrument.TickerMaxLength);
        e.Property(i => i.Name).HasMaxLength(120);
        e.Property(i => i.Sector).HasMaxLength(60);
        e.Property(i => i.Isin).HasMaxLength(12);
        e.Property(i => i.Exchange).HasMaxLength(8);
        e.Property(i => i.Currency).HasMaxLength(3);
        e.Property(i => i.SearchText).HasMaxLength(300);
        e.Property(i => i.ReferencePrice).HasPrecision(18, 4);
        e.Ignore(i => i.SharesForCap);
    }
}

internal sealed class QuoteConfiguration : IEntityTypeConfiguration<Quote>
{
    public void Configure(EntityTypeBuilder<Quote> e)
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
    }
}

internal sealed class DailyBarConfiguration : IEntityTypeConfiguration<DailyBar>
{
    public void Configure(EntityTypeBuilder<DailyBar> e)
    {
        e.ToTable("daily_bars");
        e.HasKey(b => new { b.InstrumentId, b.Date });
        e.HasOne<Instrument>().WithMany().HasForeignKey(b => b.InstrumentId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_daily_bars_instruments_instrument_id");
        e.Property(b => b.Source).HasMaxLength(32);
        foreach (var p in new[] { nameof(DailyBar.Open), nameof(DailyBar.High), nameof(DailyBar.Low), nameof(DailyBar.Close), nameof(DailyBar.AdjustedClose) })
        {
            e.Property(p).HasPrecision(18, 4);
        }
    }
}

internal sealed class MinuteBarConfiguration : IEntityTypeConfiguration<MinuteBar>
{
    public void Configure(EntityTypeBuilder<MinuteBar> e)
    {
        e.ToTable("minute_bars");
        e.HasKey(b => new { b.InstrumentId, b.Time });
        e.HasOne<Instrument>().WithMany().HasForeignKey(b => b.InstrumentId).OnDelete(DeleteBehavior.Cascade);
        foreach (var p in new[] { nameof(MinuteBar.Open), nameof(MinuteBar.High), nameof(MinuteBar.Low), nameof(MinuteBar.Close) })
        {
            e.Property(p).HasPrecision(18, 4);
        }
    }
}

internal sealed class MarketIndexConfiguration : IEntityTypeConfiguration<MarketIndex>
{
    public void Configure(EntityTypeBuilder<MarketIndex> e)
    {
        e.ToTable("market_indices");
        e.HasIndex(i => i.Name).IsUnique();
        e.Property(i => i.Name).HasMaxLength(120);
    }
}

internal sealed class IndexLevelConfiguration : IEntityTypeConfiguration<IndexLevel>
{
    public void Configure(EntityTypeBuilder<IndexLevel> e)
    {
        e.ToTable("index_levels");
        e.HasKey(l => l.IndexId);
        e.HasOne<MarketIndex>().WithOne().HasForeignKey<IndexLevel>(l => l.IndexId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_index_levels_market_indices_index_id");
        e.Property(l => l.Level).HasPrecision(18, 4);
        e.Property(l => l.PreviousClose).HasPrecision(18, 4);
        e.Property(l => l.Change).HasPrecision(18, 4);
        e.Property(l => l.ChangePercent).HasPrecision(9, 4);
        e.Property(l => l.Source).HasMaxLength(32);
    }
}

internal sealed class HolidayConfiguration : IEntityTypeConfiguration<Holiday>
{
    public void Configure(EntityTypeBuilder<Holiday> e)
    {
        e.ToTable("holidays");
        e.HasKey(h => h.Date);
        e.Property(h => h.Name).HasMaxLength(100);
    }
}

internal sealed class SpecialSessionConfiguration : IEntityTypeConfiguration<SpecialSession>
{
    public void Configure(EntityTypeBuilder<SpecialSession> e)
    {
        e.ToTable("special_sessions");
        e.Property(s => s.Name).HasMaxLength(100);
    }
}

internal sealed class FeedEventConfiguration : IEntityTypeConfiguration<FeedEvent>
{
    public void Configure(EntityTypeBuilder<FeedEvent> e)
    {
        e.ToTable("feed_events");
        e.HasIndex(f => f.Time);
        e.Property(f => f.Provider).HasMaxLength(32);
        e.Property(f => f.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(f => f.Message).HasMaxLength(2000);
    }
}

internal sealed class QuarantinedTickConfiguration : IEntityTypeConfiguration<QuarantinedTick>
{
    public void Configure(EntityTypeBuilder<QuarantinedTick> e)
    {
        e.ToTable("quarantined_ticks");
        e.HasOne<Instrument>().WithMany().HasForeignKey(q => q.InstrumentId).OnDelete(DeleteBehavior.Cascade);
        e.Property(q => q.Reason).HasConversion<string>().HasMaxLength(24);
        e.Property(q => q.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(q => q.Source).HasMaxLength(32);
        e.Property(q => q.ResolvedBy).HasMaxLength(256);
        e.HasIndex(q => new { q.InstrumentId, q.Status });
        e.HasIndex(q => q.Time);
        // What the ingest reads every poll: admin confirmations it has not applied yet.
        e.HasIndex(q => q.Id).HasFilter("status = 'Confirmed' AND applied_at IS NULL").HasDatabaseName("ix_quarantined_ticks_to_apply");
    }
}
