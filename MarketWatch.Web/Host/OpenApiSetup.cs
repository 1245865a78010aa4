using MarketWatch.Web.Features.Accounts;
using Microsoft.AspNetCore.Authorization;

namespace MarketWatch.Web.Host;

/// <summary>
/// The API's OpenAPI document at <c>/openapi/v1.json</c>, public in every environment: it describes the API users call
/// with their own tokens (as brokers and market-data APIs publish theirs), and it says nothing a client could not learn
/// by calling the API. Admin-only operations are left out: an outsider has no use for them. <c>Api:PublishOpenApi</c>
/// = false takes the document off (404), for an installation without API users.
/// </summary>
public static class OpenApiSetup
{
    public const string Path = "/openapi/v1.json";

    public static IServiceCollection AddMarketWatchOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            var byDocument = o.ShouldInclude;
            o.ShouldInclude = description => byDocument(description)
                && !description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any(a => a.Policy == AccountsSetup.AdminPolicy);
        });

    public static WebApplication MapMarketWatchOpenApi(this WebApplication app)
    {
        if (app.Configuration.GetValue("Api:PublishOpenApi", true))
        {
            app.MapOpenApi();
        }
        return app;
    }
}
