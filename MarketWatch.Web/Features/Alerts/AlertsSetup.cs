using Hangfire;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Notifications;

namespace MarketWatch.Web.Features.Alerts;

public static class AlertsSetup
{
    public static IServiceCollection AddAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AlertOptions>(configuration.GetSection("Alerts"));
        services.AddSingleton<AlertClaims>();
        services.AddSingleton<AlertEngine>();
        services.AddHostedService(provider => provider.GetRequiredService<AlertEngine>());
        services.AddSingleton<Market.Live.IQuoteBatchConsumer>(provider => provider.GetRequiredService<AlertEngine>());
        services.AddScoped<AlertSweep>();
        services.AddSingleton<MarketMemory>();
        services.AddSingleton<AlertIndicators>();
        services.AddScoped<AlertValidator>();
        services.AddScoped<PositionAlertLevels>();
        services.AddScoped<Portfolios.IPortfolioChangeHandler>(provider => provider.GetRequiredService<PositionAlertLevels>());
        services.AddScoped<AlertCommands>();
        services.AddScoped<AlertQueries>();
        services.AddScoped<AlertHistory>();
        services.AddScoped<AlertPreview>();
        services.AddScoped<INoticeSource, AlertNotices>();
        services.AddScoped<IPersonalDataContributor, AlertPersonalData>();
        services.AddHostedService<SweepRegistration>();
        return services;
    }

    public static IEndpointRouteBuilder MapAlerts(this IEndpointRouteBuilder app)
    {
        app.MapAlertsApi();
        return app;
    }

    /// <summary>The sweep runs every minute on whichever instance's Hangfire server takes it (never two at once).</summary>
    private sealed class SweepRegistration(IRecurringJobManager recurring) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            recurring.AddOrUpdate<AlertSweep>(AlertSweep.JobId, sweep => sweep.RunAsync(CancellationToken.None), Cron.Minutely());
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
