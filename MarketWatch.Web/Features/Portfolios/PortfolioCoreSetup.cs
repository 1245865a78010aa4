using MarketWatch.Web.Features.Accounts;

namespace MarketWatch.Web.Features.Portfolios;

public static class PortfolioCoreSetup
{
    /// <summary>The portfolio services every page and the API build on.</summary>
    public static IServiceCollection AddPortfolioCore(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddScoped<PortfolioService>();
        services.AddScoped<PortfolioTransactions>();
        services.AddScoped<PortfolioHoldings>();
        services.AddScoped<FeeSchedules>();
        services.AddScoped<IPersonalDataContributor, PortfolioPersonalData>();
        return services;
    }
}
