using MarketWatch.Web.Infrastructure.Data;
using Npgsql;

namespace MarketWatch.Web.Features.Trading;

/// <summary>The NOTIFY channels paper trading speaks on, and its number among the notice sources.</summary>
public static class TradingChannels
{
    /// <summary>Orders placed, modified, cancelled, reset: every instance's engine reloads them. Payload: JSON order ids, or "*".</summary>
    public const string OrdersChanged = "paper_orders_changed";

    /// <summary>Accounts whose cash, orders or holdings changed: their live pages redraw. Payload: JSON account ids, or "*".</summary>
    public const string AccountsChanged = "paper_accounts_changed";

    /// <summary>Paper trading's <see cref="Notifications.INoticeSource.EventSource"/>: its events are <see cref="PaperOrderEvent"/> ids.</summary>
    public const short NoticeSource = 1;

    /// <summary>Tells every engine these orders changed (on commit of <paramref name="transaction"/> when given).</summary>
    /// <remarks>Sent in chunks of <see cref="OrdersPerNotice"/> ids, each under the payload limit, so that a large claim does not
    /// make every engine reload everything.</remarks>
    public static async Task OrdersChangedAsync(NpgsqlConnection connection, IEnumerable<long> orderIds, CancellationToken cancellationToken,
        NpgsqlTransaction? transaction = null)
    {
        foreach (var chunk in orderIds.Distinct().Chunk(OrdersPerNotice))
        {
            await PostgresListener.NotifyAsync(connection, OrdersChanged, chunk, cancellationToken, transaction);
        }
    }

    /// <summary>Order ids per NOTIFY: 20-digit ids and commas stay under the 7,000-byte payload of <see cref="PostgresListener.Payload{T}"/>.</summary>
    public const int OrdersPerNotice = 300;

    /// <summary>Tells every instance's pages these accounts changed (on commit of <paramref name="transaction"/> when given).</summary>
    public static Task AccountsChangedAsync(NpgsqlConnection connection, IEnumerable<int> accountIds, CancellationToken cancellationToken,
        NpgsqlTransaction? transaction = null) =>
        PostgresListener.NotifyAsync(connection, AccountsChanged, accountIds.Distinct(), cancellationToken, transaction);
}
