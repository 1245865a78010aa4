using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Trading;
using MarketWatch.Web.Infrastructure.Data;
using Npgsql;
using NpgsqlTypes;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>
/// Paper accounts and orders made in SQL as entry would leave them (cash reserved for buys, shares for sells, the
/// participation base at the current volume), for the engine and claim tests and the process-level fault tests, plus
/// the reconciliation query the issue asks for. Entry has its own tests; these only need its rows.
/// </summary>
public sealed class EngineScenario(string database)
{
    public string ConnectionString => TestDatabase.ConnectionStringFor(database);

    public sealed record Account(int Id, string UserId);

    public sealed record Order(int Account, string Ticker, OrderSide Side, OrderType Type, long Quantity, decimal? Limit = null, decimal? Stop = null,
        decimal? ReservationPrice = null, OrderState State = OrderState.Open);

    /// <summary><paramref name="count"/> users, each with one paper account of <paramref name="startingCash"/> (and its deposit).</summary>
    public async Task<List<Account>> AccountsAsync(int count, decimal startingCash, string prefix = "trader")
    {
        var ids = Enumerable.Range(0, count).Select(_ => $"{prefix}-{Guid.NewGuid():N}").ToArray();
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var users = new NpgsqlCommand("""
            INSERT INTO users (id, display_name, time_zone, language, theme, created_at, user_name, normalized_user_name, email,
                               normalized_email, email_confirmed, security_stamp, concurrency_stamp, phone_number_confirmed,
                               two_factor_enabled, lockout_enabled, access_failed_count)
            SELECT id, 'Trader', 'Africa/Casablanca', 'en', 'system', now(), id || '@example.com', upper(id || '@example.com'),
                   id || '@example.com', upper(id || '@example.com'), true, md5(id), md5(id || '.'), false, false, true, 0
            FROM unnest(@ids) AS x(id)
            """, connection, transaction))
        {
            users.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids });
            await users.ExecuteNonQueryAsync();
        }
        var accounts = new List<Account>();
        await using (var made = new NpgsqlCommand($"""
            WITH p AS (
                INSERT INTO portfolios (user_id, name, currency, kind, account_at_bank, share_shows_amounts, created_at, version)
                SELECT id, 'Paper', 'MAD', {(int)PortfolioKind.Paper}, false, false, now(), 1 FROM unnest(@ids) AS x(id)
                RETURNING id, user_id
            ), a AS (
                INSERT INTO paper_accounts (id, user_id, starting_cash, cash, reserved_cash, run, run_started_at, on_leaderboard, channels, created_at)
                SELECT id, user_id, @cash, @cash, 0, 1, now(), false, ARRAY[0, 2], now() FROM p
            ), d AS (
                INSERT INTO portfolio_transactions (portfolio_id, type, date, quantity, price, amount, fees, taxes, created_at)
                SELECT id, {(int)TransactionType.Deposit}, (now() AT TIME ZONE 'Africa/Casablanca')::date, 0, 0, @cash, 0, 0, now() FROM p
            )
            SELECT id, user_id FROM p ORDER BY id
            """, connection, transaction))
        {
            made.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids });
            made.Parameters.AddWithValue("cash", startingCash);
            await using var reader = await made.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                accounts.Add(new Account(reader.GetInt32(0), reader.GetString(1)));
            }
        }
        await transaction.CommitAsync();
        return accounts;
    }

    /// <summary>Shares an account already holds (bought earlier: a Buy transaction and the position).</summary>
    public async Task HoldAsync(int account, string ticker, long quantity, decimal price)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand($"""
            WITH i AS (SELECT id FROM instruments WHERE ticker = @ticker), t AS (
                INSERT INTO portfolio_transactions (portfolio_id, type, date, instrument_id, quantity, price, amount, fees, taxes, created_at)
                SELECT @account, {(int)TransactionType.Buy}, (now() AT TIME ZONE 'Africa/Casablanca')::date, i.id, @qty, @price, @qty * @price, 0, 0, now() FROM i
            ), c AS (
                UPDATE paper_accounts SET starting_cash = starting_cash + @qty * @price WHERE id = @account
            )
            INSERT INTO paper_positions (account_id, instrument_id, quantity, reserved) SELECT @account, i.id, @qty, 0 FROM i
            ON CONFLICT (account_id, instrument_id) DO UPDATE SET quantity = paper_positions.quantity + excluded.quantity
            """, connection);
        // The starting cash grows by the cost, so that the reconciliation (cash + reserved + fills = start) still holds.
        command.Parameters.AddWithValue("ticker", ticker);
        command.Parameters.AddWithValue("account", account);
        command.Parameters.AddWithValue("qty", quantity);
        command.Parameters.AddWithValue("price", price);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Orders as entry places them: active now (or pending), the participation base at the instrument's current volume
    /// of today, a buy's reservation (amount at its reservation price plus the estimated fees) moved from cash, a sell's
    /// shares held back; then every engine is told. Returns their ids in the given order.
    /// </summary>
    public async Task<List<long>> PlaceAsync(params Order[] orders)
    {
        var fees = FeeSchedule.Defaults;
        var reserved = orders.Select(o => o.Side == OrderSide.Buy
            ? o.Quantity * (o.Limit ?? o.ReservationPrice ?? throw new ArgumentException("a market or stop buy needs its reservation price"))
              + fees.TradeFees(o.Quantity * (o.Limit ?? o.ReservationPrice!.Value), false)
            : 0m).ToArray();
        var ids = new List<long>();
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"""
            WITH x AS (
                SELECT * FROM unnest(@account, @ticker, @side, @type, @qty, @limit, @stop, @reserved, @reservation, @state) WITH ORDINALITY
                    AS x(account_id, ticker, side, type, qty, limit_price, stop_price, reserved, reservation, state, n)
            ), made AS (
                INSERT INTO paper_orders (account_id, user_id, run, instrument_id, side, type, quantity, filled_quantity, limit_price, stop_price,
                    validity, expires_at, state, reserved_cash, reservation_price, active_since, volume_date, volume_base, filled_at_base,
                    filled_amount, fees_paid, created_at, updated_at)
                SELECT x.account_id, a.user_id, a.run, i.id, x.side, x.type, x.qty, 0, x.limit_price, x.stop_price,
                    {(int)OrderValidity.GoodTillCancelled}, now() + interval '30 days', x.state, x.reserved,
                    CASE WHEN x.side = {(int)OrderSide.Buy} THEN x.reservation END,
                    CASE WHEN x.state = {(int)OrderState.Open} THEN now() END,
                    CASE WHEN x.state = {(int)OrderState.Open} THEN (now() AT TIME ZONE 'Africa/Casablanca')::date END,
                    CASE WHEN x.state = {(int)OrderState.Open} AND (q.time AT TIME ZONE 'Africa/Casablanca')::date = (now() AT TIME ZONE 'Africa/Casablanca')::date
                         THEN q.volume ELSE 0 END,
                    0, 0, 0, now(), now()
                FROM x JOIN paper_accounts a ON a.id = x.account_id JOIN instruments i ON i.ticker = x.ticker
                LEFT JOIN quotes q ON q.instrument_id = i.id
                ORDER BY x.n
                RETURNING id, account_id, instrument_id, side, quantity, reserved_cash
            ), cash AS (
                UPDATE paper_accounts a SET cash = a.cash - s.total, reserved_cash = a.reserved_cash + s.total
                FROM (SELECT account_id, sum(reserved_cash) AS total FROM made GROUP BY account_id) s WHERE a.id = s.account_id
            ), shares AS (
                UPDATE paper_positions p SET reserved = p.reserved + s.total
                FROM (SELECT account_id, instrument_id, sum(quantity) AS total FROM made WHERE side = {(int)OrderSide.Sell} GROUP BY 1, 2) s
                WHERE p.account_id = s.account_id AND p.instrument_id = s.instrument_id
            )
            SELECT id FROM made ORDER BY id
            """, connection, transaction))
        {
            command.Parameters.AddArray("account", orders, o => o.Account, NpgsqlDbType.Integer);
            command.Parameters.AddArray("ticker", orders, o => o.Ticker, NpgsqlDbType.Text);
            command.Parameters.AddArray("side", orders, o => (int)o.Side, NpgsqlDbType.Integer);
            command.Parameters.AddArray("type", orders, o => (int)o.Type, NpgsqlDbType.Integer);
            command.Parameters.AddArray("qty", orders, o => o.Quantity, NpgsqlDbType.Bigint);
            command.Parameters.AddArray("limit", orders, o => o.Limit, NpgsqlDbType.Numeric);
            command.Parameters.AddArray("stop", orders, o => o.Stop, NpgsqlDbType.Numeric);
            command.Parameters.AddArray("reserved", reserved, r => r, NpgsqlDbType.Numeric);
            command.Parameters.AddArray("reservation", orders, o => o.Limit ?? o.ReservationPrice, NpgsqlDbType.Numeric);
            command.Parameters.AddArray("state", orders, o => (int)o.State, NpgsqlDbType.Integer);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        await TradingChannels.OrdersChangedAsync(connection, ids, CancellationToken.None, transaction);
        await transaction.CommitAsync();
        return ids;
    }

    /// <summary>
    /// The reconciliation: every account and position that does not add up, as text (empty when all do). Per account:
    /// cash + reserved + Σ buys (amount + fees) − Σ sells (amount − fees) = starting cash, to the dirham (exactly, in
    /// fact); Σ reservations of live buys = reserved cash. Per position: quantity = Σ bought − Σ sold (the portfolio's
    /// transactions, Deposit aside), reserved = Σ remaining of live sells. Per order: its fills add up to its filled
    /// quantity and amount, each fill has its Buy/Sell transaction.
    /// </summary>
    public async Task<List<string>> ReconcileAsync()
    {
        var problems = new List<string>();
        await using var connection = await OpenAsync();
        foreach (var sql in new[]
                 {
                     $"""
                     SELECT 'account ' || a.id || ': cash ' || a.cash || ' + reserved ' || a.reserved_cash || ' + bought ' || coalesce(t.bought, 0)
                            || ' - sold ' || coalesce(t.sold, 0) || ' <> start ' || a.starting_cash
                     FROM paper_accounts a LEFT JOIN (
                         SELECT portfolio_id,
                                sum(CASE WHEN type = {(int)TransactionType.Buy} THEN amount + fees ELSE 0 END) AS bought,
                                sum(CASE WHEN type = {(int)TransactionType.Sell} THEN amount - fees ELSE 0 END) AS sold
                         FROM portfolio_transactions GROUP BY portfolio_id) t ON t.portfolio_id = a.id
                     WHERE a.cash + a.reserved_cash + coalesce(t.bought, 0) - coalesce(t.sold, 0) <> a.starting_cash
                     """,
                     $"""
                     SELECT 'account ' || a.id || ': reserved ' || a.reserved_cash || ' <> live buys'' reservations ' || coalesce(o.held, 0)
                     FROM paper_accounts a LEFT JOIN (
                         SELECT account_id, sum(reserved_cash) AS held FROM paper_orders
                         WHERE state IN ({(int)OrderState.Pending}, {(int)OrderState.Open}, {(int)OrderState.PartiallyFilled}) GROUP BY account_id) o
                         ON o.account_id = a.id
                     WHERE a.reserved_cash <> coalesce(o.held, 0)
                     """,
                     $"""
                     SELECT 'position ' || p.account_id || '/' || p.instrument_id || ': quantity ' || p.quantity || ' <> held ' || coalesce(t.held, 0)
                     FROM paper_positions p LEFT JOIN (
                         SELECT portfolio_id, instrument_id, sum(CASE type WHEN {(int)TransactionType.Buy} THEN quantity WHEN {(int)TransactionType.Sell} THEN -quantity ELSE 0 END) AS held
                         FROM portfolio_transactions WHERE instrument_id IS NOT NULL GROUP BY 1, 2) t
                         ON t.portfolio_id = p.account_id AND t.instrument_id = p.instrument_id
                     WHERE p.quantity <> coalesce(t.held, 0)
                     """,
                     $"""
                     SELECT 'position ' || p.account_id || '/' || p.instrument_id || ': reserved ' || p.reserved || ' <> live sells ' || coalesce(o.remaining, 0)
                     FROM paper_positions p LEFT JOIN (
                         SELECT account_id, instrument_id, sum(quantity - filled_quantity) AS remaining FROM paper_orders
                         WHERE side = {(int)OrderSide.Sell} AND state IN ({(int)OrderState.Pending}, {(int)OrderState.Open}, {(int)OrderState.PartiallyFilled})
                         GROUP BY 1, 2) o ON o.account_id = p.account_id AND o.instrument_id = p.instrument_id
                     WHERE p.reserved <> coalesce(o.remaining, 0)
                     """,
                     $"""
                     SELECT 'order ' || o.id || ': filled ' || o.filled_quantity || ' for ' || o.filled_amount || ', its fills ' || coalesce(f.qty, 0)
                            || ' for ' || coalesce(f.amount, 0) || ' (' || coalesce(f.n, 0) || ' fills, ' || coalesce(f.tx, 0) || ' transactions)'
                     FROM paper_orders o LEFT JOIN (
                         SELECT e.order_id, sum(e.quantity) AS qty, sum(e.quantity * e.price) AS amount, count(*) AS n, count(t.id) AS tx
                         FROM paper_order_events e LEFT JOIN portfolio_transactions t ON t.id = e.transaction_id AND t.quantity = e.quantity AND t.price = e.price
                         WHERE e.kind = {(int)OrderEventKind.Fill} GROUP BY e.order_id) f ON f.order_id = o.id
                     WHERE o.filled_quantity <> coalesce(f.qty, 0) OR o.filled_amount <> coalesce(f.amount, 0) OR coalesce(f.n, 0) <> coalesce(f.tx, 0)
                     """,
                 })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                problems.Add(reader.GetString(0));
            }
        }
        return problems;
    }

    public sealed record OrderRow(long Id, OrderState State, long Filled, decimal FilledAmount, decimal Fees, decimal Reserved, bool Triggered, string? RejectReason);

    public async Task<List<OrderRow>> OrdersAsync(IEnumerable<long> ids)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT id, state, filled_quantity, filled_amount, fees_paid, reserved_cash, triggered_at IS NOT NULL, reject_reason
            FROM paper_orders WHERE id = ANY(@ids) ORDER BY id
            """, connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        var rows = new List<OrderRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new OrderRow(reader.GetInt64(0), (OrderState)reader.GetInt32(1), reader.GetInt64(2), reader.GetDecimal(3), reader.GetDecimal(4),
                reader.GetDecimal(5), reader.GetBoolean(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
        }
        return rows;
    }

    /// <summary>Each order's events, kinds in id order.</summary>
    public async Task<Dictionary<long, List<OrderEventKind>>> EventsAsync(IEnumerable<long> ids)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT order_id, kind FROM paper_order_events WHERE order_id = ANY(@ids) ORDER BY id", connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        var events = new Dictionary<long, List<OrderEventKind>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var order = reader.GetInt64(0);
            if (!events.TryGetValue(order, out var list))
            {
                events[order] = list = [];
            }
            list.Add((OrderEventKind)reader.GetInt32(1));
        }
        return events;
    }

    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
