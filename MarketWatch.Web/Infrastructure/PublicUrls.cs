namespace MarketWatch.Web.Infrastructure;

/// <summary>Settings of section <c>App</c>.</summary>
public sealed class AppOptions
{
    /// <summary>
    /// Public base address (https://marketwatch.example) of every link in emails. Required outside Development (the app
    /// refuses to start without it); in Development, when empty, the address this server listens on.
    /// </summary>
    public string? BaseUrl { get; set; }
}

/// <summary>
/// Absolute links for emails: always on the configured public address, never on the request's Host header (which the
/// client writes: a reset requested with <c>Host: evil.example</c> must not mail a link to evil.example).
/// </summary>
public sealed class PublicUrls(Microsoft.Extensions.Options.IOptions<AppOptions> options, LinkGenerator links,
    Microsoft.AspNetCore.Hosting.Server.IServer server, IHostEnvironment environment)
{
    public string Page(string page, object? values = null)
    {
        var path = links.GetPathByPage(page, handler: null, values: values, pathBase: PathString.Empty)
                   ?? throw new InvalidOperationException($"No route for page {page}");
        return Absolute(path);
    }

    /// <summary>
    /// A Message-ID of this installation (without angle brackets): <c>{localPart}@{host of App:BaseUrl}</c>, or
    /// <c>@marketwatch.local</c> when no base address is set.
    /// </summary>
    public string MessageId(string localPart) =>
        localPart + "@" + (Uri.TryCreate(options.Value.BaseUrl, UriKind.Absolute, out var baseUrl) ? baseUrl.IdnHost : "marketwatch.local");

    public string Absolute(string path)
    {
        var configured = options.Value.BaseUrl;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured.TrimEnd('/') + path;
        }
        // Development without App:BaseUrl: this server's own address (an in-memory test server has none: localhost).
        // Anywhere else the app does not start without App:BaseUrl (Host/EdgeSetup), so this is never reached there.
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException("App:BaseUrl must be set to build links outside Development.");
        }
        var address = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                      ?? "http://localhost";
        return address.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost")
               + path;
    }
}
