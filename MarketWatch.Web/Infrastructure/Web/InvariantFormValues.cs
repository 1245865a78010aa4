using System.Globalization;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>
/// Form numbers are read in the invariant culture: browsers submit &lt;input type="number"&gt; as "755.5" whatever the
/// page's language, and in French "755.5" would otherwise bind as 7555.
/// </summary>
public sealed class InvariantFormValueProviderFactory : IValueProviderFactory
{
    public async Task CreateValueProviderAsync(ValueProviderFactoryContext context)
    {
        var request = context.ActionContext.HttpContext.Request;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            context.ValueProviders.Add(new FormValueProvider(BindingSource.Form, form, CultureInfo.InvariantCulture));
        }
    }
}
