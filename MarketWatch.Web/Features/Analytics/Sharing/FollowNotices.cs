using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Watchlists;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Npgsql;

namespace MarketWatch.Web.Features.Analytics.Sharing;

/// <summary>
/// Followed watchlists' notices: when an owner adds a stock to a shared list, every follower who asked for it (never the
/// owner) gets one in-app notification per added stock. Events are <see cref="FollowedAddition"/>s (numbered as the
/// watchlist item was), written with the notices: removing the stock again leaves what followers were told; revoking the
/// link deletes the additions and, through a trigger, their notices.
/// </summary>
public sealed class FollowNotices(DbContext db, NpgsqlDataSource dataSource, PublicUrls urls, IStringLocalizer<SharedResource> L, TimeProvider clock)
    : INoticeSource, IWatchlistItemsAdded
{
    /// <summary>Watchlist follows' number among the notice sources (alerts 0, paper trading 1).</summary>
    public const short Source = 2;

    public short EventSource => Source;

    public async Task OnItemsAddedAsync(int watchlistId, IReadOnlyList<int> itemIds, CancellationToken cancellationToken)
    {
        if (itemIds.Count == 0)
        {
            return;
        }
        var users = new List<string>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand($"""
            WITH added AS (
                -- The list's items among those named (one taken out again meanwhile is no news).
                SELECT i.id, i.watchlist_id, i.instrument_id, i.added_at FROM watchlist_items i
                WHERE i.watchlist_id = @list AND i.id = ANY(@items)
            ), rows AS (
                SELECT f.user_id, {(int)Channel.InApp} AS ch, a.id::bigint AS event_id, NULL::bigint AS test_source_id
                FROM watchlist_follows f
                JOIN watchlists w ON w.id = f.watchlist_id AND w.share_token IS NOT NULL
                CROSS JOIN added a
                WHERE f.watchlist_id = @list AND f.notify AND f.user_id <> w.user_id
            ), additions AS (
                -- Only what someone is told about.
                INSERT INTO watchlist_additions (id, watchlist_id, instrument_id, added_at)
                SELECT id, watchlist_id, instrument_id, added_at FROM added WHERE id IN (SELECT event_id FROM rows)
                ON CONFLICT DO NOTHING
            ), {NotificationOutbox.InsertSql("rows", Source)}
            SELECT DISTINCT user_id FROM deliveries
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("list", watchlistId);
            insert.Parameters.AddWithValue("items", itemIds.ToArray());
            NotificationOutbox.AddInsertParameters(insert.Parameters, clock.GetUtcNow());
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                users.Add(reader.GetString(0));
            }
        }
        if (users.Count > 0)
        {
            // Their open pages show the toast and the bell's count.
            await PostgresListener.NotifyAsync(connection, NotificationOutbox.UserNotificationsChannel, users, cancellationToken, transaction);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task OnShareRevokedAsync(int watchlistId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // The trigger on watchlist_additions deletes their deliveries and notifications.
        await using var command = new NpgsqlCommand("DELETE FROM watchlist_additions WHERE watchlist_id = @list", connection);
        command.Parameters.AddWithValue("list", watchlistId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<long, Notice>> EventsAsync(IReadOnlyCollection<long> eventIds, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var ids = eventIds.Where(id => id is > 0 and <= int.MaxValue).Select(id => (int)id).ToList();
        var facts = await (from i in db.Set<FollowedAddition>().AsNoTracking()
                           join w in db.Set<Watchlist>() on i.WatchlistId equals w.Id
                           where ids.Contains(i.Id) && w.ShareToken != null
                           select new { i.Id, i.AddedAt, i.Instrument.Ticker, InstrumentName = i.Instrument.Name, ListId = w.Id, w.Name, Token = w.ShareToken! })
            .ToListAsync(cancellationToken);
        return facts.ToDictionary(f => (long)f.Id, f =>
        {
            var path = "/w/" + f.Token;
            var title = L["{0} was added to {1}", f.Ticker, f.Name].Value;
            var webhook = new
            {
                type = "watchlist.item_added",
                eventId = f.Id,
                ticker = f.Ticker,
                watchlist = f.Name,
                time = f.AddedAt,
                message = title,
                url = urls.Absolute(path),
            };
            return new Notice(title, f.InstrumentName + " — " + Format.DateTime(f.AddedAt, zone), null, L["A watchlist you follow: {0}", f.Name],
                L["View the watchlist"], path, L["Turn these notices off on the watchlist's page: {0}", urls.Absolute(path)],
                null, null, $"watchlist-follow-{f.ListId}", webhook);
        });
    }

    /// <summary>Tests try the alerts' channels (source 0 words them): follows have no sample of their own.</summary>
    public Task<IReadOnlyList<Notice?>> SamplesAsync(IReadOnlyList<TestSample> tests, TimeZoneInfo zone, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Notice?>>(tests.Select(_ => (Notice?)null).ToList());
}
