using System.Text.Json;
using System.Text.Json.Serialization;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>
/// <see cref="InputRule"/> for JSON bodies: every string the minimal APIs read (properties, array items, dictionary keys)
/// is checked as it is read; one that breaks the rule fails the body (400) and marks the request so the problem says why.
/// </summary>
public sealed class HoldableStringConverter(IHttpContextAccessor accessor) : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Checked(reader.GetString());

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Checked(reader.GetString())!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    private string? Checked(string? value)
    {
        if (InputRule.Refuses(value))
        {
            accessor.HttpContext?.Features.Set(new InputRule.Refused());
            throw new JsonException(InputRule.Message);
        }
        return value;
    }
}

/// <summary>
/// <see cref="InputRule"/> for Razor Pages: a bound value (a form field, a handler's parameter) that breaks the rule is
/// not bound and gets a field error instead, so the page re-renders with the error next to the field. Wraps the binder
/// MVC would use for each simple value or collection of them; complex models are bound field by field through these.
/// </summary>
public sealed class HoldableTextBinderProvider(IList<IModelBinderProvider> providers) : IModelBinderProvider
{
    public IModelBinder? GetBinder(ModelBinderProviderContext context)
    {
        foreach (var provider in providers)
        {
            if (provider == this || provider.GetBinder(context) is not { } binder)
            {
                continue;
            }
            return context.Metadata.IsComplexType && !context.Metadata.IsEnumerableType ? binder : new HoldableTextBinder(binder);
        }
        return null;
    }

    private sealed class HoldableTextBinder(IModelBinder inner) : IModelBinder
    {
        public Task BindModelAsync(ModelBindingContext context)
        {
            var values = context.ValueProvider.GetValue(context.ModelName);
            if (values.Any(InputRule.Refuses))
            {
                var L = context.HttpContext.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
                context.HttpContext.Features.Set(new InputRule.Refused());
                context.ModelState.TryAddModelError(context.ModelName, L[InputRule.Message]);
                context.Result = ModelBindingResult.Failed();
                return Task.CompletedTask;
            }
            return inner.BindModelAsync(context);
        }
    }
}
