using System.Globalization;
using MarketWatch.Bench;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using Npgsql;

// Usage: dotnet run -c Release --project bench/MarketWatch.Bench -- ingest [--batches 2000] [--baseline-batches 100]
// Needs ConnectionStrings__Default (scripts/bench sets it); works in a scratch database it creates and drops.
string Option(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
var batches = int.Parse(Option("--batches", "2000"), CultureInfo.InvariantCulture);
var baselineBatches = int.Parse(Option("--baseline-batches", "100"), CultureInfo.InvariantCulture);
var server = Environment.GetEnvironmentVariable("ConnectionStrings__Default")
             ?? throw new InvalidOperationException("Set ConnectionStrings__Default (scripts/bench does).");
var database = "mw_bench_" + Guid.NewGuid().ToString("N")[..8];
var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;

await using (var connection = new NpgsqlConnection(admin))
{
    await connection.OpenAsync();
    await new NpgsqlCommand($"CREATE DATABASE {database}", connection).ExecuteNonQueryAsync();
}
try
{
    var builder = WebApplication.CreateBuilder([]);
    builder.Configuration["ConnectionStrings:Default"] = connectionString;
    builder.Configuration["Jobs:Server"] = "false";
    builder.Configuration["MarketData:Simulated:HistoryYears"] = "1";
    builder.AddMarketWatch();
    await using var app = builder.Build();
    await DatabaseSetup.MigrateAsync(app.Services, CancellationToken.None);
    await app.Services.GetServices<IHostedService>().OfType<MarketBootstrap>().Single().StartAsync(CancellationToken.None);

    var results = await IngestBenchmark.RunAsync(app.Services, app.Services.GetRequiredService<NpgsqlDataSource>(), connectionString, batches, baselineBatches);
    Console.WriteLine($"| workload | batches | ticks | seconds | ticks/s | batches/s | notifications received |");
    Console.WriteLine($"| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var r in results)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {r.Name} | {r.Batches} | {r.Ticks} | {r.Elapsed.TotalSeconds:0.00} | {r.TicksPerSecond:N0} | {r.BatchesPerSecond:N1} | {r.Notifications} |"));
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"\nSet-based / row-by-row throughput: {results[0].TicksPerSecond / results[1].TicksPerSecond:0.0}x"));
}
finally
{
    NpgsqlConnection.ClearAllPools();
    await using var connection = new NpgsqlConnection(admin);
    await connection.OpenAsync();
    await new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection).ExecuteNonQueryAsync();
}
