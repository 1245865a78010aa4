namespace MarketWatch.Web.Features.Portfolios;

public static class PortfoliosSetup
{
    public static IServiceCollection AddPortfolios(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<PortfolioOptions>(configuration.GetSection("Portfolios"));
        services.AddPortfolioCore();
        services.AddPortfolioPerformance();
        return services;
    }

    public static IEndpointRouteBuilder MapPortfolios(this IEndpointRouteBuilder app)
    {
        app.MapPortfoliosApi();
        return app;
    }
}
