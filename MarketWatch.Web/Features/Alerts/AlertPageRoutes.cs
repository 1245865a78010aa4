using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>
/// The second address of two alert pages: <c>/alerts/new</c> (the edit page without an alert) and <c>/alerts/{id}</c>
/// (one alert's history). Unlike <c>AddPageRoute</c>, both addresses stay available to link generation, so
/// <c>asp-page</c> writes either one from the route values it is given: the address that needs the id is tried first.
/// </summary>
public static class AlertPageRoutes
{
    public static PageConventionCollection AddAlertPageRoutes(this PageConventionCollection conventions)
    {
        conventions.AddPageRouteModelConvention("/Alerts/Edit", page => page.Selectors.Add(Route("alerts/new", order: 1)));
        conventions.AddPageRouteModelConvention("/Alerts/History", page => page.Selectors.Add(Route("alerts/{id:long}", order: -1)));
        return conventions;
    }

    private static SelectorModel Route(string template, int order) =>
        new() { AttributeRouteModel = new AttributeRouteModel { Template = template, Order = order } };
}
