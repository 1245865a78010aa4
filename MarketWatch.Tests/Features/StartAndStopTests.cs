using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Host;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketWatch.Tests.Features;

/// <summary>The host itself: a first start that logs nothing alarming, a stop that does not wait on open streams.</summary>
[NonParallelizable]
public sealed class StartAndStopTests
{
    [Test]
    public async Task A_first_start_on_an_empty_database_logs_no_warning_or_error_and_never_the_demo_password()
    {
        var database = "mw_test_first_" + Guid.NewGuid().ToString("N")[..12];
        await AdminAsync($"CREATE DATABASE {database}");
        var logs = new LogCollector();
        var password = "Demo-" + Guid.NewGuid().ToString("N")[..10];
        var factory = new MarketWatchFactory(database, migrate: true, settings: new Dictionary<string, string?>
        {
            // As scripts/run starts it: demo content, the simulated feed ingesting.
            ["Seed:DemoContent"] = "true",
            ["Seed:DemoPassword"] = password,
            ["MarketData:Ingest"] = "true",
            ["MarketData:Simulated:DemoMode"] = "true",
        });
        try
        {
            await using var app = factory.WithWebHostBuilder(web => web.ConfigureLogging(logging => logging
                .AddProvider(logs)
                .AddFilter<LogCollector>(level => level >= LogLevel.Information)));
            var client = app.CreateClient();
            (await client.GetAsync("/")).EnsureSuccessStatusCode();
            (await client.GetAsync("/health/ready")).EnsureSuccessStatusCode();
            await Eventually.TrueAsync(() => logs.Entries.Any(e => e.Message.StartsWith("Demo account created", StringComparison.Ordinal)),
                "the demo account to be created");

            Assert.Multiple(() =>
            {
                Assert.That(logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => $"{e.Level} {e.Category}: {e.Message}"), Is.Empty);
                Assert.That(logs.Entries.Where(e => e.Message.Contains(password, StringComparison.Ordinal)), Is.Empty);
                Assert.That(logs.Entries.Select(e => e.Message), Has.Some.StartsWith("Data Protection keys are stored unencrypted"));
            });
        }
        finally
        {
            await factory.DisposeAsync();
            await TestDatabase.DropAsync(database);
        }
    }

    [Test]
    public async Task With_a_certificate_the_data_protection_keys_are_encrypted_at_rest_and_read_back_by_another_instance()
    {
        var database = await TestDatabase.CreateAsync();
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=MarketWatch keys", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var settings = new Dictionary<string, string?>
        {
            ["DataProtection:Certificate"] = Convert.ToBase64String(certificate.Export(X509ContentType.Pfx, "secret")),
            ["DataProtection:CertificatePassword"] = "secret",
        };
        try
        {
            await AdminAsync("DELETE FROM data_protection_keys", database);
            string protectedText;
            await using (var first = new MarketWatchFactory(database, settings: settings))
            {
                protectedText = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("hello");
                var xml = await first.WithDbAsync(db => db.Set<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey>()
                    .AsNoTracking().Select(k => k.Xml).SingleAsync());
                Assert.That(xml, Does.Contain("EncryptedData").And.Not.Contain("<masterKey"));
            }
            await using var second = new MarketWatchFactory(database, settings: settings);
            Assert.That(second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedText), Is.EqualTo("hello"));
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }

    [Test]
    public async Task Stopping_the_host_ends_open_event_streams_within_seconds()
    {
        var database = await TestDatabase.CreateAsync();
        var app = new MarketWatchFactory(database, kestrel: true);
        try
        {
            using var http = new HttpClient { BaseAddress = app.ServerAddress, Timeout = Timeout.InfiniteTimeSpan };
            await Ticks.WriteAsync(app, ("ATW", 760m));
            using var stream = await SseClient.ConnectAsync(http, "/stream/quotes?tickers=ATW&view=row");
            await stream.WaitForAsync(e => e.Event == "quote-ATW", TimeSpan.FromSeconds(10));
            Assert.That(app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout, Is.EqualTo(MarketWatchSetup.ShutdownTimeout));

            var clock = Stopwatch.StartNew();
            var stopping = Task.Run(() => app.Services.GetRequiredService<IHost>().StopAsync());
            // Without the stop ending the stream, Kestrel waits the whole shutdown timeout (25 s) for it, then aborts it.
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            try
            {
                while (await stream.NextAsync(limit.Token) is not null)
                {
                }
            }
            catch (IOException)
            {
            }
            var ended = clock.Elapsed;
            await stopping;
            Assert.That(ended, Is.LessThan(TimeSpan.FromSeconds(5)), "the open stream ended this long after the stop began");
        }
        finally
        {
            await app.DisposeAsync();
            await TestDatabase.DropAsync(database);
        }
    }

    private static async Task AdminAsync(string sql, string database = "postgres")
    {
        await using var connection = new NpgsqlConnection(
            new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString) { Database = database, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed record LogEntry(LogLevel Level, string Category, string Message);

    /// <summary>Keeps what the app logs, to look at afterwards.</summary>
    private sealed class LogCollector : ILoggerProvider
    {
        private readonly ConcurrentQueue<LogEntry> _entries = new();

        public IReadOnlyCollection<LogEntry> Entries => _entries.ToArray();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue(new LogEntry(logLevel, category, formatter(state, exception) + (exception is null ? "" : " " + exception.GetType().Name)));
        }
    }
}
