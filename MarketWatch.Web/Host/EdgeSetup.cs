using System.Net;
using MarketWatch.Web.Infrastructure;
using Microsoft.AspNetCore.HttpOverrides;

namespace MarketWatch.Web.Host;

/// <summary>
/// What the app trusts from the network edge: its own public address (<c>App:BaseUrl</c>, never the request's Host
/// header), which proxies may say who the client is (<c>App:KnownProxies</c>, <c>App:KnownNetworks</c>,
/// <c>App:ForwardedForHeader</c>), and Kestrel's request limits (<c>Kestrel:Limits</c>). <c>AllowedHosts</c> is
/// ASP.NET Core's own host filtering, configured like any setting. See docs/configuration.md.
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
        return builder;
    }

    public static WebApplication UseEdge(this WebApplication app)
    {
        if (app.Configuration.GetValue("App:BehindProxy", false))
        {
            app.UseForwardedHeaders();
        }
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
