using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Trading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>End to end: a live order fills through the engine on ticks that go through the ingest path, and the notification centre tells the first partial fill and the final one.</summary>
public sealed class NoticesFlowTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["MarketData:Simulated:DemoMode"] = "true" };

    private TradeEngine Engine => App.Services.GetRequiredService<TradeEngine>();

    [Test]
    public async Task A_partial_fill_and_the_final_fill_reach_the_notification_centre_worded()
    {
        await Ticks.WriteAsync(App, ("IAM", 121m, 10_000L));
        var scenario = new EngineScenario(DatabaseName);
        var account = (await scenario.AccountsAsync(1, 100_000m, "flow"))[0];
        var (accountId, userId) = (account.Id, account.UserId);
        var orderId = (await scenario.PlaceAsync(new EngineScenario.Order(account.Id, "IAM", OrderSide.Buy, OrderType.Market, 100, ReservationPrice: 133.1m)))[0];
        await Eventually.TrueAsync(() => Engine.Listening && Engine.Holds(orderId), "the engine to hold the order");

        // 400 traded since the order became active: 10 % participation lets 40 fill.
        var first = await Ticks.WriteAsync(App, ("IAM", 121.5m, 10_400L));
        await Eventually.TrueAsync(() => Engine.EvaluatedThrough >= first, "the engine to evaluate the first trade");
        var second = await Ticks.WriteAsync(App, ("IAM", 121.2m, 11_000L));
        await Eventually.TrueAsync(() => Engine.EvaluatedThrough >= second, "the engine to evaluate the second trade");
        var order = await App.WithDbAsync(db => db.PaperOrders.AsNoTracking().SingleAsync(o => o.Id == orderId));
        Assert.That(order.State, Is.EqualTo(OrderState.Filled));

        List<NotificationItem> items;
        var culture = (System.Globalization.CultureInfo.CurrentUICulture, System.Globalization.CultureInfo.CurrentCulture);
        try
        {
            System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("en");
            await using var scope = App.Services.CreateAsyncScope();
            items = await scope.ServiceProvider.GetRequiredService<NotificationCentre>().ListAsync(userId, 0, 50, false, TimeZoneInfo.Utc, CancellationToken.None);
        }
        finally
        {
            (System.Globalization.CultureInfo.CurrentUICulture, System.Globalization.CultureInfo.CurrentCulture) = culture;
        }
        Assert.That(items.Select(i => i.Notice.Title), Is.EqualTo(new[]
        {
            $"Bought 100 IAM at {Math.Round(order.FilledAmount / 100, 2):0.00} MAD on average",
            "Bought 40 of 100 IAM at 121.50 MAD",
        }), "the final fill, then the first partial fill (newest first)");
        Assert.That(items.Select(i => i.Notice.LinkPath), Is.All.EqualTo($"/paper/{accountId}"));
        var rows = await App.WithDbAsync(db => db.Set<InAppNotification>().CountAsync(n => n.UserId == userId && n.EventSource == TradingChannels.NoticeSource));
        Assert.That(rows, Is.EqualTo(2), "the first partial fill and the final fill, not each fill");
    }
}
