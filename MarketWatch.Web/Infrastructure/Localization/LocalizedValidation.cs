using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Infrastructure.Localization;

/// <summary>
/// DataAnnotations validation for the JSON API with the same localized messages the Razor pages show
/// (MVC localizes attribute messages itself; minimal APIs do not).
/// </summary>
public static class LocalizedValidation
{
    public static Dictionary<string, string[]> Validate(object model, IServiceProvider services)
    {
        var L = services.GetRequiredService<IStringLocalizer<SharedResource>>();
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string key, string message)
        {
            var name = JsonName(key);
            if (!errors.TryGetValue(name, out var list))
            {
                errors[name] = list = [];
            }
            list.Add(message);
        }

        foreach (var property in model.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var value = property.GetValue(model);
            var displayName = L[property.GetCustomAttribute<DisplayAttribute>()?.Name ?? property.Name].Value;
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>())
            {
                if (attribute.IsValid(value))
                {
                    continue;
                }
                var template = attribute.ErrorMessage is null ? null : L[attribute.ErrorMessage].Value;
                Add(property.Name, template is null
                    ? attribute.FormatErrorMessage(displayName)
                    : string.Format(CultureInfo.CurrentCulture, template, FormatArguments(attribute, displayName)));
                break;
            }
        }

        if (errors.Count == 0 && model is IValidatableObject validatable)
        {
            foreach (var result in validatable.Validate(new ValidationContext(model, services, null)))
            {
                foreach (var member in result.MemberNames.DefaultIfEmpty(""))
                {
                    Add(member, result.ErrorMessage ?? "");
                }
            }
        }
        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    private static object?[] FormatArguments(ValidationAttribute attribute, string displayName) => attribute switch
    {
        StringLengthAttribute s => [displayName, s.MaximumLength, s.MinimumLength],
        MinLengthAttribute m => [displayName, m.Length],
        MaxLengthAttribute m => [displayName, m.Length],
        _ => [displayName],
    };

    private static string JsonName(string property) =>
        string.IsNullOrEmpty(property) ? property : char.ToLowerInvariant(property[0]) + property[1..];
}
