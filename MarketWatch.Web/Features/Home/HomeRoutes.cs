using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing.Matching;

namespace MarketWatch.Web.Features.Home;

/// <summary>Which audience an address at the same path serves: signed-in users or visitors.</summary>
public sealed record HomeAudience(bool SignedIn);

/// <summary>
/// <c>/</c> is two pages: the personal home for a signed-in user and the market overview for a visitor. The overview
/// lives at <c>/market</c> (the navigation's "Market" link, for everyone) and gets <c>/</c> as a second address for
/// visitors only (never used for links); <see cref="AudiencePolicy"/> picks between the two at routing time.
/// </summary>
public static class HomeRoutes
{
    public const string OverviewPage = "/Market/Overview";
    public const string HomePage = "/Home/Index";

    public static PageConventionCollection AddHomeRoutes(this PageConventionCollection conventions)
    {
        conventions.AddPageRouteModelConvention(OverviewPage, page =>
        {
            var visitors = new SelectorModel
            {
                AttributeRouteModel = new AttributeRouteModel { Template = "/", Order = 1, SuppressLinkGeneration = true },
            };
            visitors.EndpointMetadata.Add(new HomeAudience(SignedIn: false));
            page.Selectors.Add(visitors);
        });
        conventions.AddPageRouteModelConvention(HomePage, page =>
        {
            foreach (var selector in page.Selectors)
            {
                selector.EndpointMetadata.Add(new HomeAudience(SignedIn: true));
            }
        });
        return conventions;
    }
}

/// <summary>
/// Keeps the candidate endpoints whose <see cref="HomeAudience"/> matches the request. Routing runs before the
/// authentication middleware, so this authenticates the request itself (the handler caches the result for it).
/// </summary>
public sealed class AudiencePolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => endpoints.Any(e => AudienceOf(e) is not null);

    /// <summary>True: signed-in users only; false: visitors only; null: anyone. The root address of the overview and the home page.</summary>
    private static bool? AudienceOf(Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<HomeAudience>() is { } audience)
        {
            return audience.SignedIn;
        }
        if (endpoint is not RouteEndpoint { RoutePattern.PathSegments.Count: 0 } || endpoint.Metadata.GetMetadata<ActionDescriptor>() is not PageActionDescriptor page)
        {
            return null;
        }
        return page.ViewEnginePath switch
        {
            HomeRoutes.HomePage => true,
            HomeRoutes.OverviewPage => false,
            _ => null,
        };
    }

    public async Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        bool? signedIn = null;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i) || AudienceOf(candidates[i].Endpoint) is not { } audience)
            {
                continue;
            }
            signedIn ??= (await httpContext.AuthenticateAsync()).Succeeded;
            if (audience != signedIn)
            {
                candidates.SetValidity(i, false);
            }
        }
    }
}
