namespace MarketWatch.Web.Features.Portfolios;

public static class PortfoliosSetup
{
    public static IServiceCollection AddPortfolios(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<PortfolioOptions>(configuration.GetSection("Portfolios"));
        services.AddPortfolioCore();
        services.AddPortfolioImport(configuration);
        services.AddPortfolioPerformance();
        services.AddPortfolioPages();
        services.AddPortfolioShares();
        return services;
    }

    public static IEndpointRouteBuilder MapPortfolios(this IEndpointRouteBuilder app)
    {
        app.MapPortfolioImport();
        app.MapPortfolioPages();
        app.MapPortfoliosApi();
        return app;
    }
}
