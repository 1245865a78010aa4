using MarketWatch.Web.Host;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Email;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>The real app (Program) on its own PostgreSQL database, in-memory or on a real Kestrel port.</summary>
public sealed class MarketWatchFactory : WebApplicationFactory<Program>
{
    private readonly string _database;
    private readonly bool _migrate;
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IWebHostBuilder>? _configure;

    public MarketWatchFactory(string database, bool migrate = false, IDictionary<string, string?>? settings = null, bool kestrel = false, int port = 0,
        Action<IWebHostBuilder>? configure = null)
    {
        _database = database;
        _configure = configure;
        _migrate = migrate;
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (kestrel)
        {
            UseKestrel(port);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Default", TestDatabase.ConnectionStringFor(_database));
        builder.UseSetting("Database:MigrateOnStartup", _migrate ? "true" : "false");
        builder.UseSetting("Mail:ExposeDevMailbox", "true");
        builder.UseSetting("Jobs:WorkerCount", "2");
        builder.UseSetting("Jobs:QueuePollSeconds", "1");
        builder.UseSetting("RateLimits:AuthPermitLimit", "1000");
        // Tests that need live prices turn the ingest on; the others read what they stored themselves.
        builder.UseSetting("MarketData:Ingest", "false");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        _configure?.Invoke(builder);
    }

    /// <summary>The address of the Kestrel server (when started with kestrel: true).</summary>
    public Uri ServerAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First().Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
        }
    }

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    public Task<EmailMessage?> LatestEmailToAsync(string address) =>
        WithDbAsync(db => db.EmailMessages.AsNoTracking().Where(m => m.To == address).OrderByDescending(m => m.Id).FirstOrDefaultAsync());

    public Task<ApplicationUser?> FindUserAsync(string email) =>
        WithDbAsync(db => db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedEmail == email.ToUpperInvariant()));

    /// <summary>The first http(s) link in an email's text body.</summary>
    public static string LinkIn(EmailMessage message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message.TextBody, @"https?://\S+");
        Assert.That(match.Success, Is.True, $"no link in email '{message.Subject}'");
        return match.Value;
    }
}
