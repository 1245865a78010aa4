using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Market.Calendar;

/// <summary>
/// The calendar every page and the feed read, rebuilt from the holiday and special-session tables when an
/// admin edits them here, and every few minutes so an edit on another instance arrives too.
/// </summary>
public sealed class CalendarCache(IServiceScopeFactory scopes, TimeProvider clock, ILogger<CalendarCache> logger)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    private ExchangeCalendar _current = ExchangeCalendar.WithoutMovableHolidays;
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;
    private int _refreshing;

    public ExchangeCalendar Current
    {
        get
        {
            if (clock.GetUtcNow() - _loadedAt > MaxAge && Interlocked.Exchange(ref _refreshing, 1) == 0)
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await RefreshAsync(CancellationToken.None);
                    }
                    catch (Exception ex)
                    {
                        logger.LogWarning(ex, "Could not reload the exchange calendar; keeping the previous one");
                    }
                    finally
                    {
                        Interlocked.Exchange(ref _refreshing, 0);
                    }
                });
            }
            return _current;
        }
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var holidays = await db.Holidays.AsNoTracking().ToListAsync(cancellationToken);
        var sessions = await db.SpecialSessions.AsNoTracking().ToListAsync(cancellationToken);
        _current = new ExchangeCalendar(holidays, sessions);
        _loadedAt = clock.GetUtcNow();
    }
}
