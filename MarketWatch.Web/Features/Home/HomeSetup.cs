using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MarketWatch.Web.Features.Home;

public static class HomeSetup
{
    public static IServiceCollection AddHome(this IServiceCollection services)
    {
        services.AddScoped<HomeQueries>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, AudiencePolicy>());
        return services;
    }
}
