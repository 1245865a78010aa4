using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>Twilio account used for SMS alerts (section "Twilio"); SMS is off until it is filled in.</summary>
public sealed class TwilioOptions
{
    public string? AccountSid { get; set; }
    public string? AuthToken { get; set; }
    /// <summary>The Twilio number messages come from; or leave it empty and set <see cref="MessagingServiceSid"/>.</summary>
    public string? FromNumber { get; set; }
    /// <summary>A Messaging Service picks the sender itself (number pools, alphanumeric sender ids where allowed).</summary>
    public string? MessagingServiceSid { get; set; }
    /// <summary>Tests point this at a loopback server.</summary>
    public string BaseUrl { get; set; } = "https://api.twilio.com";

    public bool Enabled =>
        !string.IsNullOrWhiteSpace(AccountSid) && !string.IsNullOrWhiteSpace(AuthToken)
        && (!string.IsNullOrWhiteSpace(FromNumber) || !string.IsNullOrWhiteSpace(MessagingServiceSid));
}

/// <summary>
/// Sends SMS alerts through Twilio's REST API with a plain HttpClient: one POST per message, no SDK, so the
/// base address can be a test server and the outcome maps directly onto <see cref="ChannelResult"/>.
/// </summary>
public sealed class SmsSender(IHttpClientFactory clients, IOptionsMonitor<TwilioOptions> options, ILogger<SmsSender> logger)
{
    public const string HttpClientName = "Twilio";
    /// <summary>No retries inside the client: the alert delivery decides when to try again.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public bool Enabled => options.CurrentValue.Enabled;

    public async Task<ChannelResult> SendAsync(string toE164, string body, CancellationToken ct)
    {
        var twilio = options.CurrentValue;
        if (!twilio.Enabled)
        {
            return ChannelResult.Skipped("SMS is not configured on this server.");
        }

        var fields = new Dictionary<string, string> { ["To"] = toE164, ["Body"] = body };
        // Twilio uses the Messaging Service when both are given; sending only one keeps the request unambiguous.
        if (!string.IsNullOrWhiteSpace(twilio.MessagingServiceSid))
        {
            fields["MessagingServiceSid"] = twilio.MessagingServiceSid;
        }
        else
        {
            fields["From"] = twilio.FromNumber!;
        }
        var url = $"{twilio.BaseUrl.TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(twilio.AccountSid!)}/Messages.json";
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{twilio.AccountSid}:{twilio.AuthToken}")));
        request.Headers.Accept.ParseAdd("application/json");

        var http = clients.CreateClient(HttpClientName);
        try
        {
            using var response = await http.SendAsync(request, ct);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                logger.LogInformation("Twilio accepted SMS {MessageSid}", await ReadStringAsync(response, "sid", ct));
                return ChannelResult.Sent("Twilio accepted the message.");
            }
            if (status is 429 or >= 500)
            {
                return ChannelResult.Retry("Twilio answered {0}; the message will be tried again.", status);
            }
            // Twilio's error code says why (21211 invalid number, 21610 unsubscribed, 20003 bad credentials...).
            return await ReadErrorCodeAsync(response, ct) is { } code
                ? ChannelResult.Failed("Twilio refused the message (error {0}).", code)
                : ChannelResult.Failed("Twilio refused the message ({0}).", status);
        }
        catch (HttpRequestException)
        {
            return ChannelResult.Retry("Twilio could not be reached; the message will be tried again.");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ChannelResult.Retry("Twilio could not be reached; the message will be tried again.");
        }
    }

    private static async Task<string?> ReadStringAsync(HttpResponseMessage response, string property, CancellationToken ct)
    {
        using var json = await ReadJsonAsync(response, ct);
        return json is not null && json.RootElement.ValueKind == JsonValueKind.Object
               && json.RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
    }

    private static async Task<int?> ReadErrorCodeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var json = await ReadJsonAsync(response, ct);
        return json is not null && json.RootElement.ValueKind == JsonValueKind.Object
               && json.RootElement.TryGetProperty("code", out var code) && code.TryGetInt32(out var value)
            ? value
            : null;
    }

    private static async Task<JsonDocument?> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            return await JsonDocument.ParseAsync(stream, cancellationToken: ct);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Phone numbers as users type them, reduced to the E.164 form Twilio wants.</summary>
public static class PhoneNumbers
{
    private const string MoroccoCode = "212";

    /// <summary>
    /// "+212 6 12-34-56-78", "00212612345678" and the Moroccan national "0612345678" all give "+212612345678";
    /// null when the input is not a phone number. Spaces, dashes, dots and parentheses are ignored.
    /// </summary>
    public static string? Normalize(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return null;
        }
        var digits = new StringBuilder(16);
        var international = false;
        foreach (var c in input.Trim())
        {
            if (c is >= '0' and <= '9')
            {
                digits.Append(c);
            }
            else if (c == '+' && digits.Length == 0 && !international)
            {
                international = true;
            }
            else if (!(c is ' ' or '-' or '.' or '(' or ')' || char.IsWhiteSpace(c)))
            {
                return null;
            }
        }
        var number = digits.ToString();
        if (!international)
        {
            if (number.StartsWith("00", StringComparison.Ordinal))
            {
                number = number[2..];
            }
            else if (number.Length == 10 && number[0] == '0' && number[1] is >= '5' and <= '8')
            {
                number = MoroccoCode + number[1..];
            }
            else
            {
                return null;
            }
        }
        // "+212 06..." keeps the national trunk zero by habit; the international form drops it.
        if (number.StartsWith(MoroccoCode + "0", StringComparison.Ordinal) && number.Length == 13)
        {
            number = MoroccoCode + number[4..];
        }
        return number.Length is >= 8 and <= 15 && number[0] != '0' ? "+" + number : null;
    }
}
