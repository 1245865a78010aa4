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

/// <summary>
/// On a page marked with this, every POST handler returns the page while <c>ModelState</c> is invalid, before acting: a
/// value <see cref="InputRule"/> refused then shows as a field error on the re-rendered form. Elsewhere a refused value
/// stops the handler (<see cref="InputRuleFilter"/>), as the handler would act on the field's default instead.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RefusedInputAsFieldErrorsAttribute : Attribute;

/// <summary>
/// A page handler whose bound input <see cref="InputRule"/> refused does not run, unless its page shows field errors
/// (<see cref="RefusedInputAsFieldErrorsAttribute"/>): a 400 page in the user's language (or problem+json) says why.
/// </summary>
public sealed class InputRuleFilter : Microsoft.AspNetCore.Mvc.Filters.IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(Microsoft.AspNetCore.Mvc.Filters.PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context,
        Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutionDelegate next)
    {
        if (context.HttpContext.Features.Get<InputRule.Refused>() is not null
            && context.HandlerInstance.GetType().GetCustomAttributes(typeof(RefusedInputAsFieldErrorsAttribute), inherit: true).Length == 0)
        {
            context.Result = new BadInputResult();
            return;
        }
        var executed = await next();
        if (context.HttpContext.Features.Get<InputRule.Refused>() is not null && executed.Result is Microsoft.AspNetCore.Mvc.RazorPages.PageResult page)
        {
            page.StatusCode = StatusCodes.Status400BadRequest; // the form again, with the field error: the request was refused
        }
    }

    private sealed class BadInputResult : Microsoft.AspNetCore.Mvc.IActionResult
    {
        public Task ExecuteResultAsync(Microsoft.AspNetCore.Mvc.ActionContext context) =>
            BadInput.WriteAsync(context.HttpContext, context.HttpContext.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>()[InputRule.Message]);
    }
}
