namespace MarketWatch.Web.Features.Realtime;

public static class RealtimeSetup
{
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddSingleton<QuoteHub>();
        services.AddSingleton<FragmentRenderer>();
        services.AddSingleton<QuoteBackplane>();
        services.AddHostedService(provider => provider.GetRequiredService<QuoteBackplane>());
        return services;
    }

    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder app)
    {
        app.MapQuoteStreams();
        return app;
    }
}
