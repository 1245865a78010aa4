namespace MarketWatch.Web.Features.Portfolios;

/// <summary>The broker-statement import and the export (<c>/portfolios/{id}/import</c>, <c>/portfolios/{id}/export</c>).</summary>
public static class PortfolioImportSetup
{
    public static IServiceCollection AddPortfolioImport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<StatementUploads>();
        services.Configure<Infrastructure.Csv.CsvLimits>(ImportModel.Limits, configuration.GetSection("Portfolios:Import"));
        return services;
    }

    public static IEndpointRouteBuilder MapPortfolioImport(this IEndpointRouteBuilder app) => app.MapPortfolioExport();
}
