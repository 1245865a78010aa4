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
        services.AddScoped<NotificationCentre>();
        services.AddScoped<NotificationSettings>();
        services.AddSingleton<UserNotificationHub>();
        services.AddHostedService<UserNotificationListener>();
        return services;
    }

    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        app.MapNotificationsApi();
        app.MapNotificationStreams();
        return app;
    }
}
