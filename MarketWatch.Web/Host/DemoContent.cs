using MarketWatch.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Host;

public sealed class SeedOptions
{
    /// <summary>Create the demo account (the run command turns this on and prints the credentials; never on in Production).</summary>
    public bool DemoContent { get; set; }
    public string DemoEmail { get; set; } = "demo@marketwatch.local";
    public string DemoPassword { get; set; } = "Demo-2026-Casablanca";
}

/// <summary>Demo content for the README's run command: a confirmed account to explore with.</summary>
public static class DemoContent
{
    public static async Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<SeedOptions>>().Value;
        var environment = scope.ServiceProvider.GetRequiredService<IWebHostEnvironment>();
        if (!options.DemoContent || environment.IsProduction())
        {
            return;
        }
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        if (await users.FindByEmailAsync(options.DemoEmail) is not null)
        {
            return;
        }
        var registration = scope.ServiceProvider.GetRequiredService<Registration>();
        var (result, _) = await registration.RegisterAsync(options.DemoEmail, options.DemoPassword, "Demo investor", "en", emailConfirmed: true, cancellationToken);
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DemoContent));
        if (result.Succeeded)
        {
            // The password stays out of the log: scripts/run, which chose it (Seed__DemoPassword), prints it.
            logger.LogInformation("Demo account created: {Email}", options.DemoEmail);
        }
        else
        {
            logger.LogError("Demo account not created: {Errors}", string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
