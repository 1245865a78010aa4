using System.Globalization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Pwa;

/// <summary>The web app manifest, in the request's language, and the service worker's home.</summary>
public static class Manifest
{
    public const string ThemeLight = "#0b6e4f";
    public const string BackgroundLight = "#f6f7f9";
    public const string ThemeDark = "#0f1318";

    public static IEndpointRouteBuilder MapPwa(this IEndpointRouteBuilder app)
    {
        app.MapGet("/manifest.webmanifest", (HttpContext http, IStringLocalizer<SharedResource> L) =>
        {
            var culture = CultureInfo.CurrentUICulture;
            var manifest = new Dictionary<string, object>
            {
                ["id"] = "/",
                ["name"] = "MarketWatch",
                ["short_name"] = "MarketWatch",
                ["description"] = L["Prices, watchlists and alerts for investors on the Casablanca Stock Exchange."].Value,
                ["lang"] = culture.TwoLetterISOLanguageName,
                ["dir"] = culture.TextInfo.IsRightToLeft ? "rtl" : "ltr",
                ["start_url"] = "/?source=pwa",
                ["scope"] = "/",
                ["display"] = "standalone",
                ["orientation"] = "any",
                ["theme_color"] = ThemeLight,
                ["background_color"] = BackgroundLight,
                ["categories"] = new[] { "finance", "business" },
                ["icons"] = new object[]
                {
                    new { src = "/dist/icons/icon-192.png", sizes = "192x192", type = "image/png", purpose = "any" },
                    new { src = "/dist/icons/icon-512.png", sizes = "512x512", type = "image/png", purpose = "any" },
                    new { src = "/dist/icons/maskable-512.png", sizes = "512x512", type = "image/png", purpose = "maskable" },
                },
                ["shortcuts"] = new object[]
                {
                    new { name = L["Watchlists"].Value, short_name = L["Watchlists"].Value, url = "/watchlists", icons = new[] { new { src = "/dist/icons/icon-192.png", sizes = "192x192", type = "image/png" } } },
                    new { name = L["Alerts"].Value, short_name = L["Alerts"].Value, url = "/alerts", icons = new[] { new { src = "/dist/icons/icon-192.png", sizes = "192x192", type = "image/png" } } },
                    new { name = L["All instruments"].Value, short_name = L["Instruments"].Value, url = "/stocks", icons = new[] { new { src = "/dist/icons/icon-192.png", sizes = "192x192", type = "image/png" } } },
                },
                ["screenshots"] = new object[]
                {
                    new { src = "/dist/screenshots/phone.png", sizes = "390x844", type = "image/png", form_factor = "narrow", label = L["Market overview"].Value },
                    new { src = "/dist/screenshots/desktop.png", sizes = "1280x800", type = "image/png", form_factor = "wide", label = L["Market overview"].Value },
                },
            };
            http.Response.Headers.Vary = "Accept-Language, Cookie";
            return Results.Json(manifest, contentType: "application/manifest+json");
        }).ExcludeFromDescription();
        return app;
    }
}
