using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Npgsql;

namespace MarketWatch.Web.Infrastructure.Web;

/// <summary>
/// The one input rule at the edge: text the app cannot hold is refused with 400 before any handler runs, wherever it
/// arrives. What cannot be held: U+0000 (PostgreSQL text refuses it, error 22021) and an unpaired UTF-16 surrogate (it
/// has no UTF-8 form, so Npgsql cannot send it; only a JSON "\uD800" escape can carry one, as the URL and form decoders
/// replace broken UTF-8 with U+FFFD). Other control characters are storable and printed escaped, so each field's own
/// validation judges them (a ticker or a date refuses them with its own message; a note keeps a tab or a line break).
/// Where the rule is applied:
/// <list type="bullet">
/// <item>query strings and route values, and every field of a form posted to a minimal-API endpoint: <see cref="UseInputRule"/>;</item>
/// <item>JSON bodies: <see cref="HoldableStringConverter"/> in the minimal APIs' JSON options;</item>
/// <item>Razor Pages forms: <see cref="HoldableTextBinderProvider"/>, a field error on the field where the page re-renders
/// its form on one (<see cref="RefusedInputAsFieldErrorsAttribute"/>), elsewhere the 400 page (<see cref="InputRuleFilter"/>);</item>
/// <item>last line: PostgreSQL's 22021 and 22P05 (a character it cannot hold) answer 400: <see cref="UnstorableTextHandler"/>.</item>
/// </list>
/// <c>/api</c> and <c>/stream</c> answer a problem+json, browsers a page in their language.
/// </summary>
public static class InputRule
{
    /// <summary>True when <paramref name="text"/> holds a character the app cannot store or send (see the class comment).</summary>
    public static bool Refuses(string? text)
    {
        if (text is null)
        {
            return false;
        }
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return true;
            }
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return true;
                }
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The message a refused value gets, as a field error and as a problem's detail.</summary>
    public const string Message = "This contains a character that cannot be saved (such as a NUL). Remove it and try again.";

    /// <summary>Marks a request whose input broke the rule, so the 400 it ends in says why (see <see cref="AddInputRule"/>).</summary>
    public sealed class Refused;

    public static IServiceCollection AddInputRule(this IServiceCollection services)
    {
        services.AddExceptionHandler<UnstorableTextHandler>();
        services.AddOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>()
            .Configure<IHttpContextAccessor>((o, accessor) => o.SerializerOptions.Converters.Add(new HoldableStringConverter(accessor)));
        services.AddOptions<MvcOptions>().Configure(mvc =>
        {
            mvc.ModelBinderProviders.Insert(0, new HoldableTextBinderProvider(mvc.ModelBinderProviders));
            mvc.Filters.Add(new InputRuleFilter());
        });
        // A JSON body the converter refused ends in the minimal API's bare 400 and then the status-code pages' problem: it says why.
        services.AddOptions<ProblemDetailsOptions>().Configure<IStringLocalizer<SharedResource>>((o, L) =>
        {
            var previous = o.CustomizeProblemDetails;
            o.CustomizeProblemDetails = context =>
            {
                previous?.Invoke(context);
                if (context.HttpContext.Features.Get<Refused>() is not null && context.ProblemDetails.Status == StatusCodes.Status400BadRequest)
                {
                    context.ProblemDetails.Detail = L[Message];
                }
            };
        });
        return services;
    }

    /// <summary>
    /// Refuses a request whose query string, route values or (for an endpoint that is not a page) form holds text the app
    /// cannot hold. After routing (route values, and whether the endpoint is a page whose binder gives field errors) and
    /// authentication (a refused page still shows who is signed in).
    /// </summary>
    public static IApplicationBuilder UseInputRule(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (await CheckAsync(context) is { } message)
            {
                context.Features.Set(new Refused());
                await BadInput.WriteAsync(context, context.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>()[message]);
                return;
            }
            await next(context);
        });

    /// <summary>The message to refuse the request with, or null when its query, route values and form keep the rule.</summary>
    private static async Task<string?> CheckAsync(HttpContext context)
    {
        var request = context.Request;
        // Raw NUL bytes never get this far (Kestrel refuses them, and "%00" in the path); "%00" is how one arrives in a query.
        // .NET parses "5\0" as the number 5 (trailing NULs are allowed): without this ?id=5%00 reached row 5.
        if (request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true || request.Query.Any(q => Refuses(q.Key) || q.Value.Any(Refuses)))
        {
            return Message;
        }
        if (request.RouteValues.Values.Any(v => v is string s && Refuses(s)))
        {
            return Message;
        }
        var endpoint = context.GetEndpoint();
        if (endpoint is null || !request.HasFormContentType)
        {
            return null;
        }
        var page = endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not null;
        if (page && !request.ContentType!.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            // A page's multipart form is read by its binder, under the page's own limits ([RequestSizeLimit] is a filter,
            // applied after this middleware), and refused field by field there (HoldableTextBinderProvider).
            return null;
        }
        // Read once here (the form is kept for antiforgery and binding). The framework's urlencoded reader refuses a NUL
        // itself ("The form value contains invalid characters"); answered here, a browser gets the page, not a bare 400.
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(context.RequestAborted);
        }
        catch (InvalidDataException ex)
        {
            return ex.Message.Contains("invalid characters", StringComparison.OrdinalIgnoreCase) ? Message : UnreadableForm;
        }
        catch (BadHttpRequestException)
        {
            // Kestrel's own refusal while reading, e.g. a body over Kestrel:Limits:MaxRequestBodySize: a client error.
            return UnreadableForm;
        }
        if (page)
        {
            return null; // a page's binder refuses the field itself, with a field error (HoldableTextBinderProvider)
        }
        // A minimal API's form (the header's preference picker).
        return form.Any(f => Refuses(f.Key) || f.Value.Any(Refuses)) || form.Files.Any(f => Refuses(f.Name) || Refuses(f.FileName)) ? Message : null;
    }

    /// <summary>A form the framework cannot read (too many fields, a field too long, a broken multipart body).</summary>
    public const string UnreadableForm = "The form could not be read. Reload the page and try again.";

    /// <summary>True when <paramref name="exception"/> (or one inside it) is PostgreSQL refusing a character (22021, 22P05).</summary>
    public static bool IsUnstorableText(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter })
            {
                return true;
            }
        }
        return false;
    }
}
