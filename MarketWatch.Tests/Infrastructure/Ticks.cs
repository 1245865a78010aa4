using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Providers;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>Stores ticks the way the ingest does (normalise, set-based batch, NOTIFY), without running the feed.</summary>
public static class Ticks
{
    /// <returns>The quotes' time as stored, for waiting until a consumer (the alert engine) has handled them.</returns>
    public static async Task<DateTimeOffset> WriteAsync(MarketWatchFactory app, params (string Ticker, decimal Price)[] quotes)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var ingest = ActivatorUtilities.CreateInstance<IngestService>(scope.ServiceProvider);
        var state = await ingest.LoadAsync(CancellationToken.None);
        // PostgreSQL keeps microseconds: a time it stores unchanged is the one a consumer reads back.
        var now = DateTimeOffset.UtcNow;
        now = now.AddTicks(-(now.Ticks % 10));
        var (ticks, problems) = state.Normalizer.Normalize(quotes.Select(q => new ProviderQuote(q.Ticker, q.Price, now, Volume: 100)), "Test");
        Assert.That(problems, Is.Empty);
        await scope.ServiceProvider.GetRequiredService<QuoteStore>().WriteAsync(ticks, CancellationToken.None);
        return now;
    }
}
