using MarketWatch.Web.Infrastructure.Web;
using MarketWatch.Web.Infrastructure;
using Htmx.TagHelpers;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Home;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Trading;
using MarketWatch.Web.Features.Analytics;
using MarketWatch.Web.Features.Pwa;
using MarketWatch.Web.Features.Watchlists;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Email;
using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MarketWatch.Web.Host;

/// <summary>Wires every feature into the app; Program.cs calls these two methods and nothing else.</summary>
public static class MarketWatchSetup
{
    /// <summary>How long a graceful stop may take before the host stops waiting (less than Fly's kill_timeout of 30 s).</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(25);

    public static WebApplicationBuilder AddMarketWatch(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        builder.AddEdge();
        services.AddSingleton(TimeProvider.System);
        // Graceful stop (SIGTERM on deploy): open event streams end at once, Hangfire hands back its jobs, in-flight
        // requests finish. Fly kills the machine kill_timeout (30 s, fly.toml) after the signal; the host gives up
        // waiting a few seconds before that so the process still exits by itself. DOTNET_shutdownTimeoutSeconds overrides it.
        if (configuration["shutdownTimeoutSeconds"] is null)
        {
            services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        }
        services.AddHttpContextAccessor();
        services.Configure<AppOptions>(configuration.GetSection("App"));
        services.Configure<SeedOptions>(configuration.GetSection("Seed"));
        services.Configure<SmtpOptions>(configuration.GetSection("Smtp"));
        services.Configure<MailboxOptions>(configuration.GetSection("Mail"));
        services.AddScoped<PublicUrls>();
        services.AddScoped<Mailer>();
        services.AddScoped<EmailDeliveryJob>();

        services.AddDatabase(configuration, builder.Environment);
        services.AddMarketWatchLocalization();
        services.AddAccounts(configuration, builder.Environment);
        services.AddJobs(configuration);
        services.AddMarket(configuration, builder.Environment);
        services.AddSingleton<FragmentRenderer>();
        services.AddWatchlists(configuration);
        services.AddNotifications(configuration);
        services.AddPortfolios(configuration);
        // After the market's bootstrap (a hosted service of AddMarket): the demo portfolios are built from its daily bars.
        services.AddHostedService<DemoContent.OnStart>();
        services.AddTrading(configuration);
        services.AddAnalytics(configuration);
        services.AddAlerts(configuration);
        services.AddHome();
        services.AddMarketWatchRateLimits(configuration);
        services.AddStreamLimits(configuration);
        services.AddProblemDetails();
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        services.AddInputRule();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.WithEnumNames());
        // Bad JSON is the client's mistake: a 400 problem (from the status-code pages), never an exception page.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        services.AddMarketWatchOpenApi();
        services.AddRazorPages(pages =>
            {
                pages.RootDirectory = "/Features";
                pages.Conventions.AuthorizeFolder("/Accounts/Manage");
                pages.Conventions.AuthorizePage("/Watchlists/Index");
                pages.Conventions.AuthorizePage("/Watchlists/Detail");
                pages.Conventions.AuthorizeFolder("/Alerts");
                pages.Conventions.AuthorizeFolder("/Portfolios");
                pages.Conventions.AuthorizeFolder("/Trading");
                pages.Conventions.AddAlertPageRoutes();
                pages.Conventions.AddHomeRoutes();
                pages.Conventions.AuthorizeFolder("/Notifications");
                pages.Conventions.AuthorizeFolder("/Admin", AccountsSetup.AdminPolicy);
            })
            .AddMvcOptions(mvc =>
            {
                var index = mvc.ValueProviderFactories.IndexOf(mvc.ValueProviderFactories.OfType<Microsoft.AspNetCore.Mvc.ModelBinding.FormValueProviderFactory>().Single());
                mvc.ValueProviderFactories[index] = new InvariantFormValueProviderFactory();
            })
            .AddViewLocalization()
            .AddDataAnnotationsLocalization(o => o.DataAnnotationLocalizerProvider = (_, factory) => factory.Create(typeof(SharedResource)));
        services.Configure<Microsoft.AspNetCore.Mvc.Razor.RazorViewEngineOptions>(o => o.PageViewLocationFormats.Add("/Pages/Shared/{0}.cshtml"));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "mw.af";
            o.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            o.HeaderName = ApiAntiforgery.HeaderName;
        });
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        return builder;
    }

    public static WebApplication UseMarketWatch(this WebApplication app)
    {
        app.UseEdge();
        if (app.Environment.IsProduction())
        {
            app.UseHsts();
        }
        app.UseErrorResponses();
        app.UseSecurityHeaders(JobsSetup.DashboardPath);
        app.UseStaticFiles();
        app.UseRequestLocalization();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseInputRule();
        app.UseStreamLimits();
        app.UseAntiforgery();
        app.UseApiAntiforgery();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        // Ready: 503 when the database is unreachable (the platform stops sending this instance traffic; its pages would
        // answer 503 anyway); 200 but Degraded while a LISTEN connection is down or the feed is stale during trading.
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteHealthAsync });
        app.MapMarketWatchOpenApi();
        app.MapHtmxAntiforgeryScript();
        app.MapRazorPages();
        app.MapAuthApi();
        app.MapPreferences();
        app.MapMarket();
        app.MapWatchlists();
        app.MapNotifications();
        app.MapPortfolios();
        app.MapTrading();
        app.MapAnalytics();
        app.MapAlerts();
        app.MapPwa();
        app.MapJobsDashboard();
        return app;
    }

    /// <summary>The overall status and each check's, as JSON: what an operator or a probe reads to see why an instance is degraded.</summary>
    private static Task WriteHealthAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        return http.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description ?? e.Value.Exception?.Message,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        });
    }
}
