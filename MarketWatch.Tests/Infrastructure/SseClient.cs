namespace MarketWatch.Tests.Infrastructure;

/// <summary>One server-sent event as the browser's EventSource would see it.</summary>
public sealed record SseEvent(string Event, string Data, string? Id);

/// <summary>Reads a text/event-stream response event by event (the parsing rules of the HTML standard, enough for tests).</summary>
public sealed class SseClient(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream);

    public static async Task<SseClient> ConnectAsync(HttpClient client, string url, CancellationToken cancellationToken = default)
    {
        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        return new SseClient(await response.Content.ReadAsStreamAsync(cancellationToken));
    }

    public async Task<SseEvent?> NextAsync(CancellationToken cancellationToken)
    {
        string type = "message", data = "";
        string? id = null;
        var any = false;
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (any)
                {
                    return new SseEvent(type, data.TrimEnd('\n'), id);
                }
                continue;
            }
            any = true;
            var colon = line.IndexOf(':');
            var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
            switch (field)
            {
                case "event": type = value; break;
                case "data": data += value + "\n"; break;
                case "id": id = value; break;
            }
        }
        return null;
    }

    /// <summary>Reads until an event matches, or fails after the timeout.</summary>
    public async Task<SseEvent> WaitForAsync(Func<SseEvent, bool> match, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await NextAsync(cancel.Token) is { } e)
            {
                if (match(e))
                {
                    return e;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        Assert.Fail($"no matching event within {timeout.TotalSeconds} s");
        return null!;
    }

    public void Dispose() => _reader.Dispose();
}
