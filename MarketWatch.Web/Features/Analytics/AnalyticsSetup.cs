using MarketWatch.Web.Features.Analytics.Sharing;
using MarketWatch.Web.Features.Market.Live;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>
/// Analytics: the one indicator library (<see cref="Indicators"/>), every instrument's metrics in memory
/// (<see cref="MarketMetrics"/>), the market dashboard, the screener, chart indicators and sharing previews.
/// </summary>
public static class AnalyticsSetup
{
    public static IServiceCollection AddAnalytics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<MarketMetrics>();
        services.AddSingleton<IQuoteBatchConsumer>(provider => provider.GetRequiredService<MarketMetrics>());
        services.AddChartIndicators();
        services.AddScreener();
        services.AddDashboard();
        services.AddSharing(configuration);
        return services;
    }

    public static IEndpointRouteBuilder MapAnalytics(this IEndpointRouteBuilder app)
    {
        app.MapChartIndicators();
        app.MapScreener();
        app.MapDashboard();
        app.MapSharing();
        return app;
    }
}
