using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Watchlists;
using MarketWatch.Web.Infrastructure.Email;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features;

/// <summary>
/// Finding 1 of issue 12: a NUL (U+0000) anywhere a client can put text is refused with a 4xx, never a 5xx, and nothing
/// is saved. The endpoints come from the app's own endpoint data source (not a hand list): every route pattern gets NUL
/// in its route values and, with valid route values, NUL in the query, in a JSON body (fields from the endpoint's request
/// type plus common names) and in every field of every form its page shows (urlencoded and multipart, with the page's
/// own antiforgery token), as an anonymous user, a signed-in user and an admin. On Kestrel, as in production.
/// </summary>
public sealed partial class NulSweepTests : AppTest
{
    protected override bool UseKestrel => true;

    private const string Nul = "a\0b";

    /// <summary>Field names most of the app's inputs use, sent to every body endpoint besides those of its request type.</summary>
    private static readonly string[] CommonFields =
    [
        "email", "password", "newPassword", "confirmPassword", "displayName", "name", "ticker", "tickers", "note", "code", "token",
        "userId", "q", "endpoint", "p256dh", "auth", "webhookUrl", "phone", "phoneNumber", "language", "theme", "timeZone", "returnUrl",
    ];

    private sealed record Identity(string Name, HttpClient Web, HttpClient Api, Dictionary<string, string> Ids);

    private readonly List<string> _failures = [];
    private int _requests;

    private HttpClient Http(bool followRedirects = false) =>
        new(new HttpClientHandler { AllowAutoRedirect = followRedirects, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = App.ServerAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };

    [Test]
    public async Task Nul_in_any_route_value_query_json_body_or_form_field_is_refused_without_a_5xx_and_saves_nothing()
    {
        var anonymous = new Identity("anonymous", Http(), Http(), []);
        var user = await IdentityAsync("user", admin: false);
        var admin = await IdentityAsync("admin", admin: true);
        var before = await SnapshotAsync();

        var endpoints = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ISuppressMatchingMetadata>()?.SuppressMatching != true)
            .ToList();
        Assert.That(endpoints, Has.Count.GreaterThan(60), "the sweep should see every endpoint the app maps");
        var pages = 0;
        var bodies = 0;
        var forms = 0;
        foreach (var identity in new[] { anonymous, user, admin })
        {
            foreach (var endpoint in endpoints)
            {
                var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
                var isPage = endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not null;
                foreach (var method in methods.Where(m => m != "HEAD" && m != "OPTIONS"))
                {
                    // NUL in each route value in turn (the others valid), then valid route values with NUL in the query.
                    foreach (var parameter in endpoint.RoutePattern.Parameters)
                    {
                        await SendAsync(identity, endpoint, method, Path(endpoint, identity, nulIn: parameter.Name), null, "NUL in route value " + parameter.Name);
                    }
                    var path = Path(endpoint, identity, nulIn: null);
                    await SendAsync(identity, endpoint, method, path + "?" + string.Join('&', CommonFields.Select(f => f + "=" + Uri.EscapeDataString(Nul))), null, "NUL in the query");
                    if (method != "GET" && endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is { } accepts)
                    {
                        bodies++;
                        var json = JsonBody(accepts.RequestType);
                        await SendAsync(identity, endpoint, method, path, new StringContent(json, Encoding.UTF8, "application/json"), "NUL in the JSON body " + json);
                        // Then NUL in one string field at a time, the others valid: validation of another field must not be
                        // what stops it (a valid email with a NUL display name reached the database before).
                        foreach (var one in JsonBodiesWithOneNul(accepts.RequestType))
                        {
                            await SendAsync(identity, endpoint, method, path, new StringContent(one, Encoding.UTF8, "application/json"), "NUL in one JSON field " + one);
                        }
                    }
                    if (isPage && method == "GET")
                    {
                        pages++;
                        forms += await PostFormsAsync(identity, path);
                    }
                }
            }
        }
        TestContext.Out.WriteLine($"{endpoints.Count} endpoints, {pages} page visits, {bodies} JSON bodies, {forms} forms posted, {_requests} requests");
        Assert.That(_failures, Is.Empty, string.Join("\n", _failures.Take(80)) + $"\n({_failures.Count} failures)");
        Assert.That(forms, Is.GreaterThan(20), "the sweep should post the pages' forms");
        Assert.That(await SnapshotAsync(), Is.EqualTo(before), "nothing saved");
    }

    /// <summary>A confirmed account with a watchlist (one item, shared) and an alert, signed in by cookie (pages) and bearer token (API).</summary>
    private async Task<Identity> IdentityAsync(string name, bool admin)
    {
        var api = await UserAsync(this, App, Http, "nul" + name, admin);
        var list = await api.Api.PostAsJsonAsync("/api/watchlists", new { name = "Sweep " + name });
        var listId = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32().ToString();
        Assert.That((int)(await api.Api.PostAsJsonAsync($"/api/watchlists/{listId}/items", new { ticker = "ATW", note = "held" })).StatusCode, Is.EqualTo(201));
        var alertId = (await CreateAsync(api.Api, new { ticker = "CDM", condition = "PriceAbove", level = 450, channels = new[] { "InApp" }, note = "sweep" })).ToString();
        var token = await App.WithDbAsync(async db =>
        {
            var row = await db.Set<Watchlist>().SingleAsync(w => w.Id == int.Parse(listId));
            row.ShareToken = "sweep" + Guid.NewGuid().ToString("N");
            await db.SaveChangesAsync();
            return row.ShareToken;
        });
        var web = Http();
        await SignInAsync(web, api.Email);
        return new Identity(name, web, api.Api, new() { ["watchlist"] = listId, ["alert"] = alertId, ["token"] = token });
    }

    /// <summary>The pattern with its parameters filled: the identity's own rows where it names one, NUL in <paramref name="nulIn"/>.</summary>
    private static string Path(RouteEndpoint endpoint, Identity identity, string? nulIn)
    {
        var pattern = endpoint.RoutePattern;
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            var text = new StringBuilder();
            foreach (var part in segment.Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal:
                        text.Append(literal.Content);
                        break;
                    case RoutePatternSeparatorPart separator:
                        text.Append(separator.Content);
                        break;
                    case RoutePatternParameterPart parameter:
                        var value = parameter.Name == nulIn ? "1" + Nul : ValidValue(pattern.RawText ?? "", parameter, identity);
                        text.Append(Uri.EscapeDataString(value));
                        break;
                }
            }
            if (text.Length > 0)
            {
                path.Append('/').Append(text);
            }
        }
        return path.Length == 0 ? "/" : path.ToString();
    }

    private static string ValidValue(string pattern, RoutePatternParameterPart parameter, Identity identity) => parameter.Name switch
    {
        "id" when pattern.Contains("alert", StringComparison.OrdinalIgnoreCase) => identity.Ids.GetValueOrDefault("alert", "1"),
        "id" when pattern.Contains("watchlist", StringComparison.OrdinalIgnoreCase) => identity.Ids.GetValueOrDefault("watchlist", "1"),
        "id" => "1",
        "ticker" => "ATW",
        "token" => identity.Ids.GetValueOrDefault("token", "none"),
        "handler" => "",
        _ when parameter.IsCatchAll => "",
        _ => "1",
    };

    /// <summary>A JSON object with NUL in every string of the request type (and its nested objects), and in the common fields.</summary>
    private static string JsonBody(Type? requestType)
    {
        var body = new Dictionary<string, object?>();
        foreach (var field in CommonFields)
        {
            body[field] = Nul;
        }
        if (requestType is not null)
        {
            foreach (var (key, value) in Fields(requestType, depth: 0))
            {
                body[key] = value;
            }
        }
        return JsonSerializer.Serialize(body);
    }

    /// <summary>Plausible valid values by field name, so that only the NUL is wrong in a one-field body.</summary>
    private static object? Valid(string name, Type type) => name switch
    {
        "email" => $"sweep-{Guid.NewGuid().ToString("N")[..10]}@example.com",
        "password" or "newPassword" or "currentPassword" or "confirmPassword" => Password,
        "ticker" => "ATW",
        "tickers" => new[] { "ATW" },
        "webhookUrl" or "endpoint" or "url" => "https://example.com/hook",
        "p256dh" => "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
        "auth" => "tBHItJI5svbpez7KI4CCXg",
        "phoneNumber" or "phone" => "+212600000000",
        "language" => "en",
        "theme" => "dark",
        "timeZone" => "Africa/Casablanca",
        "code" => "123456",
        _ when type == typeof(string) => "Sweep",
        _ => null,
    };

    /// <summary>One body per string field of the request type (nested ones included): NUL there, valid values elsewhere.</summary>
    private static IEnumerable<string> JsonBodiesWithOneNul(Type? requestType)
    {
        if (requestType is null)
        {
            yield break;
        }
        var shape = Fields(requestType, depth: 0).ToList();
        foreach (var path in StringPaths(shape, ""))
        {
            yield return JsonSerializer.Serialize(Fill(shape, "", path));
        }
    }

    private static IEnumerable<string> StringPaths(List<(string Name, object? Value)> shape, string prefix)
    {
        foreach (var (name, value) in shape)
        {
            if (value is Dictionary<string, object?> nested)
            {
                foreach (var inner in StringPaths(nested.Select(kv => (kv.Key, kv.Value)).ToList(), prefix + name + "."))
                {
                    yield return inner;
                }
            }
            else if (value is string or string[])
            {
                yield return prefix + name;
            }
        }
    }

    private static Dictionary<string, object?> Fill(List<(string Name, object? Value)> shape, string prefix, string nulAt)
    {
        var body = new Dictionary<string, object?>();
        foreach (var (name, value) in shape)
        {
            body[name] = value switch
            {
                Dictionary<string, object?> nested => Fill(nested.Select(kv => (kv.Key, kv.Value)).ToList(), prefix + name + ".", nulAt),
                string or string[] when prefix + name == nulAt => value,
                string => Valid(name, typeof(string)),
                string[] => Valid(name, typeof(string[])) ?? new[] { "Sweep" },
                _ => value,
            };
        }
        return body;
    }

    private static IEnumerable<(string, object?)> Fields(Type type, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            object? value = t == typeof(string) ? Nul
                : t.IsEnum ? null
                : typeof(System.Collections.IEnumerable).IsAssignableFrom(t) && t.IsGenericType && t.GetGenericArguments()[0] == typeof(string) ? new[] { Nul }
                : t.IsArray && t.GetElementType() == typeof(string) ? new[] { Nul }
                : t == typeof(bool) ? true
                : t.IsPrimitive || t == typeof(decimal) ? 1
                : t.IsClass && depth < 2 && t.Namespace?.StartsWith("MarketWatch", StringComparison.Ordinal) == true ? Fields(t, depth + 1).ToDictionary(f => f.Item1, f => f.Item2)
                : null;
            if (value is not null)
            {
                yield return (name, value);
            }
        }
    }

    /// <summary>Fetches the page, then posts each of its forms with NUL in every field (urlencoded, then multipart); returns how many forms.</summary>
    private async Task<int> PostFormsAsync(Identity identity, string path)
    {
        using var page = await identity.Web.GetAsync(path);
        if (page.StatusCode != HttpStatusCode.OK || page.Content.Headers.ContentType?.MediaType != "text/html")
        {
            return 0;
        }
        var html = await page.Content.ReadAsStringAsync();
        var posted = 0;
        foreach (Match form in FormTag().Matches(html))
        {
            var attributes = form.Groups["attrs"].Value;
            if (!Attribute(attributes, "method").Equals("post", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var action = WebUtility.HtmlDecode(Attribute(attributes, "action")) is { Length: > 0 } a ? a : path;
            var fields = FormFields(form.Groups["body"].Value);
            var token = fields.FirstOrDefault(f => f.Key == "__RequestVerificationToken").Value;
            var inputs = fields.Where(f => f.Key != "__RequestVerificationToken").ToList();
            if (inputs.Count == 0)
            {
                continue; // nothing to put a NUL in (a sign-out button, say): posting it would only do what it says
            }
            var withNul = inputs.Select(f => new KeyValuePair<string, string>(f.Key, f.Value + Nul)).ToList();
            if (token is not null)
            {
                withNul.Add(new("__RequestVerificationToken", token));
            }
            await SendAsync(identity, null, "POST", action, new FormUrlEncodedContent(withNul), $"NUL in every field of the form on {path} (urlencoded)", web: true);
            var files = FileInputs().Matches(form.Groups["body"].Value).Select(f => f.Groups["a"].Success ? f.Groups["a"].Value : f.Groups["b"].Value).ToList();
            await SendAsync(identity, null, "POST", action, Multipart(withNul, files, "a\0b.csv"), $"NUL in every field of the form on {path} (multipart)", web: true);
            if (files.Count > 0)
            {
                // An upload: NUL only in the file's name and rows, the form's other fields as the page gave them.
                var given = inputs.ToList();
                if (token is not null)
                {
                    given.Add(new("__RequestVerificationToken", token));
                }
                await SendAsync(identity, null, "POST", action, Multipart(given, files, "a\0b.csv"), $"NUL in the file uploaded on {path}", web: true);
                await SendAsync(identity, null, "POST", action, Multipart(given, files, "rows.csv"), $"NUL in the rows uploaded on {path}", web: true);
            }
            // Then NUL in one field at a time, the others as the page gave them: a refused field must not let the
            // handler act on its default (a note erased, a URL cleared) while the rest of the form is valid.
            if (inputs.Count > 1)
            {
                for (var i = 0; i < inputs.Count; i++)
                {
                    var one = inputs.Select((f, j) => new KeyValuePair<string, string>(f.Key, j == i ? f.Value + Nul : f.Value)).ToList();
                    if (token is not null)
                    {
                        one.Add(new("__RequestVerificationToken", token));
                    }
                    await SendAsync(identity, null, "POST", action, new FormUrlEncodedContent(one), $"NUL in {inputs[i].Key} of the form on {path}", web: true);
                }
            }
            posted++;
        }
        return posted;
    }

    /// <summary>The fields as multipart, with a CSV whose rows hold NUL in every column for each file input.</summary>
    private static MultipartFormDataContent Multipart(List<KeyValuePair<string, string>> fields, List<string> files, string fileName)
    {
        var multipart = new MultipartFormDataContent();
        foreach (var (key, value) in fields)
        {
            multipart.Add(new StringContent(value), key);
        }
        foreach (var name in files)
        {
            var csv = "ticker,note,targetPrice,date,open,high,low,close,volume\nATW,a\0b,1\0,2026-01-02\0,1,1,1,1,1\nA\0TW,n,1,2026-01-02,1,1,1,1,1\n";
            multipart.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), name, fileName);
        }
        return multipart;
    }

    private static List<KeyValuePair<string, string>> FormFields(string body)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (Match input in InputTag().Matches(body))
        {
            var attributes = input.Groups["attrs"].Value;
            var name = Attribute(attributes, "name");
            var type = Attribute(attributes, "type").ToLowerInvariant();
            if (name.Length == 0 || type is "file")
            {
                continue;
            }
            if (type is "checkbox" or "radio" && !Regex.IsMatch(attributes, @"\bchecked\b"))
            {
                continue;
            }
            fields.Add(new(WebUtility.HtmlDecode(name), WebUtility.HtmlDecode(Attribute(attributes, "value"))));
        }
        foreach (Match area in TextareaTag().Matches(body))
        {
            fields.Add(new(WebUtility.HtmlDecode(Attribute(area.Groups["attrs"].Value, "name")), WebUtility.HtmlDecode(area.Groups["text"].Value)));
        }
        foreach (Match select in SelectTag().Matches(body))
        {
            var option = Regex.Match(select.Groups["options"].Value, "<option[^>]*value=\"([^\"]*)\"");
            fields.Add(new(WebUtility.HtmlDecode(Attribute(select.Groups["attrs"].Value, "name")), option.Success ? WebUtility.HtmlDecode(option.Groups[1].Value) : ""));
        }
        return fields.Where(f => f.Key.Length > 0).ToList();
    }

    private static string Attribute(string attributes, string name)
    {
        var match = Regex.Match(attributes, $@"(?:^|\s){name}=""([^""]*)""", RegexOptions.IgnoreCase);
        return match.Success ? match.Groups[1].Value : "";
    }

    private async Task SendAsync(Identity identity, RouteEndpoint? endpoint, string method, string path, HttpContent? content, string what, bool web = false)
    {
        // Event streams answer headers and then stay open: only the status matters here.
        var client = web || endpoint?.Metadata.GetMetadata<PageActionDescriptor>() is not null || !path.StartsWith("/api", StringComparison.Ordinal) ? identity.Web : identity.Api;
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };
        request.Headers.Accept.ParseAdd("text/html,application/json;q=0.9");
        Interlocked.Increment(ref _requests);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if ((int)response.StatusCode >= 500)
            {
                var body = await response.Content.ReadAsStringAsync();
                _failures.Add($"{identity.Name} {method} {path} ({what}): {(int)response.StatusCode} {body[..Math.Min(200, body.Length)].ReplaceLineEndings(" ")}");
            }
        }
        catch (HttpRequestException ex)
        {
            _failures.Add($"{identity.Name} {method} {path} ({what}): {ex.Message}");
        }
    }

    /// <summary>What a saved NUL request would have changed: rows users can create, and the text users can edit.</summary>
    private Task<string> SnapshotAsync() => App.WithDbAsync(async db =>
        string.Join(" | ",
            await db.Users.CountAsync(),
            string.Join(",", await db.Users.OrderBy(u => u.Id).Select(u => u.DisplayName + "/" + u.Email + "/" + u.PasswordHash).ToListAsync()),
            string.Join(",", await db.Set<Watchlist>().OrderBy(w => w.Id).Select(w => w.Id + w.Name).ToListAsync()),
            string.Join(",", await db.Set<WatchlistItem>().OrderBy(i => i.Id).Select(i => i.Id + i.Note + i.TargetPrice).ToListAsync()),
            string.Join(",", await db.Set<Alert>().OrderBy(a => a.Id).Select(a => a.Id + a.Note + a.Status).ToListAsync()),
            await db.EmailMessages.CountAsync()));

    [GeneratedRegex("<input[^>]*type=\"file\"[^>]*name=\"(?<a>[^\"]+)\"|<input[^>]*name=\"(?<b>[^\"]+)\"[^>]*type=\"file\"", RegexOptions.IgnoreCase)]
    private static partial Regex FileInputs();

    [GeneratedRegex("<form(?<attrs>[^>]*)>(?<body>.*?)</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormTag();

    [GeneratedRegex("<input(?<attrs>[^>]*)>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    [GeneratedRegex("<textarea(?<attrs>[^>]*)>(?<text>.*?)</textarea>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex TextareaTag();

    [GeneratedRegex("<select(?<attrs>[^>]*)>(?<options>.*?)</select>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex SelectTag();
}
