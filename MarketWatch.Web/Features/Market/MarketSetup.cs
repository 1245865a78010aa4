using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Live;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Features.Market.Providers.Simulated;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Market;

public static class MarketSetup
{
    public static IServiceCollection AddMarket(this IServiceCollection services, IConfiguration configuration, IWebHostEnvironment environment)
    {
        services.Configure<MarketDataOptions>(configuration.GetSection("MarketData"));
        // Production never runs the 24/7 demo: prices there follow the exchange calendar. The one exception is the
        // Lighthouse script (Simulated:DemoInProduction), which audits the pages while the simulated market trades;
        // that setting is refused with a real provider.
        services.PostConfigure<MarketDataOptions>(o => o.Simulated.DemoMode &= !environment.IsProduction() || o.Simulated.DemoInProduction);
        services.AddOptions<MarketDataOptions>()
            .Validate(o => !o.Simulated.DemoInProduction || string.Equals(o.Provider, "Simulated", StringComparison.OrdinalIgnoreCase),
                "MarketData:Simulated:DemoInProduction is only for the simulated provider (./scripts/lighthouse)")
            .ValidateOnStart();

        services.AddMemoryCache();
        services.AddSingleton<CalendarCache>();
        services.AddSingleton<SessionFigures>();
        services.AddSingleton<FeedStatus>();
        services.AddSingleton<QuoteStore>();
        services.AddSingleton<SimulatedProvider>();
        services.AddScoped<MarketQueries>();
        services.AddSingleton<MarketStatusService>();
        services.AddScoped<Import.BarImport>();
        // Admin bar files are big (years of history): 20 MB and 200,000 rows unless Market:Import says otherwise.
        services.Configure<Infrastructure.Csv.CsvLimits>(Import.BarImport.Limits, l => (l.MaxBytes, l.MaxRows) = (20 * 1024 * 1024, 200_000));
        services.Configure<Infrastructure.Csv.CsvLimits>(Import.BarImport.Limits, configuration.GetSection("Market:Import"));
        services.AddScoped<Quality.DataQuality>();

        services.AddHttpClient<CasablancaBourseProvider>((provider, http) =>
            {
                var o = provider.GetRequiredService<IOptions<MarketDataOptions>>().Value.CasablancaBourse;
                http.BaseAddress = new Uri(o.BaseUrl);
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
            })
            .AddStandardResilienceHandler(r => ConfigureResilience(r, configuration.GetValue("MarketData:CasablancaBourse:TimeoutSeconds", 15)));
        services.AddHttpClient<EodhdProvider>((provider, http) =>
            {
                var o = provider.GetRequiredService<IOptions<MarketDataOptions>>().Value.Eodhd;
                http.BaseAddress = new Uri(o.BaseUrl);
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddStandardResilienceHandler(r => ConfigureResilience(r, configuration.GetValue("MarketData:Eodhd:TimeoutSeconds", 15)));

        services.AddScoped<IMarketDataProvider>(provider =>
            provider.GetRequiredService<IOptions<MarketDataOptions>>().Value.Provider.ToLowerInvariant() switch
            {
                "simulated" => provider.GetRequiredService<SimulatedProvider>(),
                "casablancabourse" => provider.GetRequiredService<CasablancaBourseProvider>(),
                "eodhd" => provider.GetRequiredService<EodhdProvider>(),
                var other => throw new InvalidOperationException($"Unknown MarketData:Provider '{other}': use Simulated, CasablancaBourse or Eodhd."),
            });

        services.AddHostedService<MarketBootstrap>();
        services.AddHostedService<IngestService>();

        // One LISTEN per instance hands each batch of quotes to every IQuoteBatchConsumer (higher features add theirs).
        services.AddSingleton<QuoteListener>();
        services.AddHostedService(provider => provider.GetRequiredService<QuoteListener>());
        services.AddSingleton<QuoteHub>();
        services.AddSingleton<IQuoteBatchConsumer>(provider => provider.GetRequiredService<QuoteHub>());
        services.AddHealthChecks().AddCheck<LiveFeedHealthCheck>("live-feed", tags: ["ready"]);
        return services;
    }

    /// <summary>Timeouts per attempt and in total, retries with exponential backoff, and a circuit breaker that stops hammering a failing site.</summary>
    private static void ConfigureResilience(Microsoft.Extensions.Http.Resilience.HttpStandardResilienceOptions options, int timeoutSeconds)
    {
        options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(timeoutSeconds);
        options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(timeoutSeconds * 4);
        options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, timeoutSeconds * 2 + 1));
        options.Retry.MaxRetryAttempts = 3;
        options.Retry.BackoffType = Polly.DelayBackoffType.Exponential;
        options.Retry.UseJitter = true;
    }

    public static IEndpointRouteBuilder MapMarket(this IEndpointRouteBuilder app)
    {
        app.MapMarketApi();
        app.MapQuoteStreams();
        return app;
    }
}
