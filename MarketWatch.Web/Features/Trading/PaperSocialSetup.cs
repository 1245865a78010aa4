using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Notifications;

namespace MarketWatch.Web.Features.Trading;

/// <summary>What paper trading tells and shares: fill and rejection notices, the leaderboard, competitions, personal data.</summary>
public static class PaperSocialSetup
{
    public static IServiceCollection AddPaperSocial(this IServiceCollection services)
    {
        services.AddScoped<INoticeSource, TradeNotices>();
        services.AddScoped<Leaderboard>();
        services.AddScoped<PaperCompetitions>();
        services.AddScoped<IPersonalDataContributor, TradingPersonalData>();
        return services;
    }
}
