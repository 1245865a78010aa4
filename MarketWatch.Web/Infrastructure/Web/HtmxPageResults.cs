using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Net.Http.Headers;

namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>One URL that answers htmx with a fragment and a browser with the whole page.</summary>
public static class HtmxPageResults
{
    /// <summary>
    /// The partial for an htmx request, the page otherwise. Both answers say <c>Vary: HX-Request</c>: without it a
    /// browser or proxy cache could serve the fragment for a full load of the same URL (or the page into a swap).
    /// </summary>
    public static IActionResult PartialOrPage(this PageModel page, string partialName, object? model = null)
    {
        page.Response.Headers.Append(HeaderNames.Vary, HtmxRequestHeaders.Keys.Request);
        return page.Request.IsHtmx() ? page.Partial(partialName, model ?? page) : page.Page();
    }
}
