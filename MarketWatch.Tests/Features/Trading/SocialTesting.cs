using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Trading;
using MarketWatch.Web.Host;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>
/// Paper accounts, orders and their events written straight into the database, as the order entry and the engine leave
/// them (a portfolio of kind Paper, its account row, a deposit and fills as transactions), for the notice, leaderboard
/// and competition tests.
/// </summary>
public static class SocialTesting
{
    /// <summary>An account opened on <paramref name="openedOn"/> with <paramref name="cash"/>, then the given buys at that day's close (no fees).</summary>
    public static Task<int> AccountAsync(MarketWatchFactory app, string userId, string name, decimal cash, DateOnly openedOn,
        bool onLeaderboard = false, string? displayName = null, int? competitionId = null, params (int InstrumentId, long Quantity)[] buys) =>
        app.WithDbAsync(async db =>
        {
            var portfolio = new Portfolio { UserId = userId, Name = name, Kind = PortfolioKind.Paper, CreatedAt = DateTimeOffset.UtcNow };
            db.Portfolios.Add(portfolio);
            await db.SaveChangesAsync();
            var spent = 0m;
            db.PortfolioTransactions.Add(new PortfolioTransaction
            {
                PortfolioId = portfolio.Id, Type = TransactionType.Deposit, Date = openedOn, Amount = cash, CreatedAt = DateTimeOffset.UtcNow,
            });
            foreach (var (instrumentId, quantity) in buys)
            {
                var close = await CloseAsync(db, instrumentId, openedOn);
                spent += quantity * close;
                db.PortfolioTransactions.Add(new PortfolioTransaction
                {
                    PortfolioId = portfolio.Id, Type = TransactionType.Buy, Date = openedOn, InstrumentId = instrumentId, Quantity = quantity, Price = close,
                    Amount = quantity * close, CreatedAt = DateTimeOffset.UtcNow,
                });
                db.PaperPositions.Add(new PaperPosition { AccountId = portfolio.Id, InstrumentId = instrumentId, Quantity = quantity });
            }
            var started = new DateTimeOffset(openedOn.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
            db.PaperAccounts.Add(new PaperAccount
            {
                Id = portfolio.Id, UserId = userId, StartingCash = cash, Cash = cash - spent, RunStartedAt = started, CreatedAt = started,
                OnLeaderboard = onLeaderboard, DisplayName = displayName, CompetitionId = competitionId,
            });
            await db.SaveChangesAsync();
            return portfolio.Id;
        });

    public static Task<decimal> CloseAsync(AppDbContext db, int instrumentId, DateOnly date) =>
        db.DailyBars.Where(b => b.InstrumentId == instrumentId && b.Date == date).Select(b => b.Close).SingleAsync();

    /// <summary>The sessions with daily bars of an instrument, oldest first.</summary>
    public static Task<List<DateOnly>> SessionsAsync(MarketWatchFactory app, int instrumentId) =>
        app.WithDbAsync(db => db.DailyBars.AsNoTracking().Where(b => b.InstrumentId == instrumentId).Select(b => b.Date).Distinct().OrderBy(d => d).ToListAsync());

    public static Task<(int Id, string Ticker)> InstrumentAsync(MarketWatchFactory app, string ticker) =>
        app.WithDbAsync(async db =>
        {
            var instrument = await db.Instruments.AsNoTracking().Where(i => i.Ticker == ticker).Select(i => new { i.Id, i.Ticker }).SingleAsync();
            return (instrument.Id, instrument.Ticker);
        });

    /// <summary>An order of the account (as entered), with the given events written after it; returns the order and the events' ids.</summary>
    public static Task<(long OrderId, long[] Events)> OrderAsync(MarketWatchFactory app, int accountId, string userId, int instrumentId, OrderSide side,
        long quantity, decimal? limit, OrderState state, long filled, decimal filledAmount, decimal fees, string? rejectReason,
        params PaperOrderEvent[] events) =>
        app.WithDbAsync(async db =>
        {
            var now = DateTimeOffset.UtcNow;
            var order = new PaperOrder
            {
                AccountId = accountId, UserId = userId, Run = 1, InstrumentId = instrumentId, Side = side, Type = limit is null ? OrderType.Market : OrderType.Limit,
                Quantity = quantity, FilledQuantity = filled, LimitPrice = limit, Validity = OrderValidity.Day, ExpiresAt = now.AddHours(8), State = state,
                RejectReason = rejectReason, FilledAmount = filledAmount, FeesPaid = fees, CreatedAt = now, UpdatedAt = now,
            };
            db.PaperOrders.Add(order);
            await db.SaveChangesAsync();
            foreach (var e in events)
            {
                e.OrderId = order.Id;
                db.PaperOrderEvents.Add(e);
            }
            await db.SaveChangesAsync();
            return (order.Id, events.Select(e => e.Id).ToArray());
        });
}
