using System.Text.Json;
using System.Text.Json.Serialization;

namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>
/// Enums travel in JSON by name ("PriceAbove", "InApp"), written and read (numbers are still read), so reordering an
/// enum never changes what an API client or an export file sees. Set once for the API in the app's setup, and on the
/// few options the app serializes files with itself, instead of an attribute on every enum.
/// </summary>
public static class JsonEnumNames
{
    public static JsonSerializerOptions WithEnumNames(this JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }
}
