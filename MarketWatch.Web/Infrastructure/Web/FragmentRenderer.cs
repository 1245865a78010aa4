using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Razor;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Routing;

namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>
/// Renders a Razor partial to a string for a stream: the same partial that renders the first page load, in the
/// request's language. Fragments that are the same for every viewer (a quote row) are rendered once per update
/// and culture, then shared by every connection.
/// </summary>
public sealed class FragmentRenderer(IRazorViewEngine views, ITempDataProvider tempData, IModelMetadataProvider metadata)
{
    private readonly ConcurrentDictionary<(string View, string Culture, string Key), (long Sequence, Task<string> Html)> _shared = new();

    public Task<string> RenderAsync<TModel>(HttpContext http, string viewPath, TModel model) =>
        RenderAsync(http, viewPath, model, new ActionContext(http, http.GetRouteData() ?? new RouteData(), new ActionDescriptor()));

    /// <summary>A whole view with its layout, rendered as if for the page <paramref name="page"/> (its partials are found where a page's are).</summary>
    public Task<string> RenderAsPageAsync<TModel>(HttpContext http, string viewPath, TModel model, string page)
    {
        var descriptor = new ActionDescriptor();
        descriptor.RouteValues["page"] = page;
        return RenderAsync(http, viewPath, model, new ActionContext(http, new RouteData(new RouteValueDictionary { ["page"] = page }), descriptor));
    }

    private async Task<string> RenderAsync<TModel>(HttpContext http, string viewPath, TModel model, ActionContext actionContext)
    {
        var result = views.GetView(executingFilePath: null, viewPath, isMainPage: false);
        if (!result.Success)
        {
            throw new InvalidOperationException($"Partial {viewPath} not found.");
        }
        await using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var viewData = new ViewDataDictionary<TModel>(metadata, new ModelStateDictionary()) { Model = model };
        var context = new ViewContext(actionContext, result.View, viewData, new TempDataDictionary(http, tempData), writer, new HtmlHelperOptions());
        await result.View.RenderAsync(context);
        return writer.ToString();
    }

    /// <summary>
    /// One render per (view, culture, key, sequence), whoever asks first; the others get the same string. The language
    /// is part of the key already; the key names everything else that shapes the fragment (the viewer's time zone...).
    /// </summary>
    public Task<string> RenderSharedAsync<TModel>(HttpContext http, string viewPath, string key, long sequence, TModel model)
    {
        var id = (viewPath, CultureInfo.CurrentCulture.Name, key);
        while (true)
        {
            if (_shared.TryGetValue(id, out var cached) && cached.Sequence >= sequence && !cached.Html.IsFaulted && !cached.Html.IsCanceled)
            {
                return cached.Html;
            }
            var fresh = (sequence, RenderAsync(http, viewPath, model));
            if (cached.Html is null ? _shared.TryAdd(id, fresh) : _shared.TryUpdate(id, fresh, cached))
            {
                return fresh.Item2;
            }
        }
    }
}
