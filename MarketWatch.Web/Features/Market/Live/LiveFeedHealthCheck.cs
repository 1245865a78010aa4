using MarketWatch.Web.Features.Market.Providers;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Market.Live;

/// <summary>
/// Degraded while the market trades and no new quote has reached this instance for <see cref="MarketDataOptions.StaleFeedSeconds"/>:
/// live prices and alerts here are behind. Only on instances that take part in the ingest (<c>MarketData:Ingest</c>):
/// a deployment without a feed has nothing to be late. Degraded, not unhealthy: pulling every instance off the load
/// balancer because the exchange's site is slow would make things worse.
/// </summary>
public sealed class LiveFeedHealthCheck(QuoteListener listener, MarketStatusService market, IOptions<MarketDataOptions> options, TimeProvider clock)
    : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var age = clock.GetUtcNow() - listener.LastNotifiedAt;
        var data = new Dictionary<string, object> { ["lastQuoteSecondsAgo"] = Math.Round(age.TotalSeconds) };
        if (!options.Value.Ingest)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No ingest on this instance", data));
        }
        if (!market.Now().IsTrading)
        {
            return Task.FromResult(HealthCheckResult.Healthy("The market is closed", data));
        }
        var limit = TimeSpan.FromSeconds(options.Value.StaleFeedSeconds);
        return Task.FromResult(age > limit
            ? HealthCheckResult.Degraded($"No new quote for {age.TotalSeconds:0} s while the market trades", data: data)
            : HealthCheckResult.Healthy("Quotes are arriving", data));
    }
}
