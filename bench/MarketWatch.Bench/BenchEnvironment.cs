using MarketWatch.Web.Host;
using System.Diagnostics;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using Npgsql;

namespace MarketWatch.Bench;

/// <summary>The benchmarks' environment: a scratch database (created, migrated, seeded; dropped at the end) and, when asked, the real app serving it in a child process.</summary>
public sealed class BenchEnvironment : IAsyncDisposable
{
    private readonly string _admin;
    private Process? _server;

    public string Database { get; }
    public string ConnectionString { get; }
    public WebApplication App { get; private set; } = null!;
    public Uri? ServerUrl { get; private set; }
    public Process? Server => _server;

    private BenchEnvironment(string server)
    {
        Database = "mw_bench_" + Guid.NewGuid().ToString("N")[..8];
        _admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = Database, MaxPoolSize = 50 }.ConnectionString;
    }

    public static async Task<BenchEnvironment> CreateAsync(int historyYears = 1)
    {
        var server = Environment.GetEnvironmentVariable("ConnectionStrings__Default")
                     ?? throw new InvalidOperationException("Set ConnectionStrings__Default (scripts/bench does).");
        var bench = new BenchEnvironment(server);
        await using (var connection = new NpgsqlConnection(bench._admin))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE {bench.Database}", connection).ExecuteNonQueryAsync();
        }
        var builder = WebApplication.CreateBuilder([]);
        builder.Configuration["ConnectionStrings:Default"] = bench.ConnectionString;
        builder.Configuration["Jobs:Server"] = "false";
        builder.Configuration["MarketData:Ingest"] = "false";
        builder.Configuration["MarketData:Simulated:HistoryYears"] = historyYears.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Production (the default here) encrypts the Data Protection keys to a certificate, as the server below does.
        foreach (var (key, value) in MarketWatch.Tests.Infrastructure.TestCertificates.Environment)
        {
            builder.Configuration[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddMarketWatch();
        bench.App = builder.Build();
        await DatabaseSetup.MigrateAsync(bench.App.Services, CancellationToken.None);
        await bench.App.Services.GetServices<IHostedService>().OfType<MarketBootstrap>().Single().StartAsync(CancellationToken.None);
        return bench;
    }

    /// <summary>Starts MarketWatch.Web (Release, Production settings) on a free loopback port and waits for /health/ready.</summary>
    public async Task StartServerAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = MarketWatch.Tests.Infrastructure.Ports.Free();
        // The content root is the web project's folder: its wwwroot holds the built assets (scripts/bench builds them).
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "MarketWatch.sln")))
        {
            root = root.Parent;
        }
        var contentRoot = Path.Combine(root?.FullName ?? throw new InvalidOperationException("MarketWatch.sln not found"), "MarketWatch.Web");
        var start = new ProcessStartInfo("dotnet", ["MarketWatch.Web.dll", "--urls", $"http://127.0.0.1:{port}", "--contentRoot", contentRoot])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__Default"] = ConnectionString;
        // Production, as behind Fly's proxy: TLS ends at the proxy, which says so in X-Forwarded-Proto (the clients send it).
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["App__BehindProxy"] = "true";
        // Required outside Development (links in emails); a benchmark that reads the links sets its own.
        start.Environment["App__BaseUrl"] = "https://marketwatch.example";
        start.Environment["MarketData__Ingest"] = "false";
        start.Environment["Jobs__Server"] = "false";
        start.Environment["RateLimits__AuthPermitLimit"] = "100000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in MarketWatch.Tests.Infrastructure.TestCertificates.Environment)
        {
            start.Environment[key] = value;
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        _server = Process.Start(start)!;
        _server.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("server: " + e.Data); };
        _server.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("server: " + e.Data); };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        ServerUrl = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = ServerUrl };
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException("The server did not start.");
    }

    public long ServerMemory()
    {
        _server!.Refresh();
        return _server.WorkingSet64;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }
        await App.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await new NpgsqlCommand($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)", connection).ExecuteNonQueryAsync();
    }
}
