using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Trading;

/// <summary>
/// The demo account's paper account: opened six weeks ago with 100,000 MAD, a few market orders filled at those days'
/// closes (real Buy/Sell transactions of the paper portfolio, fees from the fee schedule, with their orders and events),
/// then one good-till-cancelled limit buy below the market placed through the order entry, so it is open and holds its
/// cash like any other. Created once (by name).
/// </summary>
public static class PaperDemo
{
    public const string AccountName = "Practice account";
    public const string DisplayName = "Demo investor";

    // Sessions before the latest one, what, and a budget in MAD (a sale sells that share of the position).
    private static readonly (int SessionsAgo, OrderSide Side, string Ticker, decimal Budget)[] Plan =
    [
        (30, OrderSide.Buy, "ATW", 25_000),
        (28, OrderSide.Buy, "IAM", 20_000),
        (21, OrderSide.Buy, "LHM", 15_000),
        (12, OrderSide.Sell, "IAM", 0.5m),
        (5, OrderSide.Buy, "BCP", 10_000),
    ];

    public static async Task SeedAsync(IServiceProvider services, string userId, ILogger logger, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var db = services.GetRequiredService<DbContext>();
        var names = await db.Set<Portfolio>().Where(p => p.UserId == userId && p.Kind == PortfolioKind.Paper).Select(p => p.Name).ToListAsync(ct);
        if (names.Contains(AccountName))
        {
            return;
        }
        var tickers = Plan.Select(p => p.Ticker).Distinct().ToList();
        var instruments = await db.Set<Instrument>().AsNoTracking().Where(i => tickers.Contains(i.Ticker) && i.IsActive).ToDictionaryAsync(i => i.Ticker, ct);
        var sessions = instruments.Count == 0 ? [] : await db.Set<DailyBar>().AsNoTracking().Where(b => b.InstrumentId == instruments.Values.First().Id)
            .OrderByDescending(b => b.Date).Select(b => b.Date).Take(40).ToListAsync(ct);
        if (instruments.Count < tickers.Count || sessions.Count < 40)
        {
            logger.LogWarning("Demo paper account not created: the market has no history to build it from");
            return;
        }
        var accounts = services.GetRequiredService<PaperAccounts>();
        var opened = await accounts.OpenAsync(userId, new PaperAccountInput(AccountName, 100_000m), ct);
        if (opened.Value is not { } account)
        {
            logger.LogWarning("Demo paper account not created: {Error}", opened.Error?.Message);
            return;
        }
        var fees = await services.GetRequiredService<FeeSchedules>().GetAsync(ct);
        var calendar = services.GetRequiredService<CalendarCache>().Current;
        var start = sessions[^1];
        var startedAt = ExchangeCalendar.At(start, new TimeOnly(9, 30)).ToUniversalTime();
        // One transaction for the history, retried as a unit by the app's execution strategy.
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var stored = await db.Set<PaperAccount>().SingleAsync(a => a.Id == account.Id, ct);
            var portfolio = await db.Set<Portfolio>().SingleAsync(p => p.Id == account.Id, ct);
            // The run started with the history: the opening deposit is dated then.
            stored.RunStartedAt = stored.CreatedAt = portfolio.CreatedAt = startedAt;
            stored.OnLeaderboard = true;
            stored.DisplayName = DisplayName;
            await db.Set<PortfolioTransaction>().Where(t => t.PortfolioId == account.Id && t.Type == TransactionType.Deposit)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Date, start), ct);
            var held = new Dictionary<int, long>();
            foreach (var (ago, side, ticker, budget) in Plan)
            {
                var instrument = instruments[ticker];
                var day = sessions[ago];
                var close = await db.Set<DailyBar>().AsNoTracking().Where(b => b.InstrumentId == instrument.Id && b.Date == day).Select(b => (decimal?)b.Close).FirstOrDefaultAsync(ct);
                if (close is not { } price || price <= 0)
                {
                    continue;
                }
                var quantity = side == OrderSide.Buy ? (long)(budget / price) : (long)(held.GetValueOrDefault(instrument.Id) * budget);
                if (quantity <= 0)
                {
                    continue;
                }
                var amount = quantity * price;
                var fee = fees.TradeFees(amount, false);
                var at = ExchangeCalendar.At(day, new TimeOnly(11, 0)).ToUniversalTime();
                var tx = new PortfolioTransaction
                {
                    PortfolioId = account.Id, Type = side == OrderSide.Buy ? TransactionType.Buy : TransactionType.Sell, Date = day, Time = new TimeOnly(11, 0),
                    InstrumentId = instrument.Id, Quantity = quantity, Price = price, Amount = amount, Fees = fee, CreatedAt = at,
                };
                db.Add(tx);
                var order = new PaperOrder
                {
                    AccountId = account.Id, UserId = userId, Run = stored.Run, InstrumentId = instrument.Id, Side = side, Type = OrderType.Market,
                    Quantity = quantity, FilledQuantity = quantity, Validity = OrderValidity.Day, ExpiresAt = OrderSchedule.CloseOf(calendar, day).ToUniversalTime(),
                    State = OrderState.Filled, ActiveSince = at.AddMinutes(-1), VolumeDate = day, FilledAmount = amount, FeesPaid = fee,
                    CreatedAt = at.AddMinutes(-1), UpdatedAt = at,
                };
                db.Add(order);
                await db.SaveChangesAsync(ct);
                db.AddRange(
                    new PaperOrderEvent { OrderId = order.Id, Kind = OrderEventKind.Entered, State = OrderState.Open, Time = order.CreatedAt },
                    new PaperOrderEvent { OrderId = order.Id, Kind = OrderEventKind.Fill, State = OrderState.Filled, Time = at, Quantity = quantity, Price = price, Fees = fee, TransactionId = tx.Id });
                held[instrument.Id] = held.GetValueOrDefault(instrument.Id) + (side == OrderSide.Buy ? quantity : -quantity);
                stored.Cash += side == OrderSide.Buy ? -(amount + fee) : amount - fee;
            }
            foreach (var (instrumentId, quantity) in held.Where(h => h.Value > 0))
            {
                db.Add(new PaperPosition { AccountId = account.Id, InstrumentId = instrumentId, Quantity = quantity });
            }
            portfolio.Version++;
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        });
        db.ChangeTracker.Clear();
        await PlaceOpenLimitAsync(services, userId, account.Id, instruments["ATW"].Ticker, logger, ct);
        logger.LogInformation("Demo paper account created with {Count} filled orders and one open limit order", Plan.Length);
    }

    /// <summary>A limit buy 5 % below the reference (on the tick grid, inside the day's thresholds), placed as a user would.</summary>
    private static async Task PlaceOpenLimitAsync(IServiceProvider services, string userId, int accountId, string ticker, ILogger logger, CancellationToken ct)
    {
        var entry = services.GetRequiredService<OrderEntry>();
        var probe = new OrderInput(ticker, OrderSide.Buy, OrderType.Market, 10, null, null, OrderValidity.GoodTillCancelled, null);
        var check = await entry.CheckAsync(userId, accountId, probe, ct);
        if (check.Value is not { } c)
        {
            logger.LogWarning("Demo paper account: no open order placed ({Error})", check.Error?.Message);
            return;
        }
        var bands = await services.GetRequiredService<TickSizes>().GetAsync(ct);
        var limit = TickGrid.Down(bands, c.Reference * 0.95m);
        if (limit < c.Band.Low)
        {
            limit = TickGrid.Up(bands, c.Band.Low);
        }
        var placed = await entry.PlaceAsync(userId, accountId, probe with { Type = OrderType.Limit, LimitPrice = limit }, ct);
        if (placed.Error is { } error)
        {
            logger.LogWarning("Demo paper account: the open order was refused: {Field} {Error}", error.Field, error.Message);
        }
    }
}
