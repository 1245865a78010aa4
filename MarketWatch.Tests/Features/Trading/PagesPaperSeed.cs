using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Trading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>A paper account with an open limit order, for the pages' {id} in the page sweeps (NoConsoleErrorTests).</summary>
public static class PagesPaperSeed
{
    public static async Task<int> AddAsync(MarketWatchFactory app, string userId, string name = "Paper")
    {
        await using var scope = app.Services.CreateAsyncScope();
        var opened = await scope.ServiceProvider.GetRequiredService<PaperAccounts>().OpenAsync(userId, new PaperAccountInput(name, 100_000m), CancellationToken.None);
        Assert.That(opened.Error, Is.Null);
        var id = opened.Value!.Id;
        var reference = await app.WithDbAsync(async db =>
        {
            var instrument = await db.Set<Instrument>().Where(i => i.Ticker == "ATW").Select(i => i.Id).SingleAsync();
            return await db.Set<Quote>().Where(q => q.InstrumentId == instrument).Select(q => (decimal?)q.PreviousClose).SingleOrDefaultAsync();
        });
        if (reference is { } r and > 0)
        {
            // A limit a little under the reference: inside the day's band, it stays open (nothing trades in the sweep).
            var limit = TickGrid.Down(TickGrid.Defaults, r * 0.95m);
            var placed = await scope.ServiceProvider.GetRequiredService<OrderEntry>().PlaceAsync(userId, id,
                new OrderInput("ATW", OrderSide.Buy, OrderType.Limit, 10, limit, null, OrderValidity.GoodTillCancelled, null), CancellationToken.None);
            Assert.That(placed.Error, Is.Null, placed.Error?.Field);
        }
        return id;
    }
}
