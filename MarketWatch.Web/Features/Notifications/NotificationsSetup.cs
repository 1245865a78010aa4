namespace MarketWatch.Web.Features.Notifications;

public static class NotificationsSetup
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<VapidKeys>();
        services.AddWebPushChannel(configuration);
        services.AddWebhookAndSmsChannels(configuration);
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection("Delivery"))
            .Validate(o => o.Concurrency >= 1 && o.WebhookConcurrency >= 1 && o.ChannelConcurrency >= 1,
                "Delivery:Concurrency, WebhookConcurrency and ChannelConcurrency must be at least 1.")
            .Validate(o => o.HeartbeatSeconds > 0 && o.LeaseSeconds >= 2 * o.HeartbeatSeconds,
                "Delivery:LeaseSeconds must be at least twice Delivery:HeartbeatSeconds (a lease must survive a missed renewal).")
            .Validate(o => o.DrainSeconds >= 0, "Delivery:DrainSeconds may not be negative.")
            .Validate(o => o.PollSeconds > 0 && o.CircuitFailures >= 1 && o.MaxAttempts >= 1 && o.RetryBaseSeconds >= 1 && o.RetryMaxSeconds >= o.RetryBaseSeconds,
                "Delivery:PollSeconds, CircuitFailures, MaxAttempts and RetryBaseSeconds must be positive, RetryMaxSeconds at least RetryBaseSeconds.")
            .ValidateOnStart();
        services.AddScoped<DeliveryJob>();
        services.AddSingleton<DeliveryDispatcher>();
        if (configuration.GetSection("Delivery").Get<DeliveryOptions>()?.Dispatcher ?? true)
        {
            services.AddHostedService(provider => provider.GetRequiredService<DeliveryDispatcher>());
        }
        services.AddScoped<NotificationCentre>();
        services.AddScoped<NoticeSources>();
        services.AddScoped<NotificationOutbox>();
        services.AddScoped<Accounts.IPersonalDataContributor, NotificationPersonalData>();
        services.AddScoped<Accounts.IDeliveryTargetsReset, NotificationTargetsReset>();
        services.AddScoped<NotificationSettings>();
        services.AddScoped<Infrastructure.Security.IPlaintextSecrets, PlaintextNotificationSecrets>();
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
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            // The row is encrypted with a Data Protection key this instance cannot read: the key ring was replaced or its
            // certificate changed (docs/deploy.md). Push fails until the right certificate is given; the rest of the app runs.
            logger.LogError(ex, "The VAPID private key cannot be decrypted with this instance's Data Protection keys; web push will fail");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
