using Npgsql;
using NpgsqlTypes;

namespace MarketWatch.Web.Features.Trading;

/// <summary>
/// Cancels live orders in one statement, whoever asks (the user, a reset, the sweep at expiry or the close): each
/// order still live becomes Cancelled with its reason, its cash reservation goes back to free cash, a sell's
/// remaining shares stop being held, a Cancelled event is written, and every engine and live page is told on commit.
/// An order that filled or was cancelled meanwhile is left as it is (the row lock makes a concurrent fill go first or
/// find it cancelled).
/// </summary>
public static class OrderCancellation
{
    /// <summary>The resource key an order event and the pages say a cancellation with.</summary>
    public static string ReasonKey(CancelReason reason) => reason switch
    {
        CancelReason.Expired => "Expired: its validity ended.",
        CancelReason.Close => "Cancelled at the close: a day order ends with its session.",
        CancelReason.Reset => "Cancelled by the account's reset.",
        _ => "Cancelled by you.",
    };

    /// <summary>
    /// The orders' accounts are locked first, in id order, as the engine's claims lock them: accounts, then orders (never
    /// the other way round, which would deadlock against a claim).
    /// </summary>
    private const string LockAccounts = """
        SELECT a.id FROM paper_accounts a
        WHERE a.id IN (SELECT account_id FROM paper_orders WHERE id = ANY(@ids))
        ORDER BY a.id FOR UPDATE
        """;

    private static readonly string Sql = $"""
        WITH live AS (
            SELECT id, account_id, instrument_id, side, quantity - filled_quantity AS remaining, reserved_cash
            FROM paper_orders
            WHERE id = ANY(@ids) AND state IN ({(int)OrderState.Pending}, {(int)OrderState.Open}, {(int)OrderState.PartiallyFilled})
            ORDER BY id
            FOR UPDATE
        ), cancelled AS (
            UPDATE paper_orders o SET state = {(int)OrderState.Cancelled}, cancel_reason = @reason, reserved_cash = 0, updated_at = @now
            FROM live WHERE o.id = live.id
            RETURNING live.id, live.account_id, live.instrument_id, live.side, live.remaining, live.reserved_cash
        ), cash AS (
            UPDATE paper_accounts a SET cash = a.cash + s.released, reserved_cash = a.reserved_cash - s.released
            FROM (SELECT account_id, sum(reserved_cash) AS released FROM cancelled WHERE side = {(int)OrderSide.Buy} GROUP BY account_id) s
            WHERE a.id = s.account_id
        ), shares AS (
            UPDATE paper_positions p SET reserved = greatest(0, p.reserved - s.released)
            FROM (SELECT account_id, instrument_id, sum(remaining) AS released FROM cancelled WHERE side = {(int)OrderSide.Sell}
                  GROUP BY account_id, instrument_id) s
            WHERE p.account_id = s.account_id AND p.instrument_id = s.instrument_id
        ), events AS (
            INSERT INTO paper_order_events (order_id, kind, state, time, reason)
            SELECT id, {(int)OrderEventKind.Cancelled}, {(int)OrderState.Cancelled}, @now, @key FROM cancelled
        )
        SELECT id, account_id FROM cancelled
        """;

    /// <summary>Cancels those of <paramref name="orderIds"/> still live; answers the ids it cancelled.</summary>
    public static async Task<IReadOnlyList<long>> CancelAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        IReadOnlyCollection<long> orderIds, CancelReason reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (orderIds.Count == 0)
        {
            return [];
        }
        var cancelled = new List<long>();
        var accounts = new HashSet<int>();
        var ids = orderIds.Distinct().ToArray();
        await using (var lockAccounts = new NpgsqlCommand(LockAccounts, connection, transaction))
        {
            lockAccounts.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = ids });
            await lockAccounts.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var command = new NpgsqlCommand(Sql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = ids });
            command.Parameters.AddWithValue("reason", (int)reason);
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("key", ReasonKey(reason));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                cancelled.Add(reader.GetInt64(0));
                accounts.Add(reader.GetInt32(1));
            }
        }
        if (cancelled.Count > 0)
        {
            await TradingChannels.OrdersChangedAsync(connection, cancelled, cancellationToken, transaction);
            await TradingChannels.AccountsChangedAsync(connection, accounts, cancellationToken, transaction);
        }
        return cancelled;
    }
}
