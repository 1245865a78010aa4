using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Watchlists;

public static class WatchlistsSetup
{
    public static IServiceCollection AddWatchlists(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WatchlistOptions>(configuration.GetSection("Watchlists"));
        services.AddScoped<WatchlistService>();
        services.AddScoped<WatchlistRows>();
        services.AddScoped<WatchlistCsv>();
        services.Configure<Infrastructure.Csv.CsvLimits>(WatchlistCsv.Limits, configuration.GetSection("Watchlists:Import"));
        services.AddScoped<INewAccountHandler, DefaultWatchlist>();
        services.AddScoped<IPersonalDataContributor, WatchlistPersonalData>();
        services.AddScoped<WatchlistFollows>();
        services.AddScoped<IPersonalDataContributor, WatchlistFollowPersonalData>();
        return services;
    }

    public static IEndpointRouteBuilder MapWatchlists(this IEndpointRouteBuilder app)
    {
        app.MapWatchlistsApi();
        app.MapWatchlistFollowsApi();
        app.MapWatchlistStreams();
        return app;
    }
}

/// <summary>Every new account starts with one (default) list, named in the account's language.</summary>
public sealed class DefaultWatchlist(WatchlistService lists, IStringLocalizer<SharedResource> L) : INewAccountHandler
{
    public async Task OnCreatedAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        string name;
        using (Languages.Use(user.Language))
        {
            name = L["My watchlist"];
        }
        await lists.CreateAsync(user.Id, name, cancellationToken);
    }
}
