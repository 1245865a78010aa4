using MarketWatch.Web.Features.Accounts;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>The screener: <c>/screener</c>, <c>/api/analytics/screener</c>, saved screens and the live result rows.</summary>
public static class ScreenerSetup
{
    public static IServiceCollection AddScreener(this IServiceCollection services)
    {
        services.AddScoped<ScreenerScreens>();
        services.AddScoped<ScreenerWatchlist>();
        services.AddScoped<IPersonalDataContributor, ScreenerPersonalData>();
        return services;
    }

    public static IEndpointRouteBuilder MapScreener(this IEndpointRouteBuilder app) => app.MapScreenerApi().MapScreenerStream();
}
