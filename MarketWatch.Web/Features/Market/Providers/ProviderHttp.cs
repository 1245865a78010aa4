using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Market.Providers;

/// <summary>
/// A requests-per-minute limit shared by every instance of one provider class, created on first use from the
/// options then in force.
/// </summary>
internal sealed class ProviderRateLimit
{
    // Enough for a full history download (20 pages) from a few callers; beyond that something is looping.
    private const int QueueLimit = 1000;

    private readonly Lock _gate = new();
    private RateLimiter? _limiter;

    public async ValueTask WaitAsync(int requestsPerMinute, string source, CancellationToken cancellationToken)
    {
        if (requestsPerMinute <= 0)
        {
            return;
        }
        RateLimiter limiter;
        lock (_gate)
        {
            limiter = _limiter ??= new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
            {
                PermitLimit = requestsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                SegmentsPerWindow = 6,
                QueueLimit = QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }
        using var lease = await limiter.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            throw new ProviderException($"{source}: too many requests are waiting for the rate limit");
        }
    }

    public void Reset()
    {
        RateLimiter? old;
        lock (_gate)
        {
            old = _limiter;
            _limiter = null;
        }
        old?.Dispose();
    }
}

/// <summary>The one way the adapters fetch JSON: every failure becomes a <see cref="ProviderException"/>.</summary>
internal static class ProviderHttp
{
    /// <summary>Relative request URIs need a base that ends with a slash, or its last segment is dropped.</summary>
    public static void EnsureBaseAddress(HttpClient http, string configuredBaseUrl)
    {
        var current = http.BaseAddress;
        if (current is null && Uri.TryCreate(configuredBaseUrl, UriKind.Absolute, out var configured))
        {
            current = configured;
        }
        if (current is not null && !current.AbsoluteUri.EndsWith('/'))
        {
            current = new Uri(current.AbsoluteUri + "/");
        }
        if (current is not null && current != http.BaseAddress)
        {
            http.BaseAddress = current;
        }
    }

    /// <param name="describeStatus">A provider's own wording for a status code, or null for the generic one.</param>
    public static async Task<JsonDocument> GetJsonAsync(
        HttpClient http, string uri, string source, Func<HttpStatusCode, string?> describeStatus, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.ParseAdd("application/json");
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ProviderException(
                    describeStatus(response.StatusCode)
                    ?? $"{source}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
            }
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new ProviderException($"{source}: the response is not valid JSON ({ex.Message})", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ProviderException($"{source}: request failed ({ex.Message})", ex);
        }
        catch (IOException ex)
        {
            throw new ProviderException($"{source}: the response could not be read ({ex.Message})", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout surfaces as a cancellation nobody asked for.
            throw new ProviderException($"{source}: no answer within {http.Timeout.TotalSeconds:0} s", ex);
        }
    }
}

/// <summary>
/// Reading numbers the way the providers send them: JSON numbers, or strings, possibly French-formatted
/// ("1 234,56"), possibly "NA" for nothing. Always invariant, never the server's culture.
/// </summary>
internal static class ProviderValues
{
    public static bool TryGetPath(JsonElement element, out JsonElement value, params ReadOnlySpan<string> path)
    {
        value = element;
        foreach (var name in path)
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out value))
            {
                value = default;
                return false;
            }
        }
        return true;
    }

    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>True when the property carries a value: not absent, null, empty, "-", "NA" (the sites' ways of saying "none").</summary>
    public static bool Present(JsonElement obj, string name) => TryGet(obj, name, out var value) && !IsBlank(value);

    /// <summary>A string or number property as text; null when absent or null.</summary>
    public static string? Text(JsonElement obj, string name)
    {
        if (!TryGet(obj, name, out var value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }

    /// <summary>A required price: false (with the reason) when missing, unreadable or not positive.</summary>
    public static bool TryReadPrice(JsonElement obj, string name, out decimal price, out string problem)
    {
        price = 0;
        if (!TryGet(obj, name, out var value) || IsBlank(value))
        {
            problem = $"{name} missing";
            return false;
        }
        var parsed = ToDecimal(value);
        if (parsed is null)
        {
            problem = $"{name} unreadable ('{Shorten(value)}')";
            return false;
        }
        if (parsed <= 0)
        {
            problem = $"{name} not positive ({parsed.Value.ToString(CultureInfo.InvariantCulture)})";
            return false;
        }
        price = parsed.Value;
        problem = "";
        return true;
    }

    /// <summary>An optional price; zero counts as absent because the sites send 0 for "no value yet" (no bid, no trade).</summary>
    public static decimal? Price(JsonElement obj, string name) =>
        TryGet(obj, name, out var value) && ToDecimal(value) is { } price && price > 0 ? price : null;

    /// <summary>An optional non-negative amount (money traded); zero is a real value here.</summary>
    public static decimal? Amount(JsonElement obj, string name) =>
        TryGet(obj, name, out var value) && ToDecimal(value) is { } amount && amount >= 0 ? amount : null;

    /// <summary>An optional non-negative whole count (shares traded).</summary>
    public static long? Count(JsonElement obj, string name)
    {
        if (!TryGet(obj, name, out var value))
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var whole))
        {
            return whole >= 0 ? whole : null;
        }
        return ToDecimal(value) is { } number && number >= 0 && number == decimal.Truncate(number) && number <= long.MaxValue
            ? (long)number
            : null;
    }

    public static decimal? ToDecimal(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetDecimal(out var number) ? number : null,
        JsonValueKind.String => ParseDecimal(value.GetString()),
        _ => null,
    };

    /// <summary>
    /// "1 234,56", "1234,56", "1234.56", "1.234,56" and "1,234.56" all read as 1234.56: with both separators the
    /// last one is the decimal point; a lone comma is French for a decimal point; a repeated one groups thousands.
    /// </summary>
    public static decimal? ParseDecimal(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        Span<char> buffer = stackalloc char[Math.Min(text.Length, 128)];
        var length = 0;
        foreach (var c in text)
        {
            // Thousands are grouped with spaces, often non-breaking (U+00A0, U+202F).
            if (char.IsWhiteSpace(c))
            {
                continue;
            }
            if (length == buffer.Length)
            {
                return null;
            }
            buffer[length++] = c;
        }
        var chars = buffer[..length];
        var lastComma = chars.LastIndexOf(',');
        var lastDot = chars.LastIndexOf('.');
        char? group = null;
        char? point = null;
        if (lastComma >= 0 && lastDot >= 0)
        {
            (point, group) = lastComma > lastDot ? (',', '.') : ('.', ',');
        }
        else if (lastComma >= 0)
        {
            if (chars.Count(',') == 1)
            {
                point = ',';
            }
            else
            {
                group = ',';
            }
        }
        else if (lastDot >= 0 && chars.Count('.') > 1)
        {
            group = '.';
        }

        Span<char> normal = stackalloc char[chars.Length];
        var n = 0;
        foreach (var c in chars)
        {
            if (c == group)
            {
                continue;
            }
            normal[n++] = c == point ? '.' : c;
        }
        return decimal.TryParse(
            normal[..n], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out var result)
            ? result
            : null;
    }

    /// <summary>True for a timestamp that says its own offset ("Z", "+01:00", "+0100").</summary>
    public static bool HasUtcOffset(string text)
    {
        if (text.EndsWith('Z') || text.EndsWith('z'))
        {
            return true;
        }
        var t = text.IndexOf('T');
        var timePart = t >= 0 ? text[(t + 1)..] : text.Contains(' ') ? text[(text.IndexOf(' ') + 1)..] : "";
        return timePart.Contains('+') || timePart.Contains('-');
    }

    private static bool IsBlank(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is var s
        && (string.IsNullOrWhiteSpace(s) || s.Trim() is "NA" or "N/A" or "-" or "--");

    private static string Shorten(JsonElement value)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText();
        return text.Length <= 40 ? text : text[..40] + "…";
    }
}
