using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Trading;

/// <summary>One fill of an order: its event, the trade's quantity, price and fees.</summary>
public sealed record FillRow(long EventId, long OrderId, string Ticker, OrderSide Side, long Quantity, decimal Price, decimal Fees, DateTimeOffset Time);

/// <summary>
/// A user's orders, for the pages and the API: live ones, the history of the current run, one order and its events, the
/// fills. Null (or missing) for another user's account or order.
/// </summary>
public sealed class OrderQueries(DbContext db)
{
    /// <summary>Live orders (pending, open, partially filled) with their instrument, newest first.</summary>
    public async Task<List<PaperOrder>?> OpenAsync(string userId, int accountId, CancellationToken cancellationToken) =>
        await OwnsAsync(userId, accountId, cancellationToken)
            ? await db.PaperOrders.AsNoTracking().Include(o => o.Instrument)
                .Where(o => o.AccountId == accountId
                    && (o.State == OrderState.Pending || o.State == OrderState.Open || o.State == OrderState.PartiallyFilled))
                .OrderByDescending(o => o.Id).ToListAsync(cancellationToken)
            : null;

    /// <summary>Done orders (filled, cancelled, rejected) of the account's current run, newest first.</summary>
    public async Task<List<PaperOrder>?> HistoryAsync(string userId, int accountId, int take, CancellationToken cancellationToken)
    {
        var run = await RunAsync(userId, accountId, cancellationToken);
        return run is null ? null
            : await db.PaperOrders.AsNoTracking().Include(o => o.Instrument)
                .Where(o => o.AccountId == accountId && o.Run == run
                    && (o.State == OrderState.Filled || o.State == OrderState.Cancelled || o.State == OrderState.Rejected))
                .OrderByDescending(o => o.Id).Take(Math.Clamp(take, 1, 1000)).ToListAsync(cancellationToken);
    }

    public Task<PaperOrder?> FindAsync(string userId, long orderId, CancellationToken cancellationToken) =>
        db.PaperOrders.AsNoTracking().Include(o => o.Instrument).SingleOrDefaultAsync(o => o.Id == orderId && o.UserId == userId, cancellationToken);

    /// <summary>The order's events, oldest first; null when it is not the user's.</summary>
    public async Task<List<PaperOrderEvent>?> EventsAsync(string userId, long orderId, CancellationToken cancellationToken) =>
        await db.PaperOrders.AnyAsync(o => o.Id == orderId && o.UserId == userId, cancellationToken)
            ? await db.PaperOrderEvents.AsNoTracking().Where(e => e.OrderId == orderId).OrderBy(e => e.Id).ToListAsync(cancellationToken)
            : null;

    /// <summary>The fills of the account's current run, newest first.</summary>
    public async Task<List<FillRow>?> FillsAsync(string userId, int accountId, int take, CancellationToken cancellationToken)
    {
        var run = await RunAsync(userId, accountId, cancellationToken);
        if (run is null)
        {
            return null;
        }
        return await (from e in db.PaperOrderEvents.AsNoTracking()
                      join o in db.PaperOrders.AsNoTracking() on e.OrderId equals o.Id
                      where o.AccountId == accountId && o.Run == run && e.Kind == OrderEventKind.Fill
                      orderby e.Id descending
                      select new FillRow(e.Id, o.Id, o.Instrument!.Ticker, o.Side, e.Quantity ?? 0, e.Price ?? 0, e.Fees ?? 0, e.Time))
            .Take(Math.Clamp(take, 1, 1000)).ToListAsync(cancellationToken);
    }

    private Task<bool> OwnsAsync(string userId, int accountId, CancellationToken cancellationToken) =>
        db.PaperAccounts.AnyAsync(a => a.Id == accountId && a.UserId == userId, cancellationToken);

    private Task<int?> RunAsync(string userId, int accountId, CancellationToken cancellationToken) =>
        db.PaperAccounts.Where(a => a.Id == accountId && a.UserId == userId).Select(a => (int?)a.Run).SingleOrDefaultAsync(cancellationToken);
}
