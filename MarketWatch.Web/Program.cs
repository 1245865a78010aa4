using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;

// `dotnet MarketWatch.Web.dll migrate` applies migrations and exits (the production release step).
var migrateOnly = args is ["migrate", ..];
var builder = WebApplication.CreateBuilder(migrateOnly ? args[1..] : args);
builder.AddMarketWatch();
var app = builder.Build();

if (migrateOnly)
{
    await DatabaseSetup.MigrateAsync(app.Services, CancellationToken.None);
    Console.WriteLine("Migrations applied.");
    return;
}

app.UseMarketWatch();
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
