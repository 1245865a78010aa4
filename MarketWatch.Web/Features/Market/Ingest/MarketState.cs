using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Market.Ingest;

/// <summary>An active instrument with its stored quote and its last close before today.</summary>
public sealed record InstrumentSnapshot(Instrument Instrument, Quote? Quote, decimal? LastClose, DateOnly? LastCloseDate);

public static class MarketState
{
    /// <summary>Three queries, whatever the size of the catalogue: instruments, quotes, and the last close of each before <paramref name="today"/>.</summary>
    public static async Task<IReadOnlyList<InstrumentSnapshot>> LoadAsync(DbContext db, DateOnly today, CancellationToken cancellationToken)
    {
        var instruments = await db.Instruments.AsNoTracking().Where(i => i.IsActive).ToListAsync(cancellationToken);
        var quotes = await db.Quotes.AsNoTracking().ToDictionaryAsync(q => q.InstrumentId, cancellationToken);
        var closes = await db.DailyBars.FromSqlInterpolated($"""
                SELECT DISTINCT ON (instrument_id) * FROM daily_bars
                WHERE date < {today} ORDER BY instrument_id, date DESC
                """)
            .AsNoTracking()
            .ToDictionaryAsync(b => b.InstrumentId, cancellationToken);
        return instruments
            .Select(i => new InstrumentSnapshot(
                i,
                quotes.GetValueOrDefault(i.Id),
                closes.TryGetValue(i.Id, out var bar) ? bar.Close : null,
                closes.TryGetValue(i.Id, out bar) ? bar.Date : null))
            .ToList();
    }
}
