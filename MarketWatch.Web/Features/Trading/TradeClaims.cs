using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Npgsql;
using NpgsqlTypes;

namespace MarketWatch.Web.Features.Trading;

/// <summary>
/// One fill (or, with <paramref name="Quantity"/> 0, only the activation and/or the trigger) of one order at one trade.
/// <paramref name="ExpectedFilled"/> is the filled quantity the caller saw: a fill is claimed only while the order still
/// has it (so of two instances filling the same order on the same tick, one wins). <paramref name="Fees"/> is
/// <c>FeeSchedule.TradeFees(Quantity × Price, false)</c>; <paramref name="Session"/> the session of the trade and
/// <paramref name="DayVolume"/> the instrument's cumulative volume of that session (the participation base).
/// <paramref name="Activates"/>: a pending order becomes open at this trade; <paramref name="Triggers"/>: a stop's stop
/// was reached at this trade.
/// </summary>
public sealed record FillRequest(long OrderId, long ExpectedFilled, long Quantity, decimal Price, decimal Fees, DateTimeOffset TradeTime,
    DateOnly Session, long DayVolume, bool Activates, bool Triggers);

/// <summary>
/// What a claim did: the fills it made and the accounts it touched. <see cref="ShortOfCash"/>: buy orders not filled
/// because their cost exceeded their reservation plus the account's free cash (the caller rejects them with
/// <see cref="TradeClaims.NotEnoughCash"/>).
/// </summary>
public sealed record TradeClaimResult(int Fills, IReadOnlyList<int> Accounts)
{
    public IReadOnlyList<long> ShortOfCash { get; init; } = [];
    /// <summary>Orders whose request changed something (filled, activated or triggered).</summary>
    public IReadOnlyList<long> Orders { get; init; } = [];
}

/// <summary>
/// Turns trades into fills, exactly once across instances. A batch is one transaction: first the accounts concerned are
/// locked in id order (fills of one account take turns across instances, and the claim's own statement then reads their
/// current cash), then one statement (CTEs) fills only the orders still live whose filled quantity is the one the
/// caller saw, at a price their limit still allows, and writes everything a fill changes: the order (quantities,
/// amounts, fees, state, trigger, activation, the participation base re-based on a new session, its share of the
/// reservation released), its events (Activated, Triggered, Fill), the portfolio's Buy/Sell transaction and version,
/// the account's cash and reservation (summed per account), the position, and the fill notices (the first partial fill
/// and the final one) through the outbox's one definition. The NOTIFYs (orders and accounts changed, in-app toasts,
/// deliveries due) go out on commit. A buy whose cost would exceed its reservation plus free cash is left out, never
/// failing the batch, and reported in <see cref="TradeClaimResult.ShortOfCash"/>.
/// </summary>
public sealed class TradeClaims(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<TradeClaims> logger)
{
    /// <summary>The rejection reason of a buy that could not be paid for when it filled (a resource key).</summary>
    public static readonly Text NotEnoughCash = new("Not enough cash when the order filled.");

    private static readonly string Live = $"{(int)OrderState.Pending}, {(int)OrderState.Open}, {(int)OrderState.PartiallyFilled}";

    /// <summary>
    /// Locks the accounts of these orders, in id order (two instances never wait on each other crosswise); what commits
    /// before the lock is granted is what the next statement reads.
    /// </summary>
    private static readonly string LockAccounts = """
        SELECT a.id FROM paper_accounts a
        WHERE a.id IN (SELECT account_id FROM paper_orders WHERE id = ANY(@orders))
        ORDER BY a.id FOR UPDATE
        """;

    /// <summary>
    /// A bought instrument's position row exists before the claim, so that the claim's one UPDATE adds and removes
    /// shares (an insert there could not take a batch's net sale: the row's check applies before any conflict).
    /// </summary>
    private static readonly string EnsurePositions = $"""
        INSERT INTO paper_positions (account_id, instrument_id, quantity, reserved)
        SELECT DISTINCT o.account_id, o.instrument_id, 0::bigint, 0::bigint
        FROM paper_orders o WHERE o.id = ANY(@buys) AND o.side = {(int)OrderSide.Buy} AND o.state IN ({Live})
        ON CONFLICT (account_id, instrument_id) DO NOTHING
        """;

    private static readonly string Claim = $"""
        WITH req AS (
            SELECT * FROM unnest(@order, @expected, @qty, @price, @fees, @trade_time, @session, @day_volume, @activates, @triggers, @tx_date, @tx_time)
                AS r(order_id, expected, qty, price, fees, trade_time, session, day_volume, activates, triggers, tx_date, tx_time)
        ), cand AS (
            -- What each request would do to its order as it is now (the accounts are locked: this is current).
            SELECT r.*, o.account_id, o.user_id, o.instrument_id, o.side, o.type, o.quantity, o.filled_quantity AS old_filled,
                   o.state AS old_state, o.triggered_at AS old_triggered, o.updated_at AS old_updated_at,
                   r.qty * r.price AS amount,
                   -- A partial fill releases its share of the reservation, but at least its cost (fees rounded up must not
                   -- need free cash), never more than is left; the last fill releases the rest.
                   CASE WHEN o.side = {(int)OrderSide.Buy} AND r.qty > 0 THEN
                       CASE WHEN o.filled_quantity + r.qty = o.quantity THEN o.reserved_cash
                            ELSE LEAST(o.reserved_cash, GREATEST(round(o.reserved_cash * r.qty / (o.quantity - o.filled_quantity), 4),
                                                                  r.qty * r.price + r.fees)) END
                   ELSE 0 END AS released
            FROM req r JOIN paper_orders o ON o.id = r.order_id
            WHERE o.state IN ({Live})
              -- Never a trade from before the order was entered (a pending order) or became active (stale quotes on a resync).
              AND r.trade_time > CASE WHEN o.state = {(int)OrderState.Pending} THEN o.created_at ELSE coalesce(o.active_since, o.created_at) END
              AND (r.qty > 0 AND o.filled_quantity = r.expected AND r.qty <= o.quantity - o.filled_quantity
                   AND (o.state <> {(int)OrderState.Pending} OR r.activates)
                   AND (o.type NOT IN ({(int)OrderType.Stop}, {(int)OrderType.StopLimit}) OR o.triggered_at IS NOT NULL OR r.triggers)
                   AND (o.type IN ({(int)OrderType.Market}, {(int)OrderType.Stop})
                        OR (o.side = {(int)OrderSide.Buy} AND r.price <= o.limit_price) OR (o.side = {(int)OrderSide.Sell} AND r.price >= o.limit_price))
                OR r.qty = 0 AND ((r.activates AND o.state = {(int)OrderState.Pending})
                   OR (r.triggers AND o.triggered_at IS NULL AND o.type IN ({(int)OrderType.Stop}, {(int)OrderType.StopLimit})
                       AND (o.state <> {(int)OrderState.Pending} OR r.activates))))
        ), priced AS (
            -- A buy whose own cost beyond its reservation exceeds the free cash can never be paid (it is rejected).
            SELECT c.*, a.cash AS free_cash,
                   c.qty > 0 AND c.side = {(int)OrderSide.Buy} AND c.amount + c.fees - c.released > a.cash AS unaffordable
            FROM cand c JOIN paper_accounts a ON a.id = c.account_id
        ), funded AS (
            -- Each account's affordable buys in order id order: the running cost beyond their reservations must fit its
            -- free cash (an unaffordable one takes no part); each instrument's sells: the running quantity must fit the
            -- shares the account holds back for them.
            SELECT c.*,
                   sum(CASE WHEN c.side = {(int)OrderSide.Buy} AND NOT c.unaffordable THEN c.amount + c.fees - c.released ELSE 0 END)
                       OVER (PARTITION BY c.account_id ORDER BY c.order_id) AS need,
                   sum(CASE WHEN c.side = {(int)OrderSide.Sell} THEN c.qty ELSE 0 END)
                       OVER (PARTITION BY c.account_id, c.instrument_id ORDER BY c.order_id) AS selling
            FROM priced c
        ), ok AS (
            SELECT f.*, f.qty > 0 AND f.side = {(int)OrderSide.Buy} AND (f.unaffordable OR f.need > f.free_cash) AS is_short
            FROM funded f
            LEFT JOIN paper_positions p ON p.account_id = f.account_id AND p.instrument_id = f.instrument_id
            WHERE f.qty = 0 OR f.side = {(int)OrderSide.Buy} OR (p.reserved IS NOT NULL AND f.selling <= p.reserved AND f.selling <= p.quantity)
        ), go AS (
            SELECT * FROM ok WHERE NOT is_short
        ), claimed AS (
            UPDATE paper_orders o SET
                filled_quantity = o.filled_quantity + g.qty,
                filled_amount = o.filled_amount + g.amount,
                fees_paid = o.fees_paid + g.fees,
                reserved_cash = o.reserved_cash - g.released,
                state = CASE WHEN g.qty > 0 THEN CASE WHEN o.filled_quantity + g.qty = o.quantity THEN {(int)OrderState.Filled} ELSE {(int)OrderState.PartiallyFilled} END
                             WHEN o.state = {(int)OrderState.Pending} THEN {(int)OrderState.Open} ELSE o.state END,
                triggered_at = CASE WHEN g.triggers AND o.triggered_at IS NULL AND o.type IN ({(int)OrderType.Stop}, {(int)OrderType.StopLimit}) THEN g.trade_time ELSE o.triggered_at END,
                active_since = CASE WHEN o.state = {(int)OrderState.Pending} THEN g.trade_time ELSE o.active_since END,
                volume_date = g.session,
                volume_base = CASE WHEN o.volume_date IS DISTINCT FROM g.session THEN 0 ELSE o.volume_base END,
                filled_at_base = CASE WHEN o.volume_date IS DISTINCT FROM g.session THEN o.filled_quantity ELSE o.filled_at_base END,
                updated_at = @now
            FROM go g
            -- A modify or cancel committed since the snapshot (limit, quantity, reservation moved) leaves it unclaimed.
            WHERE o.id = g.order_id AND o.state IN ({Live}) AND o.filled_quantity = g.old_filled AND o.updated_at = g.old_updated_at
            RETURNING o.id, o.state, o.quantity, o.filled_quantity
        ), done AS (
            -- The event ids in the order things happened (activated, triggered, filled): the history reads by id.
            SELECT g.*, c.state AS new_state, c.filled_quantity AS new_filled,
                   CASE WHEN g.old_state = {(int)OrderState.Pending} THEN nextval(pg_get_serial_sequence('paper_order_events', 'id')) END AS activated_event_id,
                   CASE WHEN g.triggers AND g.old_triggered IS NULL AND g.type IN ({(int)OrderType.Stop}, {(int)OrderType.StopLimit})
                        THEN nextval(pg_get_serial_sequence('paper_order_events', 'id')) END AS triggered_event_id,
                   CASE WHEN g.qty > 0 THEN nextval(pg_get_serial_sequence('paper_order_events', 'id')) END AS fill_event_id,
                   CASE WHEN g.qty > 0 THEN nextval(pg_get_serial_sequence('portfolio_transactions', 'id')) END AS tx_id
            FROM go g JOIN claimed c ON c.id = g.order_id
        ), fills AS (
            SELECT * FROM done WHERE qty > 0
        ), tx AS (
            INSERT INTO portfolio_transactions (id, portfolio_id, type, date, time, instrument_id, quantity, price, amount, fees, taxes,
                fees_defaulted, taxes_defaulted, created_at)
            SELECT tx_id, account_id, side, tx_date, tx_time, instrument_id, qty, price, amount, fees, 0, false, false, @now FROM fills
        ), versions AS (
            UPDATE portfolios p SET version = p.version + x.n
            FROM (SELECT account_id, count(*) AS n FROM fills GROUP BY account_id) x WHERE p.id = x.account_id
        ), cash AS (
            UPDATE paper_accounts a SET cash = a.cash + x.delta, reserved_cash = a.reserved_cash - x.released
            FROM (SELECT account_id,
                         sum(CASE WHEN side = {(int)OrderSide.Buy} THEN released - amount - fees ELSE amount - fees END) AS delta,
                         sum(released) AS released
                  FROM fills GROUP BY account_id) x
            WHERE a.id = x.account_id
        ), positions AS (
            UPDATE paper_positions p SET quantity = p.quantity + x.bought - x.sold, reserved = p.reserved - x.sold
            FROM (SELECT account_id, instrument_id,
                         sum(CASE WHEN side = {(int)OrderSide.Buy} THEN qty ELSE 0 END) AS bought,
                         sum(CASE WHEN side = {(int)OrderSide.Sell} THEN qty ELSE 0 END) AS sold
                  FROM fills GROUP BY account_id, instrument_id) x
            WHERE p.account_id = x.account_id AND p.instrument_id = x.instrument_id
        ), events AS (
            INSERT INTO paper_order_events (id, order_id, kind, state, time, quantity, price, fees, transaction_id)
            SELECT activated_event_id, order_id, {(int)OrderEventKind.Activated}, {(int)OrderState.Open},
                   trade_time, NULL::bigint, NULL::numeric, NULL::numeric, NULL::bigint
            FROM done WHERE activated_event_id IS NOT NULL
            UNION ALL
            SELECT triggered_event_id, order_id, {(int)OrderEventKind.Triggered},
                   CASE WHEN old_state = {(int)OrderState.Pending} THEN {(int)OrderState.Open} ELSE old_state END, trade_time, NULL, price, NULL, NULL
            FROM done WHERE triggered_event_id IS NOT NULL
            UNION ALL
            SELECT fill_event_id, order_id, {(int)OrderEventKind.Fill}, new_state, trade_time, qty, price, fees, tx_id FROM fills
        ), rows AS (
            -- Told: the first fill when it leaves the order partly filled, and the fill that completes it.
            SELECT f.user_id, ch, f.fill_event_id AS event_id, NULL::bigint AS test_source_id
            FROM fills f JOIN paper_accounts a ON a.id = f.account_id CROSS JOIN LATERAL unnest(a.channels) AS ch
            WHERE f.new_state = {(int)OrderState.Filled} OR f.old_filled = 0
        ), {NotificationOutbox.InsertSql("rows", TradingChannels.NoticeSource)}
        SELECT 0 AS kind, order_id, account_id, qty, NULL::text AS user_id, NULL::int AS channel FROM done
        UNION ALL SELECT 1, order_id, account_id, 0, NULL, NULL FROM ok WHERE is_short AND unaffordable
        UNION ALL SELECT 2, NULL, NULL, 0, user_id, channel FROM deliveries
        """;

    /// <summary>Claims what still holds of <paramref name="requests"/> (at most one per order is used); see the class.</summary>
    /// <param name="source">"engine" or "sweep" (logged).</param>
    public async Task<TradeClaimResult> FillAsync(IReadOnlyList<FillRequest> requests, string source, CancellationToken cancellationToken)
    {
        var distinct = requests.DistinctBy(r => r.OrderId).Where(r => r.Quantity >= 0 && (r.Quantity > 0 || r.Activates || r.Triggers)).ToList();
        if (distinct.Count == 0)
        {
            return new TradeClaimResult(0, []);
        }
        try
        {
            return await RetryAsync(() => ClaimOnceAsync(distinct, source, cancellationToken), cancellationToken);
        }
        catch (PostgresException ex) when (distinct.Count > 1 && ex.SqlState is PostgresErrorCodes.CheckViolation or PostgresErrorCodes.UniqueViolation)
        {
            // One request broke a constraint and the batch did nothing: the other accounts' fills must not wait for it.
            logger.LogWarning(ex, "The {Source} claim of {Count} requests failed; claiming them one at a time", source, distinct.Count);
            return await OneByOneAsync(distinct, source, cancellationToken);
        }
    }

    private async Task<TradeClaimResult> OneByOneAsync(List<FillRequest> requests, string source, CancellationToken cancellationToken)
    {
        var fills = 0;
        var accounts = new SortedSet<int>();
        var orders = new List<long>();
        var shortOfCash = new List<long>();
        foreach (var request in requests)
        {
            try
            {
                var one = await RetryAsync(() => ClaimOnceAsync([request], source, cancellationToken), cancellationToken);
                fills += one.Fills;
                accounts.UnionWith(one.Accounts);
                orders.AddRange(one.Orders);
                shortOfCash.AddRange(one.ShortOfCash);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.CheckViolation or PostgresErrorCodes.UniqueViolation)
            {
                logger.LogError(ex, "The {Source} could not claim order {Order} ({Quantity} at {Price})", source, request.OrderId, request.Quantity, request.Price);
            }
        }
        return new TradeClaimResult(fills, accounts.ToList()) { ShortOfCash = shortOfCash, Orders = orders };
    }

    private async Task<TradeClaimResult> ClaimOnceAsync(List<FillRequest> requests, string source, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var orderIds = requests.Select(r => r.OrderId).ToArray();
        var fills = 0;
        var accounts = new HashSet<int>();
        var orders = new List<long>();
        var shortOfCash = new List<long>();
        var inApp = new HashSet<string>();
        var pending = false;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            var lockAccounts = new NpgsqlBatchCommand(LockAccounts);
            lockAccounts.Parameters.AddWithValue("orders", orderIds);
            batch.BatchCommands.Add(lockAccounts);
            var ensure = new NpgsqlBatchCommand(EnsurePositions);
            ensure.Parameters.AddWithValue("buys", requests.Where(r => r.Quantity > 0).Select(r => r.OrderId).ToArray());
            batch.BatchCommands.Add(ensure);
            var claim = new NpgsqlBatchCommand(Claim);
            AddClaimParameters(claim.Parameters, requests, now);
            batch.BatchCommands.Add(claim);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            // The lock's rows, then the claim's.
            while (await reader.ReadAsync(cancellationToken))
            {
            }
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                switch (reader.GetInt32(0))
                {
                    case 0:
                        orders.Add(reader.GetInt64(1));
                        accounts.Add(reader.GetInt32(2));
                        fills += reader.GetInt64(3) > 0 ? 1 : 0;
                        break;
                    case 1:
                        shortOfCash.Add(reader.GetInt64(1));
                        break;
                    default:
                        if ((Channel)reader.GetInt32(5) == Channel.InApp)
                        {
                            inApp.Add(reader.GetString(4));
                        }
                        else
                        {
                            pending = true;
                        }
                        break;
                }
            }
        }
        await NotifyAsync(connection, transaction, orders, accounts, inApp, pending, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (fills > 0)
        {
            logger.LogDebug("The {Source} filled {Fills} orders of {Accounts} accounts", source, fills, accounts.Count);
        }
        return new TradeClaimResult(fills, accounts.Order().ToList()) { ShortOfCash = shortOfCash, Orders = orders };
    }

    private static void AddClaimParameters(NpgsqlParameterCollection parameters, List<FillRequest> requests, DateTimeOffset now)
    {
        var local = requests.Select(r => TimeZoneInfo.ConvertTime(r.TradeTime, ExchangeCalendar.Zone).DateTime).ToList();
        parameters.AddArray("order", requests, r => r.OrderId, NpgsqlDbType.Bigint);
        parameters.AddArray("expected", requests, r => r.ExpectedFilled, NpgsqlDbType.Bigint);
        parameters.AddArray("qty", requests, r => r.Quantity, NpgsqlDbType.Bigint);
        parameters.AddArray("price", requests, r => r.Price, NpgsqlDbType.Numeric);
        parameters.AddArray("fees", requests, r => r.Fees, NpgsqlDbType.Numeric);
        parameters.AddArray("trade_time", requests, r => r.TradeTime, NpgsqlDbType.TimestampTz);
        parameters.AddArray("session", requests, r => r.Session, NpgsqlDbType.Date);
        parameters.AddArray("day_volume", requests, r => r.DayVolume, NpgsqlDbType.Bigint);
        parameters.AddArray("activates", requests, r => r.Activates, NpgsqlDbType.Boolean);
        parameters.AddArray("triggers", requests, r => r.Triggers, NpgsqlDbType.Boolean);
        // The transaction's date and time in exchange time (as a broker's statement shows it), to the second.
        parameters.AddArray("tx_date", local, t => DateOnly.FromDateTime(t), NpgsqlDbType.Date);
        parameters.AddArray("tx_time", local, t => new TimeOnly(t.Hour, t.Minute, t.Second), NpgsqlDbType.Time);
        NotificationOutbox.AddInsertParameters(parameters, now);
    }

    private static readonly string Reject = $"""
        WITH was AS (
            SELECT o.id, o.account_id, o.user_id, o.instrument_id, o.side, o.quantity - o.filled_quantity AS remaining, o.reserved_cash
            FROM paper_orders o WHERE o.id = ANY(@orders) AND o.state IN ({Live})
        ), rejected AS (
            UPDATE paper_orders o SET state = {(int)OrderState.Rejected}, reject_reason = @reason, reserved_cash = 0, updated_at = @now
            FROM was WHERE o.id = was.id AND o.state IN ({Live})
            RETURNING o.id
        ), gone AS (
            SELECT was.*, nextval(pg_get_serial_sequence('paper_order_events', 'id')) AS event_id
            FROM was JOIN rejected r ON r.id = was.id
        ), cash AS (
            UPDATE paper_accounts a SET cash = a.cash + x.released, reserved_cash = a.reserved_cash - x.released
            FROM (SELECT account_id, sum(reserved_cash) AS released FROM gone GROUP BY account_id) x WHERE a.id = x.account_id
        ), shares AS (
            UPDATE paper_positions p SET reserved = p.reserved - x.remaining
            FROM (SELECT account_id, instrument_id, sum(remaining) AS remaining FROM gone WHERE side = {(int)OrderSide.Sell}
                  GROUP BY account_id, instrument_id) x
            WHERE p.account_id = x.account_id AND p.instrument_id = x.instrument_id
        ), events AS (
            INSERT INTO paper_order_events (id, order_id, kind, state, time, reason)
            SELECT event_id, id, {(int)OrderEventKind.Rejected}, {(int)OrderState.Rejected}, @now, @reason FROM gone
        ), rows AS (
            SELECT g.user_id, ch, g.event_id, NULL::bigint AS test_source_id
            FROM gone g JOIN paper_accounts a ON a.id = g.account_id CROSS JOIN LATERAL unnest(a.channels) AS ch
        ), {NotificationOutbox.InsertSql("rows", TradingChannels.NoticeSource)}
        SELECT 0 AS kind, id, account_id, NULL::text AS user_id, NULL::int AS channel FROM gone
        UNION ALL SELECT 1, NULL, NULL, user_id, channel FROM deliveries
        """;

    /// <summary>
    /// Rejects these orders (those still live) with <paramref name="reason"/> (a resource key): state Rejected, the
    /// order's cash reservation back to free cash and a sell's held shares released, a Rejected event, the rejection
    /// notice on the account's channels, the NOTIFYs. Returns the orders rejected.
    /// </summary>
    public async Task<IReadOnlyList<long>> RejectAsync(IReadOnlyCollection<long> orderIds, string reason, CancellationToken cancellationToken)
    {
        if (orderIds.Count == 0)
        {
            return [];
        }
        return await RetryAsync(async () =>
        {
            var now = clock.GetUtcNow();
            var ids = orderIds.Distinct().ToArray();
            var rejected = new List<long>();
            var accounts = new HashSet<int>();
            var inApp = new HashSet<string>();
            var pending = false;
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var batch = new NpgsqlBatch(connection, transaction))
            {
                var lockAccounts = new NpgsqlBatchCommand(LockAccounts);
                lockAccounts.Parameters.AddWithValue("orders", ids);
                batch.BatchCommands.Add(lockAccounts);
                var reject = new NpgsqlBatchCommand(Reject);
                reject.Parameters.AddWithValue("orders", ids);
                reject.Parameters.AddWithValue("reason", reason);
                NotificationOutbox.AddInsertParameters(reject.Parameters, now);
                batch.BatchCommands.Add(reject);
                await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                }
                await reader.NextResultAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    if (reader.GetInt32(0) == 0)
                    {
                        rejected.Add(reader.GetInt64(1));
                        accounts.Add(reader.GetInt32(2));
                    }
                    else if ((Channel)reader.GetInt32(4) == Channel.InApp)
                    {
                        inApp.Add(reader.GetString(3));
                    }
                    else
                    {
                        pending = true;
                    }
                }
            }
            await NotifyAsync(connection, transaction, rejected, accounts, inApp, pending, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (rejected.Count > 0)
            {
                logger.LogInformation("Rejected {Count} paper orders: {Reason}", rejected.Count, reason);
            }
            return (IReadOnlyList<long>)rejected;
        }, cancellationToken);
    }

    /// <summary>
    /// Pending orders become open at a trade of their session (<see cref="FillRequest"/> with quantity 0 and
    /// <see cref="FillRequest.Activates"/>): ActiveSince = the trade's time, VolumeDate = the session, VolumeBase = 0.
    /// </summary>
    public async Task<IReadOnlyList<long>> ActivateAsync(IReadOnlyCollection<long> orderIds, DateTimeOffset tradeTime, DateOnly session, CancellationToken cancellationToken)
    {
        var result = await FillAsync(orderIds.Select(id => new FillRequest(id, 0, 0, 0, 0, tradeTime, session, 0, Activates: true, Triggers: false)).ToList(),
            "activation", cancellationToken);
        return result.Orders;
    }

    private static async Task NotifyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<long> orders, HashSet<int> accounts,
        HashSet<string> inApp, bool pending, CancellationToken cancellationToken)
    {
        if (orders.Count > 0)
        {
            // Every instance's engine reloads these orders; every page of these accounts redraws.
            await TradingChannels.OrdersChangedAsync(connection, orders, cancellationToken, transaction);
            await TradingChannels.AccountsChangedAsync(connection, accounts, cancellationToken, transaction);
        }
        if (inApp.Count > 0)
        {
            await PostgresListener.NotifyAsync(connection, NotificationOutbox.UserNotificationsChannel, inApp, cancellationToken, transaction);
        }
        if (pending)
        {
            await NotificationOutbox.NotifyDueAsync(connection, transaction, cancellationToken);
        }
    }

    /// <summary>
    /// A deadlock with another writer of the same orders or accounts (entry takes its rows in its own order) costs a
    /// retry, not the batch: PostgreSQL aborted one of the two, which did nothing.
    /// </summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work();
            }
            catch (PostgresException ex) when (attempt < 4 && ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await Task.Delay(20 * attempt, cancellationToken);
            }
        }
    }
}
