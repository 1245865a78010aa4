using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Localization;
using Microsoft.Net.Http.Headers;

namespace MarketWatch.Web.Infrastructure.Localization;

public static class LocalizationSetup
{
    public static IServiceCollection AddMarketWatchLocalization(this IServiceCollection services)
    {
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(options =>
        {
            options.DefaultRequestCulture = new RequestCulture(Languages.FormattingCulture(Languages.Default), Languages.Default);
            options.SupportedCultures = Languages.Supported.Select(c => CultureInfo.GetCultureInfo(Languages.FormattingCulture(c))).ToList();
            options.SupportedUICultures = Languages.Supported.Select(CultureInfo.GetCultureInfo).ToList();
            // One decision per request: the explicit choice (cookie, set by the switcher), then the profile,
            // then the browser. Text comes from the language; numbers and dates from its Moroccan culture.
            options.RequestCultureProviders =
            [
                new CustomRequestCultureProvider(context =>
                {
                    var language = FromCookie(context) ?? FromProfile(context) ?? FromBrowser(context);
                    return Task.FromResult(language is null
                        ? null
                        : new ProviderCultureResult(Languages.FormattingCulture(language), language));
                }),
            ];
        });
        return services;
    }

    private static string? FromCookie(HttpContext context)
    {
        var value = context.Request.Cookies[CookieRequestCultureProvider.DefaultCookieName];
        var parsed = value is null ? null : CookieRequestCultureProvider.ParseCookieValue(value);
        var language = parsed?.UICultures.FirstOrDefault().Value;
        return Languages.IsSupported(language) ? language : null;
    }

    private static string? FromProfile(HttpContext context)
    {
        var language = context.User.FindFirstValue(Languages.ClaimType);
        return Languages.IsSupported(language) ? language : null;
    }

    private static string? FromBrowser(HttpContext context)
    {
        var header = context.Request.Headers.AcceptLanguage.ToString();
        if (string.IsNullOrEmpty(header) || !StringWithQualityHeaderValue.TryParseList(header.Split(','), out var values))
        {
            return null;
        }
        return values
            .OrderByDescending(v => v.Quality ?? 1)
            .Select(v => v.Value.Value?.Split('-')[0].ToLowerInvariant())
            .FirstOrDefault(Languages.IsSupported);
    }

    /// <summary>Remembers the language for a year in the standard ASP.NET Core culture cookie.</summary>
    public static void RememberLanguage(this HttpResponse response, string language, DateTimeOffset now)
    {
        language = Languages.Normalize(language);
        response.Cookies.Append(
            CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(Languages.FormattingCulture(language), language)),
            new CookieOptions
            {
                Expires = now.AddYears(1),
                IsEssential = true,
                HttpOnly = true,
                SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Lax,
                Secure = response.HttpContext.Request.IsHttps,
            });
    }
}
