using System.Net;
using MarketWatch.Web.Infrastructure;
using System.IO.Compression;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.ResponseCompression;

namespace MarketWatch.Web.Host;

/// <summary>
/// What the app trusts from the network edge: its own public address (<c>App:BaseUrl</c>, never the request's Host
/// header), which proxies may say who the client is (<c>App:KnownProxies</c>, <c>App:KnownNetworks</c>,
/// <c>App:ForwardedForHeader</c>), and Kestrel's request limits (<c>Kestrel:Limits</c>). <c>AllowedHosts</c> is
/// ASP.NET Core's own host filtering, configured like any setting. See docs/configuration.md.
/// Responses are compressed here too (Brotli, else gzip), HTTPS included: pages, fragments, JSON, scripts and styles.
/// </summary>
public static class EdgeSetup
{
    public const string BaseUrlRequired =
        "App:BaseUrl must be set outside Development (environment variable App__BaseUrl), to the public address people use, " +
        "e.g. https://marketwatch.example: links in emails are built from it, never from a request's Host header.";

    public static WebApplicationBuilder AddEdge(this WebApplicationBuilder builder)
    {
        var environment = builder.Environment;
        builder.Services.AddOptions<AppOptions>()
            .Validate(o => string.IsNullOrWhiteSpace(o.BaseUrl) ? environment.IsDevelopment() : IsHttpAddress(o.BaseUrl),
                BaseUrlRequired + " An address, when set, must be absolute http(s) without a query.")
            .ValidateOnStart();

        var app = builder.Configuration.GetSection("App");
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The client is the last address the trusted proxy appended (one hop): whatever a client wrote before it is ignored.
            o.ForwardLimit = 1;
            if (app["ForwardedForHeader"] is { Length: > 0 } header)
            {
                o.ForwardedForHeaderName = header;
            }
            var proxies = List(app.GetSection("KnownProxies"));
            var networks = List(app.GetSection("KnownNetworks"));
            // Nothing configured: ASP.NET Core's default, loopback only (a proxy on the same host). Anything configured
            // replaces it: only those peers may set the client address and scheme.
            if (proxies.Count + networks.Count > 0)
            {
                o.KnownProxies.Clear();
                o.KnownIPNetworks.Clear();
                proxies.ForEach(p => o.KnownProxies.Add(IPAddress.Parse(p)));
                networks.ForEach(n => o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(n)));
            }
        });

        builder.WebHost.ConfigureKestrel((context, kestrel) => context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits));

        // The market dashboard's page is 130 KB of HTML (its heatmap drawings and table) and the app bundle 80 KB: on a
        // phone's network they are most of the wait. Over HTTPS too (BREACH): the antiforgery token every form carries
        // is encrypted afresh for each response (Data Protection), so its compressed size reveals nothing; the account
        // pages, which show secrets (an authenticator key, recovery codes), are never compressed (UseEdge).
        // The live streams (text/event-stream) are not in the list: each event must leave at once.
        builder.Services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(["application/problem+json", "image/svg+xml", "application/manifest+json"]);
        });
        builder.Services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        builder.Services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        return builder;
    }

    public static WebApplication UseEdge(this WebApplication app)
    {
        if (app.Configuration.GetValue("App:BehindProxy", false))
        {
            app.UseForwardedHeaders();
        }
        app.UseWhen(http => !http.Request.Path.StartsWithSegments("/account", StringComparison.OrdinalIgnoreCase), branch => branch.UseResponseCompression());
        return app;
    }

    private static bool IsHttpAddress(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment);

    /// <summary>A list setting, as an array (<c>App:KnownProxies:0</c>) or one value separated by commas or spaces (<c>App__KnownProxies=a,b</c>).</summary>
    private static List<string> List(IConfigurationSection section) =>
        (section.Value is { } single ? [single] : section.GetChildren().Select(c => c.Value ?? ""))
        .SelectMany(v => v.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        .ToList();
}
