namespace MarketWatch.Web.Infrastructure;

/// <summary>Settings of section <c>App</c>.</summary>
public sealed class AppOptions
{
    /// <summary>Public base address (https://marketwatch.example) used for links in emails. When empty, the current request's address.</summary>
    public string? BaseUrl { get; set; }
}

/// <summary>Absolute links for emails: always on the configured public address, so production links never point at an internal host.</summary>
public sealed class PublicUrls(Microsoft.Extensions.Options.IOptions<AppOptions> options, LinkGenerator links, IHttpContextAccessor http,
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
        if (http.HttpContext?.Request is { } request)
        {
            return $"{request.Scheme}://{request.Host}{request.PathBase}{path}";
        }
        // Outside a request (a Hangfire job) with no App:BaseUrl: on a developer's machine this server's own address;
        // anywhere else that would send links to localhost, so it is an error (App:BaseUrl must be set).
        var address = (environment.IsDevelopment() ? server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.FirstOrDefault() : null)
                      ?? throw new InvalidOperationException("App:BaseUrl must be set to build links outside a request.");
        return address.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost")
               + path;
    }
}
