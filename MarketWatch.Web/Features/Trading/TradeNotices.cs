using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Trading;

/// <summary>What a paper-trading notice tells: one fill or rejection event of an order, with the order as it stands.</summary>
public sealed record TradeFacts(
    long EventId, OrderEventKind Kind, OrderState State, DateTimeOffset Time, long? Quantity, decimal? Price, string? Reason,
    long OrderId, int AccountId, string AccountName, string Ticker, OrderSide Side, OrderType Type, long OrderQuantity,
    long FilledQuantity, decimal FilledAmount, decimal FeesPaid);

/// <summary>
/// Paper trading's words for the outbox: the fills (the first partial fill and the final one of an order) and the
/// rejections the engine and the order entry wrote, keyed by <see cref="PaperOrderEvent"/> id, for every channel.
/// </summary>
public sealed class TradeNotices(DbContext db, PublicUrls urls, IStringLocalizer<SharedResource> L) : INoticeSource
{
    public short EventSource => TradingChannels.NoticeSource;

    public async Task<IReadOnlyDictionary<long, Notice>> EventsAsync(IReadOnlyCollection<long> eventIds, TimeZoneInfo zone, CancellationToken cancellationToken) =>
        (await ForEventsAsync(db, eventIds, cancellationToken)).ToDictionary(f => f.EventId, f => Compose(f, zone));

    /// <summary>Tests try the alerts' channels (source 0 words them): paper trading has no sample of its own.</summary>
    public Task<IReadOnlyList<Notice?>> SamplesAsync(IReadOnlyList<TestSample> tests, TimeZoneInfo zone, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Notice?>>(tests.Select(_ => (Notice?)null).ToList());

    /// <summary>Words the facts in the current UI culture, times in <paramref name="zone"/>.</summary>
    public Notice Compose(TradeFacts f, TimeZoneInfo zone)
    {
        var buy = f.Side == OrderSide.Buy;
        var time = Format.DateTime(f.Time, zone) + " (" + zone.Id + ")";
        var average = f.FilledQuantity == 0 ? 0 : Math.Round(f.FilledAmount / f.FilledQuantity, 2);
        string title, body, type;
        switch (f)
        {
            case { Kind: OrderEventKind.Rejected }:
                title = buy ? L["Order rejected: buy {0} {1}", Format.Count(f.OrderQuantity), f.Ticker] : L["Order rejected: sell {0} {1}", Format.Count(f.OrderQuantity), f.Ticker];
                body = L["{0} — {1}, {2}", f.Reason is { Length: > 0 } reason ? L[reason] : L["The order could not be executed."], f.AccountName, time];
                type = "paper.order.rejected";
                break;
            case { State: OrderState.Filled }:
                title = buy ? L["Bought {0} {1} at {2} on average", Format.Count(f.FilledQuantity), f.Ticker, Format.Mad(average, L)]
                    : L["Sold {0} {1} at {2} on average", Format.Count(f.FilledQuantity), f.Ticker, Format.Mad(average, L)];
                body = L["Order filled, fees {0} — {1}, {2}", Format.Mad(f.FeesPaid, L), f.AccountName, time];
                type = "paper.order.filled";
                break;
            default:
                title = buy ? L["Bought {0} of {1} {2} at {3}", Format.Count(f.Quantity), Format.Count(f.OrderQuantity), f.Ticker, Format.Mad(f.Price, L)]
                    : L["Sold {0} of {1} {2} at {3}", Format.Count(f.Quantity), Format.Count(f.OrderQuantity), f.Ticker, Format.Mad(f.Price, L)];
                body = L["Partly filled, the rest stays open — {0}, {1}", f.AccountName, time];
                type = "paper.order.partially_filled";
                break;
        }
        var accountPath = $"/paper/{f.AccountId}";
        // The webhook body: stable field names and invariant values for machines, plus the worded message for people.
        var webhook = new
        {
            type,
            eventId = f.EventId,
            orderId = f.OrderId,
            accountId = f.AccountId,
            ticker = f.Ticker,
            side = f.Side.ToString(),
            orderType = f.Type.ToString(),
            state = f.State.ToString(),
            quantity = f.OrderQuantity,
            fillQuantity = f.Kind == OrderEventKind.Fill ? f.Quantity : null,
            fillPrice = f.Kind == OrderEventKind.Fill ? f.Price : null,
            filledQuantity = f.FilledQuantity,
            averagePrice = f.FilledQuantity == 0 ? (decimal?)null : average,
            fees = f.FeesPaid,
            reason = f.Reason,
            time = f.Time,
            message = title + " — " + body,
            url = urls.Absolute(accountPath),
        };
        return new Notice(title, body, null, L["Paper trading: {0}", f.AccountName], L["View the paper account"], accountPath,
            L["Change where paper-trading notices go: {0}", urls.Absolute(accountPath)],
            null, null, $"paper-order-{f.OrderId}", webhook);
    }

    /// <summary>The facts of these fill and rejection events, in one query (the notification centre reads a page of them at once).</summary>
    public static Task<List<TradeFacts>> ForEventsAsync(DbContext db, IReadOnlyCollection<long> eventIds, CancellationToken cancellationToken) =>
        (from e in db.PaperOrderEvents.AsNoTracking()
         join o in db.PaperOrders on e.OrderId equals o.Id
         join p in db.Set<Portfolios.Portfolio>() on o.AccountId equals p.Id
         where eventIds.Contains(e.Id) && (e.Kind == OrderEventKind.Fill || e.Kind == OrderEventKind.Rejected)
         select new TradeFacts(e.Id, e.Kind, e.State, e.Time, e.Quantity, e.Price, e.Reason ?? o.RejectReason,
             o.Id, o.AccountId, p.Name, o.Instrument!.Ticker, o.Side, o.Type, o.Quantity, o.FilledQuantity, o.FilledAmount, o.FeesPaid))
        .ToListAsync(cancellationToken);
}
