namespace MarketWatch.Web.Features.Notifications;

public static class NotificationsSetup
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<VapidKeys>();
        services.AddWebPushChannel(configuration);
        services.AddWebhookAndSmsChannels(configuration);
        services.Configure<DeliveryOptions>(configuration.GetSection("Delivery"));
        services.AddScoped<DeliveryJob>();
        services.AddSingleton<DeliveryDispatcher>();
        if (configuration.GetSection("Delivery").Get<DeliveryOptions>()?.Dispatcher ?? true)
        {
            services.AddHostedService(provider => provider.GetRequiredService<DeliveryDispatcher>());
        }
        services.AddScoped<NotificationCentre>();
        services.AddScoped<NotificationOutbox>();
        services.AddScoped<Accounts.IPersonalDataContributor, NotificationPersonalData>();
        services.AddScoped<NotificationSettings>();
        services.AddSingleton<UserNotificationHub>();
        services.AddHostedService<UserNotificationListener>();
        services.AddHostedService<VapidKeysOnStart>();
        return services;
    }

    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        app.MapNotificationsApi();
        app.MapNotificationStreams();
        return app;
    }
}

/// <summary>Makes (or loads) the VAPID key pair when the app starts, so the first browser to subscribe does not wait for it.</summary>
internal sealed class VapidKeysOnStart(VapidKeys keys, ILogger<VapidKeysOnStart> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await keys.GetAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
        {
            // Not migrated yet (the release step runs `migrate` first) or the database is down: the first request makes them.
            logger.LogWarning(ex, "Could not make the VAPID keys at start; they will be made on first use");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
