using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Market;

/// <summary>
/// The market's tables on any <see cref="DbContext"/>: features are given EF's base type (the context that maps
/// every feature sits in the composition root, above them all). Inside a LINQ expression use <c>Set&lt;T&gt;()</c>:
/// expression trees cannot hold extension properties.
/// </summary>
public static class MarketTables
{
    extension(DbContext db)
    {
        public DbSet<Instrument> Instruments => db.Set<Instrument>();
        public DbSet<Quote> Quotes => db.Set<Quote>();
        public DbSet<DailyBar> DailyBars => db.Set<DailyBar>();
        public DbSet<MinuteBar> MinuteBars => db.Set<MinuteBar>();
        public DbSet<MarketIndex> MarketIndices => db.Set<MarketIndex>();
        public DbSet<IndexLevel> IndexLevels => db.Set<IndexLevel>();
        public DbSet<Holiday> Holidays => db.Set<Holiday>();
        public DbSet<SpecialSession> SpecialSessions => db.Set<SpecialSession>();
        public DbSet<FeedEvent> FeedEvents => db.Set<FeedEvent>();
        public DbSet<QuarantinedTick> QuarantinedTicks => db.Set<QuarantinedTick>();
    }
}
