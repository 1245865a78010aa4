namespace MarketWatch.Web.Features.Trading;

/// <summary>Paper trading's core services: accounts, order entry and queries, the tick grid.</summary>
public static class PaperCoreSetup
{
    public static IServiceCollection AddPaperCore(this IServiceCollection services)
    {
        services.AddSingleton<TickSizes>();
        services.AddScoped<PaperAccounts>();
        services.AddScoped<OrderEntry>();
        services.AddScoped<OrderQueries>();
        return services;
    }
}
