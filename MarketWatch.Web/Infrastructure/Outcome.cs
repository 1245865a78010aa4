using MarketWatch.Web.Infrastructure.Localization;

namespace MarketWatch.Web.Infrastructure;

/// <summary>Why a change was refused: the field it concerns (a form field or API property) and what to tell the user.</summary>
public sealed record FieldError(string Field, Text Message);

/// <summary>The result of a change: done, refused (with a reason), or not found (never someone else's).</summary>
public sealed record Outcome<T>(T? Value, FieldError? Error, bool Found)
{
    public static Outcome<T> Done(T value) => new(value, null, true);
    public static Outcome<T> Refused(string field, Text message) => new(default, new FieldError(field, message), true);
    public static Outcome<T> Missing { get; } = new(default, null, false);
}

