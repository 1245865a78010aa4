using Npgsql;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>
/// Test databases on the server named by ConnectionStrings__Default (scripts/test starts a local one).
/// One template is migrated per run; every fixture gets its own copy, so tests never see each other's rows.
/// </summary>
public static class TestDatabase
{
    /// <summary>MW_TEST_TEMPLATE lets two checkouts share one PostgreSQL server without dropping each other's template.</summary>
    private static readonly string TemplateName = Environment.GetEnvironmentVariable("MW_TEST_TEMPLATE") is { Length: > 0 } name ? name : "mw_test_template";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _templateReady;

    public static string ServerConnectionString
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("ConnectionStrings__Default");
            if (string.IsNullOrEmpty(configured))
            {
                Assert.Fail("ConnectionStrings__Default is not set: run the tests with ./scripts/test, which starts PostgreSQL.");
            }
            return configured!;
        }
    }

    public static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database, Pooling = true }.ConnectionString;

    private static string AdminConnectionString =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;

    /// <summary>Creates a fresh database for one fixture, copied from the migrated template.</summary>
    public static async Task<string> CreateAsync()
    {
        await EnsureTemplateAsync();
        var name = "mw_test_" + Guid.NewGuid().ToString("N")[..16];
        await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {TemplateName}");
        return name;
    }

    public static async Task DropAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    private static async Task EnsureTemplateAsync()
    {
        if (_templateReady)
        {
            return;
        }
        await Gate.WaitAsync();
        try
        {
            if (_templateReady)
            {
                return;
            }
            await ExecuteAsync($"DROP DATABASE IF EXISTS {TemplateName} WITH (FORCE)");
            await ExecuteAsync($"CREATE DATABASE {TemplateName}");
            // Start the real app once on the template: it applies the migrations and installs Hangfire's schema.
            await using (var app = new MarketWatchFactory(TemplateName, migrate: true))
            {
                app.Services.GetService(typeof(Hangfire.JobStorage));
                _ = app.CreateClient();
                // The copies must not inherit the template's schedule: a recurring job whose next run has passed by the time
                // a fixture starts would run at once there. Each app registers its jobs again at start-up, due an hour on.
                ((Hangfire.IRecurringJobManager)app.Services.GetService(typeof(Hangfire.IRecurringJobManager))!).RemoveIfExists(
                    MarketWatch.Web.Host.MaintenanceJob.Id);
            }
            NpgsqlConnection.ClearAllPools();
            _templateReady = true;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
