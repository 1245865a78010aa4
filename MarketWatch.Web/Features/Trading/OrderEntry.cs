using System.Globalization;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketWatch.Web.Features.Trading;

/// <summary>
/// An order as the user enters it (the ticket and the API). Field errors are reported on these property names.
/// <see cref="Validity"/> null means <see cref="OrderValidity.Day"/>; a price the type does not use is ignored.
/// </summary>
public sealed record OrderInput(string? Ticker, OrderSide? Side, OrderType? Type, long? Quantity, decimal? LimitPrice,
    decimal? StopPrice, OrderValidity? Validity, DateOnly? ExpiresOn);

/// <summary>A change to a live order; null leaves that part as it is.</summary>
public sealed record OrderChange(long? Quantity, decimal? LimitPrice, decimal? StopPrice);

/// <summary>
/// What the ticket shows while the user types: the day's reference price and thresholds, the tick at the price, the
/// estimated price (the limit, the stop, or the last trade for a market order), its amount, fees and total (a buy's
/// cost, a sell's proceeds), what the account has free, and whether it will wait for the next session.
/// </summary>
public sealed record OrderCheck(string Ticker, decimal Reference, PriceBand Band, decimal Tick, decimal? Last, decimal EstimatedPrice,
    decimal Amount, decimal Fees, decimal Total, decimal AvailableCash, long AvailableShares, bool WaitsForSession);

/// <summary>
/// Order entry, for the pages and the API alike: check (the ticket's live validation), place, modify and cancel.
/// Every change runs in one transaction under the account's advisory lock "paper:{id}": the checks of cash, shares and
/// the open-order cap see what the user's other requests did, reservations move with the order, an event is written,
/// and every engine and live page is told on commit. Another user's account or order is not found.
/// </summary>
public sealed class OrderEntry(
    DbContext db,
    TickSizes tickSizes,
    FeeSchedules feeSchedules,
    CalendarCache calendars,
    MarketStatusService status,
    IOptions<TradingOptions> options,
    TimeProvider clock)
{
    /// <summary>Everything the rules need about the instrument and the account, read at one moment.</summary>
    private sealed record Context(PaperAccount Account, Instrument Instrument, Quote? Quote, DateOnly Session, decimal Reference, PriceBand Band,
        IReadOnlyList<(decimal MinPrice, decimal Tick)> Bands, FeeSchedule Fees, long SharesHeld, long SharesReserved, bool Trading);

    public async Task<Outcome<OrderCheck>> CheckAsync(string userId, int accountId, OrderInput input, CancellationToken cancellationToken)
    {
        var account = await db.PaperAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == accountId && a.UserId == userId, cancellationToken);
        if (account is null)
        {
            return Outcome<OrderCheck>.Missing;
        }
        var (context, error) = await ValidateAsync(account, input, cancellationToken);
        if (error is not null)
        {
            return new Outcome<OrderCheck>(default, error, true);
        }
        var c = context!;
        var type = input.Type!.Value;
        var side = input.Side!.Value;
        var quantity = input.Quantity!.Value;
        var price = type switch
        {
            OrderType.Limit or OrderType.StopLimit => input.LimitPrice!.Value,
            OrderType.Stop => input.StopPrice!.Value,
            _ => c.Quote?.Last is { } last && last > 0 ? last : c.Reference,
        };
        var amount = quantity * price;
        var fees = c.Fees.TradeFees(amount, false);
        return Outcome<OrderCheck>.Done(new OrderCheck(c.Instrument.Ticker, c.Reference, c.Band, TickGrid.TickAt(c.Bands, price), c.Quote?.Last,
            price, amount, fees, side == OrderSide.Buy ? amount + fees : amount - fees, c.Account.Cash, c.SharesHeld - c.SharesReserved, !c.Trading));
    }

    public async Task<Outcome<PaperOrder>> PlaceAsync(string userId, int accountId, OrderInput input, CancellationToken cancellationToken)
    {
        if (!await db.PaperAccounts.AnyAsync(a => a.Id == accountId && a.UserId == userId, cancellationToken))
        {
            return Outcome<PaperOrder>.Missing;
        }
        return await AdvisoryLock.InTransactionAsync(db, LockName(accountId), async () =>
        {
            await LockAccountAsync(accountId, cancellationToken);
            var account = await db.PaperAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == accountId && a.UserId == userId, cancellationToken);
            if (account is null)
            {
                return Outcome<PaperOrder>.Missing;
            }
            if (await CompetitionErrorAsync(account, cancellationToken) is { } competitionError)
            {
                return new Outcome<PaperOrder>(default, competitionError, true);
            }
            var (context, error) = await ValidateAsync(account, input, cancellationToken);
            if (error is not null)
            {
                return new Outcome<PaperOrder>(default, error, true);
            }
            var open = await db.PaperOrders.CountAsync(o => o.AccountId == accountId
                && (o.State == OrderState.Pending || o.State == OrderState.Open || o.State == OrderState.PartiallyFilled), cancellationToken);
            if (open >= options.Value.MaxOpenOrdersPerAccount)
            {
                return new Outcome<PaperOrder>(default, new FieldError("",
                    new Text("An account can have at most {0} open orders. Cancel one to place another.", options.Value.MaxOpenOrdersPerAccount), LimitReached: true), true);
            }
            var c = context!;
            var now = clock.GetUtcNow();
            var type = input.Type!.Value;
            var side = input.Side!.Value;
            var order = new PaperOrder
            {
                AccountId = accountId,
                UserId = userId,
                Run = account.Run,
                InstrumentId = c.Instrument.Id,
                Side = side,
                Type = type,
                Quantity = input.Quantity!.Value,
                LimitPrice = UsesLimit(type) ? input.LimitPrice : null,
                StopPrice = UsesStop(type) ? input.StopPrice : null,
                Validity = input.Validity ?? OrderValidity.Day,
                ExpiresOn = input.Validity == OrderValidity.GoodTillDate ? input.ExpiresOn : null,
                CreatedAt = now,
                UpdatedAt = now,
            };
            // The calendar answers in exchange time; PostgreSQL stores UTC.
            order.ExpiresAt = OrderSchedule.ExpiresAt(calendars.Current, now, order.Validity, order.ExpiresOn, options.Value.MaxGoodTillDays).ToUniversalTime();
            if (c.Trading)
            {
                order.State = OrderState.Open;
                order.ActiveSince = now;
                order.VolumeDate = c.Session;
                order.VolumeBase = c.Quote is { } q && ExchangeCalendar.ExchangeDate(q.Time) == c.Session ? q.Volume : 0;
            }
            else
            {
                order.State = OrderState.Pending;
            }
            if (side == OrderSide.Buy)
            {
                var (price, reserved) = Reservation(c, type, order.LimitPrice, order.Quantity);
                if (await MoveCashAsync(accountId, reserved, cancellationToken) == 0)
                {
                    return new Outcome<PaperOrder>(default, CashError(reserved, price, account.Cash), true);
                }
                order.ReservationPrice = price;
                order.ReservedCash = reserved;
            }
            else if (await MoveSharesAsync(accountId, c.Instrument.Id, order.Quantity, cancellationToken) == 0)
            {
                return new Outcome<PaperOrder>(default, SharesError(c.SharesHeld - c.SharesReserved, c.Instrument.Ticker), true);
            }
            db.Add(order);
            await db.SaveChangesAsync(cancellationToken);
            db.Add(new PaperOrderEvent
            {
                OrderId = order.Id,
                Kind = OrderEventKind.Entered,
                State = order.State,
                Time = now,
                Quantity = order.Quantity,
                Price = order.LimitPrice ?? order.StopPrice,
            });
            await db.SaveChangesAsync(cancellationToken);
            await NotifyAsync(order.Id, accountId, cancellationToken);
            order.Instrument = c.Instrument;
            return Outcome<PaperOrder>.Done(order);
        }, cancellationToken);
    }

    /// <summary>
    /// Changes a live order's quantity (never below what has filled) and its prices, checked as at entry (grid,
    /// thresholds, a stop-limit's sides); a buy's reservation is recomputed and the difference taken from or given back
    /// to free cash, a sell's held shares follow its remaining quantity. Nothing else is re-based (the order keeps its
    /// place in the participation count).
    /// </summary>
    public async Task<Outcome<PaperOrder>> ModifyAsync(string userId, long orderId, OrderChange change, CancellationToken cancellationToken)
    {
        var accountId = await db.PaperOrders.Where(o => o.Id == orderId && o.UserId == userId).Select(o => (int?)o.AccountId).SingleOrDefaultAsync(cancellationToken);
        if (accountId is not { } id)
        {
            return Outcome<PaperOrder>.Missing;
        }
        return await AdvisoryLock.InTransactionAsync(db, LockName(id), async () =>
        {
            // The account's row lock first (as the engine's claims take it: account, then order), then the order's: a fill
            // cannot land between the check and the change (it waits, then sees the new order).
            await LockAccountAsync(id, cancellationToken);
            var order = await db.PaperOrders.FromSql($"SELECT * FROM paper_orders WHERE id = {orderId} FOR UPDATE")
                .Where(o => o.UserId == userId).Include(o => o.Instrument).SingleOrDefaultAsync(cancellationToken);
            if (order is null)
            {
                return Outcome<PaperOrder>.Missing;
            }
            if (!OrderStates.CanChange(order.State))
            {
                return Outcome<PaperOrder>.Refused("", new Text("This order is no longer open: it can no longer be changed."));
            }
            var account = await db.PaperAccounts.AsNoTracking().SingleAsync(a => a.Id == id, cancellationToken);
            var quantity = change.Quantity ?? order.Quantity;
            var limit = UsesLimit(order.Type) ? change.LimitPrice ?? order.LimitPrice : null;
            var stop = UsesStop(order.Type) ? change.StopPrice ?? order.StopPrice : null;
            if (QuantityError(quantity) is { } quantityError)
            {
                return new Outcome<PaperOrder>(default, quantityError, true);
            }
            if (quantity <= order.FilledQuantity)
            {
                return Outcome<PaperOrder>.Refused(nameof(OrderChange.Quantity),
                    new Text("The quantity must be more than the {0} shares already filled.", order.FilledQuantity));
            }
            if (order.TriggeredAt is not null && change.StopPrice is { } newStop && newStop != order.StopPrice)
            {
                return Outcome<PaperOrder>.Refused(nameof(OrderChange.StopPrice), new Text("This order's stop has been reached: its stop price can no longer change."));
            }
            var c = await MarketAsync(account, order.Instrument!, cancellationToken);
            if (PriceError(c, order.Type, order.Side, limit, stop) is { } priceError)
            {
                return new Outcome<PaperOrder>(default, priceError, true);
            }
            if (quantity == order.Quantity && limit == order.LimitPrice && stop == order.StopPrice)
            {
                return Outcome<PaperOrder>.Done(order);
            }
            var remaining = quantity - order.FilledQuantity;
            if (order.Side == OrderSide.Buy)
            {
                var (price, reserved) = Reservation(c, order.Type, limit, remaining);
                if (await MoveCashAsync(id, reserved - order.ReservedCash, cancellationToken) == 0)
                {
                    return new Outcome<PaperOrder>(default, CashError(reserved, price, account.Cash + order.ReservedCash) with { Field = nameof(OrderChange.Quantity) }, true);
                }
                order.ReservationPrice = price;
                order.ReservedCash = reserved;
            }
            else if (await MoveSharesAsync(id, order.InstrumentId, remaining - order.Remaining, cancellationToken) == 0)
            {
                return new Outcome<PaperOrder>(default, SharesError(c.SharesHeld - c.SharesReserved + order.Remaining, order.Instrument!.Ticker), true);
            }
            var now = clock.GetUtcNow();
            order.Quantity = quantity;
            order.LimitPrice = limit;
            order.StopPrice = stop;
            order.UpdatedAt = now;
            db.Add(new PaperOrderEvent { OrderId = order.Id, Kind = OrderEventKind.Modified, State = order.State, Time = now, Quantity = quantity, Price = limit ?? stop });
            await db.SaveChangesAsync(cancellationToken);
            await NotifyAsync(order.Id, id, cancellationToken);
            return Outcome<PaperOrder>.Done(order);
        }, cancellationToken);
    }

    /// <summary>Cancels a live order (reason: the user), releasing what it held; refused when it is no longer live.</summary>
    public async Task<Outcome<PaperOrder>> CancelAsync(string userId, long orderId, CancellationToken cancellationToken)
    {
        var accountId = await db.PaperOrders.Where(o => o.Id == orderId && o.UserId == userId).Select(o => (int?)o.AccountId).SingleOrDefaultAsync(cancellationToken);
        if (accountId is not { } id)
        {
            return Outcome<PaperOrder>.Missing;
        }
        var cancelled = await AdvisoryLock.InTransactionAsync(db, LockName(id), async () =>
        {
            var (connection, transaction) = Connection();
            return await OrderCancellation.CancelAsync(connection, transaction, [orderId], CancelReason.User, clock.GetUtcNow(), cancellationToken);
        }, cancellationToken);
        var order = await db.PaperOrders.AsNoTracking().Include(o => o.Instrument).SingleAsync(o => o.Id == orderId, cancellationToken);
        return cancelled.Count > 0 ? Outcome<PaperOrder>.Done(order)
            : Outcome<PaperOrder>.Refused("", new Text("This order is no longer open: it can no longer be cancelled."));
    }

    /// <summary>The account's advisory lock: order entry, modification, cancellation and reset of one account take turns.</summary>
    public static string LockName(int accountId) => "paper:" + accountId;

    private static bool UsesLimit(OrderType type) => type is OrderType.Limit or OrderType.StopLimit;

    private static bool UsesStop(OrderType type) => type is OrderType.Stop or OrderType.StopLimit;

    /// <summary>The first refused rule of an order, in the order the ticket reads (instrument, side, type, quantity, prices, validity, money).</summary>
    private async Task<(Context? Context, FieldError? Error)> ValidateAsync(PaperAccount account, OrderInput input, CancellationToken cancellationToken)
    {
        var ticker = input.Ticker?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(ticker))
        {
            return (null, new FieldError(nameof(OrderInput.Ticker), new Text("Enter the ticker of the stock to trade.")));
        }
        var instrument = await db.Instruments.AsNoTracking().SingleOrDefaultAsync(i => i.Ticker == ticker, cancellationToken);
        if (instrument is null)
        {
            return (null, new FieldError(nameof(OrderInput.Ticker), new Text("No listed stock has the ticker {0}.", ticker)));
        }
        if (!instrument.IsActive)
        {
            return (null, new FieldError(nameof(OrderInput.Ticker), new Text("{0} is not traded any more: orders cannot be placed on it.", instrument.Ticker)));
        }
        if (input.Side is not { } side || !Enum.IsDefined(side))
        {
            return (null, new FieldError(nameof(OrderInput.Side), new Text("Choose buy or sell.")));
        }
        if (input.Type is not { } type || !Enum.IsDefined(type))
        {
            return (null, new FieldError(nameof(OrderInput.Type), new Text("Choose the order type: market, limit, stop or stop-limit.")));
        }
        if (QuantityError(input.Quantity) is { } quantityError)
        {
            return (null, quantityError);
        }
        var c = await MarketAsync(account, instrument, cancellationToken);
        if (PriceError(c, type, side, UsesLimit(type) ? input.LimitPrice : null, UsesStop(type) ? input.StopPrice : null) is { } priceError)
        {
            return (null, priceError);
        }
        if (ValidityError(input) is { } validityError)
        {
            return (null, validityError);
        }
        var quantity = input.Quantity!.Value;
        if (side == OrderSide.Buy)
        {
            var (price, reserved) = Reservation(c, type, UsesLimit(type) ? input.LimitPrice : null, quantity);
            if (reserved > account.Cash)
            {
                return (null, CashError(reserved, price, account.Cash));
            }
        }
        else if (quantity > c.SharesHeld - c.SharesReserved)
        {
            return (null, SharesError(c.SharesHeld - c.SharesReserved, instrument.Ticker));
        }
        return (c, null);
    }

    private FieldError? QuantityError(long? quantity)
    {
        if (quantity is not { } q)
        {
            return new FieldError(nameof(OrderInput.Quantity), new Text("Enter the number of shares."));
        }
        if (q <= 0)
        {
            return new FieldError(nameof(OrderInput.Quantity), new Text("Enter a whole number of shares, at least 1."));
        }
        if (q > options.Value.MaxOrderQuantity)
        {
            return new FieldError(nameof(OrderInput.Quantity), new Text("An order can be for at most {0} shares.", Count(options.Value.MaxOrderQuantity)));
        }
        return null;
    }

    /// <summary>Limit and stop: given when the type needs them, above 0, on the tick grid; a limit within the day's thresholds; a stop-limit's limit on the right side of its stop.</summary>
    private static FieldError? PriceError(Context c, OrderType type, OrderSide side, decimal? limit, decimal? stop)
    {
        if (UsesStop(type) && StepError(c, nameof(OrderInput.StopPrice), stop, new Text("A stop order needs a stop price.")) is { } stopError)
        {
            return stopError;
        }
        if (UsesLimit(type))
        {
            if (StepError(c, nameof(OrderInput.LimitPrice), limit, new Text("A limit order needs a limit price.")) is { } limitError)
            {
                return limitError;
            }
            if (!c.Band.Contains(limit!.Value))
            {
                return new FieldError(nameof(OrderInput.LimitPrice),
                    new Text("The limit must be within today's thresholds, from {0} to {1} MAD around the reference price of {2} MAD.",
                        Price(c.Band.Low), Price(c.Band.High), Price(c.Reference)));
            }
            if (type == OrderType.StopLimit && side == OrderSide.Buy && limit < stop)
            {
                return new FieldError(nameof(OrderInput.LimitPrice), new Text("A buy stop-limit's limit must be at or above its stop ({0} MAD).", Price(stop!.Value)));
            }
            if (type == OrderType.StopLimit && side == OrderSide.Sell && limit > stop)
            {
                return new FieldError(nameof(OrderInput.LimitPrice), new Text("A sell stop-limit's limit must be at or below its stop ({0} MAD).", Price(stop!.Value)));
            }
        }
        return null;
    }

    private static FieldError? StepError(Context c, string field, decimal? price, Text missing)
    {
        if (price is not { } p)
        {
            return new FieldError(field, missing);
        }
        if (p <= 0 || p > PortfolioTransactions.MaxPrice)
        {
            return new FieldError(field, new Text("Enter a price above 0 MAD."));
        }
        if (!TickGrid.OnGrid(c.Bands, p))
        {
            var tick = TickGrid.TickAt(c.Bands, p);
            var from = c.Bands.Where(b => b.MinPrice <= p).Select(b => b.MinPrice).DefaultIfEmpty(0).Max();
            return new FieldError(field, new Text("Prices from {0} MAD move in steps of {1} MAD: try {2} or {3}.",
                Price(from), Price(tick), Price(TickGrid.Down(c.Bands, p)), Price(TickGrid.Up(c.Bands, p))));
        }
        return null;
    }

    private FieldError? ValidityError(OrderInput input)
    {
        var validity = input.Validity ?? OrderValidity.Day;
        if (!Enum.IsDefined(validity))
        {
            return new FieldError(nameof(OrderInput.Validity), new Text("Choose the validity: day, good till date or good till cancelled."));
        }
        if (validity != OrderValidity.GoodTillDate)
        {
            return input.ExpiresOn is null ? null
                : new FieldError(nameof(OrderInput.ExpiresOn), new Text("Only a good-till-date order takes an end date."));
        }
        var today = ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
        var max = options.Value.MaxGoodTillDays;
        return input.ExpiresOn switch
        {
            null => new FieldError(nameof(OrderInput.ExpiresOn), new Text("Choose the date the order lasts until.")),
            { } d when d <= today => new FieldError(nameof(OrderInput.ExpiresOn), new Text("Choose a date after today.")),
            // Entered outside trading, the order's first session may be days ahead: an end before it would be moved silently.
            { } d when OrderSchedule.SessionDate(calendars.Current, clock.GetUtcNow()) is var session && d < session =>
                new FieldError(nameof(OrderInput.ExpiresOn), new Text("Choose a date on or after {0}, the order's first session.", Format.Date(session))),
            { } d when d > today.AddDays(max) => new FieldError(nameof(OrderInput.ExpiresOn), new Text("Choose a date at most {0} days ahead.", max)),
            _ => null,
        };
    }

    private async Task<Context> MarketAsync(PaperAccount account, Instrument instrument, CancellationToken cancellationToken)
    {
        var bands = await tickSizes.GetAsync(cancellationToken);
        var quote = await db.Quotes.AsNoTracking().SingleOrDefaultAsync(q => q.InstrumentId == instrument.Id, cancellationToken);
        var now = clock.GetUtcNow();
        var session = OrderSchedule.SessionDate(calendars.Current, now);
        var reference = PriceBand.ReferencePrice(quote?.Last, quote?.PreviousClose, quote?.Time, session, instrument.ReferencePrice);
        var band = PriceBand.Around(reference, options.Value.PriceLimitRate, bands);
        var position = await db.PaperPositions.AsNoTracking().Where(p => p.AccountId == account.Id && p.InstrumentId == instrument.Id)
            .Select(p => new { p.Quantity, p.Reserved }).SingleOrDefaultAsync(cancellationToken);
        return new Context(account, instrument, quote, session, reference, band, bands, await feeSchedules.GetAsync(cancellationToken),
            position?.Quantity ?? 0, position?.Reserved ?? 0, status.Now().Phase == MarketPhase.Continuous);
    }

    /// <summary>A buy's reservation: the remaining quantity at the reservation price, plus the fees on that amount.</summary>
    private static (decimal Price, decimal Reserved) Reservation(Context c, OrderType type, decimal? limit, long quantity)
    {
        var price = OrderMatching.ReservationPrice(type, limit, c.Band);
        var amount = quantity * price;
        return (price, amount + c.Fees.TradeFees(amount, false));
    }

    private static FieldError CashError(decimal needed, decimal price, decimal available) =>
        new(nameof(OrderInput.Quantity), new Text("This order holds {0} MAD until it fills (up to {1} MAD a share, with estimated fees); {2} MAD is available.",
            Price(needed), Price(price), Price(available)));

    private static FieldError SharesError(long available, string ticker) =>
        new(nameof(OrderInput.Quantity), new Text("You have {0} shares of {1} available to sell (short selling is not allowed).", Count(available), ticker));

    /// <summary>Free cash to reserved (a negative amount gives back); 0 rows when free cash does not cover it.</summary>
    private Task<int> MoveCashAsync(int accountId, decimal amount, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            UPDATE paper_accounts SET cash = cash - {amount}, reserved_cash = reserved_cash + {amount}
            WHERE id = {accountId} AND cash >= {amount} AND reserved_cash + {amount} >= 0
            """, cancellationToken);

    /// <summary>Shares held for a sell (a negative count gives back); 0 rows when the available shares do not cover it.</summary>
    private async Task<int> MoveSharesAsync(int accountId, int instrumentId, long shares, CancellationToken cancellationToken) =>
        shares == 0 ? 1 : await db.Database.ExecuteSqlInterpolatedAsync($"""
            UPDATE paper_positions SET reserved = reserved + {shares}
            WHERE account_id = {accountId} AND instrument_id = {instrumentId} AND quantity - reserved >= {shares} AND reserved + {shares} >= 0
            """, cancellationToken);

    /// <summary>A competition's account trades only from the competition's first day to its last (exchange dates).</summary>
    private async Task<FieldError?> CompetitionErrorAsync(PaperAccount account, CancellationToken cancellationToken)
    {
        if (account.CompetitionId is not { } competitionId
            || await db.PaperCompetitions.AsNoTracking().SingleOrDefaultAsync(c => c.Id == competitionId, cancellationToken) is not { } competition)
        {
            return null;
        }
        var today = ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
        return today < competition.StartsOn
            ? new FieldError("", new Text("This competition starts on {0}: its account takes orders from then.", Format.Date(competition.StartsOn)))
            : today > competition.EndsOn
                ? new FieldError("", new Text("This competition ended on {0}: its account takes no more orders.", Format.Date(competition.EndsOn)))
                : null;
    }

    /// <summary>Locks the account's row, always before any of its orders or positions (the engine's claims lock in that order).</summary>
    private Task<int> LockAccountAsync(int accountId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"SELECT id FROM paper_accounts WHERE id = {accountId} FOR UPDATE", cancellationToken);

    private (NpgsqlConnection Connection, NpgsqlTransaction Transaction) Connection() =>
        ((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());

    private async Task NotifyAsync(long orderId, int accountId, CancellationToken cancellationToken)
    {
        var (connection, transaction) = Connection();
        await TradingChannels.OrdersChangedAsync(connection, [orderId], cancellationToken, transaction);
        await TradingChannels.AccountsChangedAsync(connection, [accountId], cancellationToken, transaction);
    }

    /// <summary>A price as messages show it: 2 decimals at least, 4 at most, in the reader's culture.</summary>
    internal static string Price(decimal value) => Format.Isolated(value.ToString("#,0.00##", CultureInfo.CurrentCulture));

    private static string Count(long value) => Format.Count(value);
}
