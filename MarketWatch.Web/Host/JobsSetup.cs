using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure.Data;

namespace MarketWatch.Web.Host;

public sealed class JobOptions
{
    /// <summary>Run a Hangfire server (workers) in this instance. Every instance can; they share the queues.</summary>
    public bool Server { get; set; } = true;
    public int WorkerCount { get; set; } = 4;
    /// <summary>How often idle workers look for new jobs.</summary>
    public double QueuePollSeconds { get; set; } = 2;
    /// <summary>How often delayed jobs (retries with backoff) are moved to their queue.</summary>
    public double SchedulePollSeconds { get; set; } = 15;
}

public static class JobsSetup
{
    public const string DashboardPath = "/admin/jobs";

    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Jobs").Get<JobOptions>() ?? new JobOptions();
        services.Configure<MaintenanceOptions>(configuration.GetSection("Maintenance"));
        services.AddScoped<MaintenanceJob>();
        services.AddHangfire((provider, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(
                bootstrap => bootstrap.UseNpgsqlConnection(provider.GetRequiredService<IConfiguration>().ConnectionString()),
                new PostgreSqlStorageOptions
                {
                    SchemaName = "hangfire",
                    PrepareSchemaIfNecessary = true,
                    QueuePollInterval = TimeSpan.FromSeconds(options.QueuePollSeconds),
                }));
        if (options.Server)
        {
            services.AddHangfireServer(server =>
            {
                server.WorkerCount = options.WorkerCount;
                // Alert deliveries are not Hangfire jobs: each instance's DeliveryDispatcher sends the outbox.
                server.Queues = ["email", "default"];
                server.SchedulePollingInterval = TimeSpan.FromSeconds(options.SchedulePollSeconds);
                server.ShutdownTimeout = TimeSpan.FromSeconds(5);
            });
        }
        services.AddHostedService<RecurringJobsRegistration>();
        return services;
    }

    /// <summary>The dashboard sits behind the Admin policy, like the rest of /admin (never open to anonymous users).</summary>
    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder app)
    {
        app.MapHangfireDashboardWithAuthorizationPolicy(AccountsSetup.AdminPolicy, DashboardPath, new DashboardOptions
        {
            Authorization = Array.Empty<IDashboardAuthorizationFilter>(),
            AppPath = "/admin",
            DashboardTitle = "MarketWatch jobs",
        });
        return app;
    }

    private sealed class RecurringJobsRegistration(IRecurringJobManager recurring) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            recurring.AddOrUpdate<MaintenanceJob>(MaintenanceJob.Id, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
