using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Host;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MarketWatch.Tests.Features;

/// <summary>The production release step: <c>dotnet MarketWatch.Web.dll migrate</c> on an empty database.</summary>
public sealed class MigrateCommandTests
{
    [Test]
    public async Task Migrate_creates_the_schema_on_an_empty_database_and_exits_zero()
    {
        var database = "mw_test_migrate_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(TestDatabase.ConnectionStringFor("postgres")))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE {database}", admin).ExecuteNonQueryAsync();
        }
        try
        {
            var (code, output) = await AppCommand.RunAsync(TestDatabase.ConnectionStringFor(database), ["migrate"]);

            Assert.That(code, Is.EqualTo(0), output);
            Assert.That(output, Does.Contain("Migrations applied."));
            await using var connection = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
            await connection.OpenAsync();
            var tables = new List<string>();
            await using (var reader = await new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", connection).ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    tables.Add(reader.GetString(0));
                }
            }
            Assert.That(tables, Is.SupersetOf(new[] { "email_messages", "data_protection_keys", "api_tokens", "ef_migrations_history", "users", "user_roles" }));
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }

    /// <summary>
    /// Every feature maps its own entities; the model they build together must be the one the migrations create
    /// (a moved configuration that renames a key or an index shows here, not in production).
    /// </summary>
    [Test]
    public void The_features_mappings_match_the_migrations()
    {
        var options = new DbContextOptionsBuilder<AppDbContext>()
            .UseNpgsql(TestDatabase.ConnectionStringFor("postgres"), npgsql => npgsql.MigrationsHistoryTable("ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            // Identity reads its schema version from the app's IdentityOptions (AccountsSetup: version 3, passkeys).
            .UseApplicationServiceProvider(new ServiceCollection()
                .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3)
                .BuildServiceProvider())
            .Options;
        using var db = new AppDbContext(options);
        Assert.That(db.Database.HasPendingModelChanges(), Is.False, "the model differs from the last migration's snapshot: add a migration");
    }
}
