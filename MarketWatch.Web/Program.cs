using MarketWatch.Web.Host;

// A verb (`migrate`, `import-bars`, `data-quality`) runs and exits without starting the web server.
var command = Commands.Parse(args);
var builder = WebApplication.CreateBuilder(command is null ? args : []);
builder.AddMarketWatch();
var app = builder.Build();

if (command is not null)
{
    return await command.RunAsync(app.Services);
}

app.UseMarketWatch();
await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
