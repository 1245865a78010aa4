using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Infrastructure;

/// <summary>
/// Why a change was refused: the field it concerns (a form field or API property) and what to tell the user;
/// <paramref name="LimitReached"/> when the input was fine but a per-user cap is full (409 rather than 400 on the API).
/// </summary>
public sealed record FieldError(string Field, Text Message, bool LimitReached = false);

/// <summary>The result of a change: done, refused (with a reason), or not found (never someone else's).</summary>
public sealed record Outcome<T>(T? Value, FieldError? Error, bool Found)
{
    public static Outcome<T> Done(T value) => new(value, null, true);
    public static Outcome<T> Refused(string field, Text message) => Refused(new FieldError(field, message));
    public static Outcome<T> Refused(FieldError error) => new(default, error, true);
    public static Outcome<T> Missing { get; } = new(default, null, false);
}

public static class FieldErrors
{
    /// <summary>
    /// An RFC 7807 validation problem: each field (as the API names it, camelCase) with its messages in the reader's
    /// language; 409 "limit reached" (with the same <c>errors</c>) when a per-user cap refused it.
    /// </summary>
    public static IResult ToProblem(this IEnumerable<FieldError> errors, IStringLocalizer L)
    {
        var list = errors.ToList();
        var byField = list.GroupBy(e => e.Field.Length == 0 ? "" : char.ToLowerInvariant(e.Field[0]) + e.Field[1..])
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message.In(L)).ToArray());
        return list.FirstOrDefault(e => e.LimitReached) is { } limit
            ? Results.Problem(title: L["Limit reached"], detail: limit.Message.In(L), statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["errors"] = byField })
            : Results.ValidationProblem(byField);
    }
}
