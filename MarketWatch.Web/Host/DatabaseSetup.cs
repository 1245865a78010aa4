using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace MarketWatch.Web.Host;

public sealed class DatabaseOptions
{
    /// <summary>Apply pending migrations when the app starts. On in Development; production runs <c>migrate</c> instead.</summary>
    public bool MigrateOnStartup { get; set; }
}

public static class DatabaseSetup
{
    public static string ConnectionString(this IConfiguration configuration) =>
        configuration.GetConnectionString("Default") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "ConnectionStrings:Default is not set. Start MarketWatch with ./scripts/run (it brings up a local PostgreSQL) " +
                "or set the environment variable ConnectionStrings__Default.");

    public static IServiceCollection AddDatabase(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.Configure<DatabaseOptions>(configuration.GetSection("Database"));
        // One data source (one connection pool) for EF Core and for the raw Npgsql work: set-based writes, LISTEN/NOTIFY, leases.
        services.AddSingleton(_ =>
        {
            var builder = new Npgsql.NpgsqlDataSourceBuilder(configuration.ConnectionString());
            // Long-lived connections (LISTEN, the ingest lease) notice a dead peer.
            if (builder.ConnectionStringBuilder.KeepAlive == 0)
            {
                builder.ConnectionStringBuilder.KeepAlive = 30;
            }
            // A database host that does not answer (rather than refusing) fails a connection after 3 s, not Npgsql's 15:
            // requests then answer 503 in time for a proxy's health check. Also the longest wait for a pooled connection.
            if (!ConnectionStringSets(configuration.ConnectionString(), "Timeout"))
            {
                builder.ConnectionStringBuilder.Timeout = 3;
            }
            return builder.Build();
        });
        services.AddSingleton<DatabaseHealth>();
        services.AddDbContext<AppDbContext>((provider, options) => options
            .UseNpgsql(provider.GetRequiredService<Npgsql.NpgsqlDataSource>(), npgsql => npgsql
                .ExecutionStrategy(dependencies => new DatabaseRetryStrategy(dependencies, provider.GetRequiredService<DatabaseHealth>()))
                .MigrationsHistoryTable("ef_migrations_history"))
            .UseSnakeCaseNamingConvention());
        // Features are given EF's base type: the context that maps them all lives here, above every feature.
        services.AddScoped<DbContext>(provider => provider.GetRequiredService<AppDbContext>());
        // Registered before Data Protection's own hosted service, so the key table exists when the key ring loads.
        services.AddHostedService<MigrateOnStartup>();
        services.AddKeyStore(configuration, environment);
        services.AddHealthChecks()
            .AddDbContextCheck<AppDbContext>("postgresql", tags: ["ready"])
            .AddCheck<ListenersHealthCheck>("listeners", tags: ["ready"]);
        return services;
    }

    private static bool ConnectionStringSets(string connectionString, string keyword) =>
        new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.ContainsKey(keyword);

    /// <summary>Applies migrations inside the execution strategy (retries transient failures).</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            // On an empty database the Npgsql provider finds out that the history table is missing by querying it,
            // which EF logs as a failed command (level Error) on every first start. EF's own CREATE ... IF NOT EXISTS
            // first makes that query succeed; on a migrated database it is a no-op.
            await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
        });
        await ProtectPlaintextSecretsAsync(scope.ServiceProvider, cancellationToken);
    }

    /// <summary>
    /// The data step of the migration to secrets at rest: every secret column still holding plaintext rows (written
    /// before they were encrypted) is encrypted in place. Idempotent, so it runs on every migrate.
    /// </summary>
    private static async Task ProtectPlaintextSecretsAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseSetup));
        foreach (var column in services.GetServices<Infrastructure.Security.IPlaintextSecrets>())
        {
            var converted = await column.ProtectAsync(cancellationToken);
            if (converted > 0)
            {
                logger.LogInformation("Encrypted {Count} secret(s) stored in plaintext ({Kind})", converted, column.GetType().Name);
            }
        }
    }

    private sealed class MigrateOnStartup(
        IServiceProvider services,
        Microsoft.Extensions.Options.IOptions<DatabaseOptions> options,
        ILogger<MigrateOnStartup> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (!options.Value.MigrateOnStartup)
            {
                return;
            }
            logger.LogInformation("Applying database migrations");
            await MigrateAsync(services, cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
