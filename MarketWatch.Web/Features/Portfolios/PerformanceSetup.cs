namespace MarketWatch.Web.Features.Portfolios;

public static class PerformanceSetup
{
    /// <summary>Portfolio performance: the shared market history and series cache, the scoped service, its change handler.</summary>
    public static IServiceCollection AddPortfolioPerformance(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddSingleton<PerformanceMarket>();
        services.AddSingleton<PerformanceCache>();
        services.AddScoped<PortfolioPerformance>();
        services.AddScoped<IPortfolioChangeHandler>(sp => sp.GetRequiredService<PortfolioPerformance>());
        return services;
    }
}
