using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Notifications;

public static class ChannelsSetup
{
    /// <summary>
    /// The webhook and SMS channels: their options, one named HttpClient each and the senders. Neither client has
    /// a resilience handler: a failed attempt comes back as <see cref="ChannelOutcome.Retry"/> and the alert
    /// delivery schedules the next one, so nothing is sent twice by a retry nobody recorded.
    /// </summary>
    public static IServiceCollection AddWebhookAndSmsChannels(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>()
            .Bind(configuration.GetSection("Webhooks"))
            .Validate(o => o.TimeoutSeconds is > 0 and <= 60, "Webhooks:TimeoutSeconds must be between 1 and 60.")
            .ValidateOnStart();
        services.Configure<TwilioOptions>(configuration.GetSection("Twilio"));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IWebhookHostResolver, DnsWebhookHostResolver>();

        services.AddHttpClient(WebhookSender.HttpClientName, (provider, http) =>
                http.Timeout = TimeSpan.FromSeconds(provider.GetRequiredService<IOptionsMonitor<WebhookOptions>>().CurrentValue.TimeoutSeconds))
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var options = provider.GetRequiredService<IOptionsMonitor<WebhookOptions>>();
                return WebhookSender.CreateHandler(() => options.CurrentValue.AllowPrivateNetworks, provider.GetRequiredService<IWebhookHostResolver>());
            })
            // Webhook URLs may carry secrets in their path: the request logger would write them out.
            .RemoveAllLoggers();
        services.AddHttpClient(SmsSender.HttpClientName, http => http.Timeout = SmsSender.Timeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
            .RemoveAllLoggers();

        services.AddSingleton<WebhookSender>();
        services.AddSingleton<SmsSender>();
        return services;
    }
}
