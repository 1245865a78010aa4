using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>
/// A webhook receiver written the way docs/notifications tell users to write one: it checks
/// <c>X-MarketWatch-Signature</c> (HMAC-SHA256 over "timestamp.body" with the recipient's secret), refuses a
/// timestamp more than five minutes away, and dedupes by <c>X-MarketWatch-Delivery</c>: a repeated id is answered
/// 200 and not processed again. It keeps every request it got, so a test can count what arrived, when, and twice.
/// A delivery counts as <em>delivered</em> once the receiver's 200 went back to a sender still waiting for it: a request
/// whose sender hung up first (killed, stopped, timed out) is one the sender has to send again.
/// Each recipient has its own path and secret; recipients are spread over several ports, as users' receivers are
/// different hosts.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public const string DeliveryHeader = "X-MarketWatch-Delivery";
    public const string TimestampHeader = "X-MarketWatch-Timestamp";
    public const string SignatureHeader = "X-MarketWatch-Signature";

    /// <summary>How far a timestamp may be from the receiver's clock (replays older than this are refused).</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public enum Verdict { Accepted, Duplicate, Rejected }

    /// <summary>One request as it arrived: <paramref name="At"/> is when its body was read (before the response delay).</summary>
    public sealed record Request(DateTimeOffset At, string Path, string? DeliveryId, Verdict Verdict, string? Reason);

    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Request> _accepted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Request> _delivered = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeSpan _responseDelay;
    private LoopbackHttpServer _server = null!;
    private int _inFlight;

    private WebhookReceiver(TimeSpan responseDelay) => _responseDelay = responseDelay;

    /// <param name="ports">How many receiver hosts to stand for (one port each).</param>
    /// <param name="responseDelay">How long each answer takes after the request was read: a slow receiver.</param>
    public static async Task<WebhookReceiver> StartAsync(int ports = 1, TimeSpan? responseDelay = null)
    {
        var receiver = new WebhookReceiver(responseDelay ?? TimeSpan.Zero);
        receiver._server = await LoopbackHttpServer.StartAsync(receiver.HandleAsync, ports);
        return receiver;
    }

    /// <summary>Registers recipient <paramref name="recipient"/> with its secret; returns its webhook URL.</summary>
    public string Register(int recipient, string secret)
    {
        var path = $"/hooks/{recipient}";
        _secrets[path] = secret;
        var addresses = _server.Addresses;
        return new Uri(addresses[recipient % addresses.Count], path).AbsoluteUri;
    }

    /// <summary>Completes when the first request (of any verdict) has been read.</summary>
    public Task FirstRequest => _first.Task;

    /// <summary>Every request received, in arrival order.</summary>
    public IReadOnlyList<Request> Requests => _requests.ToArray();

    /// <summary>Requests being answered right now (read, response not yet sent).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The first accepted request of each delivery id.</summary>
    public IReadOnlyCollection<Request> Accepted => _accepted.Values.ToArray();

    /// <summary>Requests whose delivery id had already been accepted: the at-least-once window, handled by the dedupe.</summary>
    public int DuplicatesReceived => _requests.Count(r => r.Verdict == Verdict.Duplicate);

    /// <summary>
    /// Recipients that accepted more than once under different delivery ids: a duplicate the dedupe could not catch
    /// (the sender changed the id between attempts). Zero is what at-least-once with stable ids promises.
    /// </summary>
    public int DuplicatesAccepted => _accepted.Values.GroupBy(r => r.Path).Sum(g => g.Count() - 1);

    /// <summary>
    /// Per delivery id, the first request answered 200 to a sender that waited for the answer; <see cref="Request.At"/>
    /// is when the answer went out.
    /// </summary>
    public IReadOnlyCollection<Request> Delivered => _delivered.Values.ToArray();

    /// <summary>Recipients with a delivery answered 200 (see <see cref="Delivered"/>).</summary>
    public int RecipientsDelivered => _delivered.Values.Select(r => r.Path).Distinct().Count();

    public IReadOnlyList<Request> Rejected => _requests.Where(r => r.Verdict == Verdict.Rejected).ToList();

    /// <summary>Recipients that got at least one request, whatever its verdict.</summary>
    public int RecipientsReached => _requests.Select(r => r.Path).Distinct().Count();

    /// <summary>Recipients with an accepted delivery.</summary>
    public int RecipientsAccepted => _accepted.Values.Select(r => r.Path).Distinct().Count();

    /// <summary>One line for the test log: what arrived, relative to <paramref name="origin"/>.</summary>
    public string Describe(DateTimeOffset origin)
    {
        var requests = Requests;
        var accepted = Accepted;
        var delivered = Delivered;
        var rejected = Rejected;
        var reasons = string.Join("; ", rejected.GroupBy(r => r.Reason).Select(g => $"{g.Count()} × {g.Key}"));
        return $"{requests.Count} request(s) to {RecipientsReached} recipient(s); {accepted.Count} accepted by {RecipientsAccepted} recipient(s)"
               + $", delivered (answered) to {RecipientsDelivered}"
               + $", duplicates received {DuplicatesReceived}, duplicates accepted {DuplicatesAccepted}, rejected {rejected.Count}"
               + (rejected.Count > 0 ? $" ({reasons})" : "")
               + (requests.Count > 0 ? $"; first at {Seconds(requests.Min(r => r.At) - origin)}, last at {Seconds(requests.Max(r => r.At) - origin)}" : "")
               + (accepted.Count > 0 ? $", last accepted at {Seconds(accepted.Max(r => r.At) - origin)}" : "")
               + (delivered.Count > 0 ? $", last delivered at {Seconds(delivered.Max(r => r.At) - origin)}" : "");
    }

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:+0.00;-0.00} s";

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var at = DateTimeOffset.UtcNow;
            var body = buffer.ToArray();
            var path = context.Request.Path.Value ?? "";
            var headers = context.Request.Headers;
            string? deliveryId = headers[DeliveryHeader];
            var (verdict, reason) = Judge(path, deliveryId, headers[TimestampHeader], headers[SignatureHeader], body, at);
            var request = new Request(at, path, deliveryId, verdict, reason);
            if (verdict == Verdict.Accepted && !_accepted.TryAdd(deliveryId!, request))
            {
                request = request with { Verdict = Verdict.Duplicate, Reason = "delivery id seen before" };
            }
            _requests.Enqueue(request);
            _first.TrySetResult();

            if (_responseDelay > TimeSpan.Zero)
            {
                await Task.Delay(_responseDelay, context.RequestAborted);
            }
            // A hang-up during the delay cancels it (above); one just after it still counts as not delivered here.
            context.RequestAborted.ThrowIfCancellationRequested();
            context.Response.StatusCode = request.Verdict switch
            {
                Verdict.Rejected when reason == "unknown recipient" => StatusCodes.Status404NotFound,
                Verdict.Rejected when reason!.StartsWith("signature", StringComparison.Ordinal) => StatusCodes.Status401Unauthorized,
                Verdict.Rejected => StatusCodes.Status400BadRequest,
                // A duplicate is answered as a success: the sender must stop retrying it.
                _ => StatusCodes.Status200OK,
            };
            await context.Response.CompleteAsync();
            if (request.Verdict != Verdict.Rejected && !context.RequestAborted.IsCancellationRequested)
            {
                _delivered.TryAdd(deliveryId!, request with { At = DateTimeOffset.UtcNow });
            }
        }
        catch (OperationCanceledException)
        {
            // The sender hung up (it was killed or stopped, or timed out): what was read is recorded above.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private (Verdict, string?) Judge(string path, string? deliveryId, string? timestamp, string? signature, byte[] body, DateTimeOffset now)
    {
        if (!_secrets.TryGetValue(path, out var secret))
        {
            return (Verdict.Rejected, "unknown recipient");
        }
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return (Verdict.Rejected, $"no {TimestampHeader}");
        }
        // Authenticate first: what an unsigned request claims (its id, its time) means nothing.
        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp!, body));
        if (signature is null || !CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature)))
        {
            return (Verdict.Rejected, "signature does not match sha256(timestamp.body)");
        }
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Tolerance)
        {
            return (Verdict.Rejected, "timestamp more than 5 minutes away");
        }
        if (string.IsNullOrEmpty(deliveryId))
        {
            return (Verdict.Rejected, $"no {DeliveryHeader}");
        }
        return (Verdict.Accepted, null);
    }

    /// <summary>"sha256=" and the lowercase hex HMAC-SHA256 of the UTF-8 bytes of "timestamp." followed by the body bytes.</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
