namespace MarketWatch.Web.Features.Trading;

/// <summary>Paper trading: accounts (portfolios of kind Paper), orders, the order engine, the leaderboard.</summary>
public static class TradingSetup
{
    public static IServiceCollection AddTrading(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<TradingOptions>(configuration.GetSection("Trading"));
        services.AddPaperCore();
        services.AddTradeEngine();
        services.AddTradeSweep();
        services.AddPaperPages();
        services.AddPaperSocial();
        return services;
    }

    public static IEndpointRouteBuilder MapTrading(this IEndpointRouteBuilder app)
    {
        app.MapPaperApi();
        app.MapPaperPages();
        return app;
    }
}
