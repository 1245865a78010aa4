namespace MarketWatch.Web.Infrastructure;

/// <summary>Settings of section <c>App</c>.</summary>
public sealed class AppOptions
{
    /// <summary>Public base address (https://marketwatch.example) used for links in emails. When empty, the current request's address.</summary>
    public string? BaseUrl { get; set; }
}

/// <summary>Absolute links for emails: always on the configured public address, so production links never point at an internal host.</summary>
public sealed class PublicUrls(Microsoft.Extensions.Options.IOptions<AppOptions> options, LinkGenerator links, IHttpContextAccessor http)
{
    public string Page(string page, object? values = null)
    {
        var path = links.GetPathByPage(page, handler: null, values: values, pathBase: PathString.Empty)
                   ?? throw new InvalidOperationException($"No route for page {page}");
        return Absolute(path);
    }

    public string Absolute(string path)
    {
        var configured = options.Value.BaseUrl;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured.TrimEnd('/') + path;
        }
        var request = http.HttpContext?.Request
                      ?? throw new InvalidOperationException("App:BaseUrl must be set to build links outside a request.");
        return $"{request.Scheme}://{request.Host}{request.PathBase}{path}";
    }
}
