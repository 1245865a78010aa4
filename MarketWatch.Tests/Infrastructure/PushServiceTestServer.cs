using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>
/// A real push service on 127.0.0.1 (Kestrel), strict the way browsers' push services are: it checks the VAPID
/// token (RFC 8292) and decrypts the aes128gcm body (RFC 8291/8188) with the device's private key before it says 201.
/// What it refused, and why, is kept so tests can assert a check really ran.
/// </summary>
public sealed class PushServiceTestServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TestDevice> _devices = new();
    private readonly ConcurrentDictionary<string, int> _answers = new();
    private readonly ConcurrentDictionary<string, bool> _hanging = new();
    private WebApplication? _app;

    public int Port { get; } = Ports.Free();

    /// <summary>The push resources' origin: what the VAPID <c>aud</c> claim must be.</summary>
    public string Origin => $"http://127.0.0.1:{Port}";

    /// <summary>The application server key every request must carry as <c>k</c> (the app's VAPID public key, base64url).</summary>
    public string? ExpectedVapidKey { get; set; }

    public ConcurrentQueue<PushDelivery> Deliveries { get; } = new();
    public ConcurrentQueue<PushRejection> Rejections { get; } = new();

    /// <summary>A device's subscription: what the browser would hand the app, plus its private key for decrypting.</summary>
    public sealed record TestDevice(string Id, string Endpoint, string P256dh, string Auth, ECDiffieHellman PrivateKey, byte[] AuthSecret);

    /// <summary>A push the service accepted: the decrypted payload, the VAPID claims and the headers that came with it.</summary>
    public sealed record PushDelivery(string DeviceId, string Payload, JsonElement Claims, string Ttl, string? Urgency)
    {
        public JsonElement Json => JsonDocument.Parse(Payload).RootElement;
    }

    public sealed record PushRejection(string DeviceId, int Status, string Reason);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, Port));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        _app = builder.Build();
        _app.MapPost("/push/{id}", ReceiveAsync);
        await _app.StartAsync();
    }

    /// <summary>A new device: a P-256 key pair and a 16-byte auth secret, as <c>PushManager.subscribe()</c> makes them.</summary>
    public TestDevice NewDevice()
    {
        var id = Guid.NewGuid().ToString("N");
        var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var auth = RandomNumberGenerator.GetBytes(16);
        var device = new TestDevice(id, $"{Origin}/push/{id}", WebEncoders.Base64UrlEncode(PublicPoint(key)), WebEncoders.Base64UrlEncode(auth), key, auth);
        _devices[id] = device;
        return device;
    }

    /// <summary>The status the service answers for this device from now on (201 until told otherwise).</summary>
    public void Answer(TestDevice device, int status) => _answers[device.Id] = status;

    /// <summary>Never answer this device's requests (until the client gives up): a push service that hangs.</summary>
    public void Hang(TestDevice device) => _hanging[device.Id] = true;

    public IEnumerable<PushDelivery> DeliveriesTo(TestDevice device) => Deliveries.Where(d => d.DeviceId == device.Id);

    public IEnumerable<PushRejection> RejectionsOf(TestDevice device) => Rejections.Where(r => r.DeviceId == device.Id);

    private async Task<IResult> ReceiveAsync(string id, HttpRequest request)
    {
        if (!_devices.TryGetValue(id, out var device))
        {
            return Reject(id, 404, "no such subscription");
        }
        if (_hanging.ContainsKey(id))
        {
            await Task.Delay(Timeout.Infinite, request.HttpContext.RequestAborted);
        }
        var authError = VerifyVapid(request.Headers.Authorization.ToString(), out var claims);
        if (authError is not null)
        {
            return Reject(id, 401, authError);
        }
        if (request.Headers.ContentEncoding.ToString() != "aes128gcm")
        {
            return Reject(id, 400, $"Content-Encoding is '{request.Headers.ContentEncoding}', not aes128gcm");
        }
        var ttl = request.Headers["TTL"].ToString();
        if (!int.TryParse(ttl, out var seconds) || seconds < 0)
        {
            return Reject(id, 400, "TTL header missing or invalid");
        }
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        string payload;
        try
        {
            payload = Decrypt(body.ToArray(), device);
        }
        catch (Exception e) when (e is CryptographicException or InvalidDataException)
        {
            return Reject(id, 400, "undecryptable body: " + e.Message);
        }
        var status = _answers.GetValueOrDefault(id, 201);
        if (status is >= 200 and < 300)
        {
            Deliveries.Enqueue(new PushDelivery(id, payload, claims, ttl, request.Headers["Urgency"].FirstOrDefault()));
        }
        return Results.StatusCode(status);
    }

    private IResult Reject(string id, int status, string reason)
    {
        Rejections.Enqueue(new PushRejection(id, status, reason));
        return Results.Text(reason, statusCode: status);
    }

    /// <summary>RFC 8292: <c>vapid t=&lt;ES256 JWT&gt;, k=&lt;public key&gt;</c>; returns why it is refused, or null.</summary>
    private string? VerifyVapid(string authorization, out JsonElement claims)
    {
        claims = default;
        const string scheme = "vapid ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return $"Authorization is not the vapid scheme: '{authorization}'";
        }
        var parameters = authorization[scheme.Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parameters.TryGetValue("t", out var token) || !parameters.TryGetValue("k", out var k))
        {
            return "vapid needs t and k";
        }
        if (ExpectedVapidKey is null || k != ExpectedVapidKey)
        {
            return "k is not the application server key";
        }
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return "t is not a JWT";
        }
        byte[] publicKey, signature;
        JsonElement header;
        try
        {
            publicKey = WebEncoders.Base64UrlDecode(k);
            signature = WebEncoders.Base64UrlDecode(parts[2]);
            header = JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[0])).RootElement;
            claims = JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[1])).RootElement;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return "malformed token or key: " + e.Message;
        }
        if (!header.TryGetProperty("alg", out var alg) || alg.GetString() != "ES256")
        {
            return "alg is not ES256";
        }
        if (publicKey.Length != 65 || publicKey[0] != 0x04)
        {
            return "k is not an uncompressed P-256 point";
        }
        using (var verifier = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = publicKey[1..33], Y = publicKey[33..] },
        }))
        {
            var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            if (!verifier.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return "signature does not verify with k";
            }
        }
        if (!claims.TryGetProperty("aud", out var aud) || aud.GetString() != Origin)
        {
            return $"aud is {(claims.TryGetProperty("aud", out var a) ? a.ToString() : "missing")}, not {Origin}";
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (!claims.TryGetProperty("exp", out var exp) || !exp.TryGetInt64(out var expires) || expires <= now || expires > now + 24 * 3600)
        {
            return "exp is missing, past, or more than 24 h ahead";
        }
        if (!claims.TryGetProperty("sub", out var sub) || string.IsNullOrWhiteSpace(sub.GetString()))
        {
            return "sub is missing";
        }
        return null;
    }

    /// <summary>
    /// RFC 8291 on RFC 8188: header salt(16) | rs(4) | idlen(1) | keyid (the sender's ephemeral public key), then one
    /// AES-128-GCM record whose plaintext ends with the 0x02 last-record delimiter and optional zero padding.
    /// </summary>
    private static string Decrypt(byte[] body, TestDevice device)
    {
        if (body.Length < 21)
        {
            throw new InvalidDataException("body shorter than the aes128gcm header");
        }
        var salt = body[..16];
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
        int idLength = body[20];
        if (idLength != 65 || body.Length < 21 + idLength + 16)
        {
            throw new InvalidDataException($"keyid is {idLength} bytes, not a 65-byte P-256 point, or no record follows");
        }
        var senderPublic = body[21..(21 + idLength)];
        var record = body[(21 + idLength)..];
        if (record.Length > recordSize)
        {
            throw new InvalidDataException($"more than one record ({record.Length} bytes, rs {recordSize})");
        }

        using var sender = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = senderPublic[1..33], Y = senderPublic[33..] },
        });
        var ecdhSecret = device.PrivateKey.DeriveRawSecretAgreement(sender.PublicKey);
        var receiverPublic = PublicPoint(device.PrivateKey);

        var prkKey = HMACSHA256.HashData(device.AuthSecret, ecdhSecret);
        var keyInfo = Concat(Encoding.ASCII.GetBytes("WebPush: info\0"), receiverPublic, senderPublic);
        var ikm = HKDF.Expand(HashAlgorithmName.SHA256, prkKey, 32, keyInfo);
        var prk = HMACSHA256.HashData(salt, ikm);
        var cek = HKDF.Expand(HashAlgorithmName.SHA256, prk, 16, Encoding.ASCII.GetBytes("Content-Encoding: aes128gcm\0"));
        var nonce = HKDF.Expand(HashAlgorithmName.SHA256, prk, 12, Encoding.ASCII.GetBytes("Content-Encoding: nonce\0"));

        var ciphertext = record[..^16];
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(cek, 16))
        {
            aes.Decrypt(nonce, ciphertext, record[^16..], plaintext);
        }
        var delimiter = Array.FindLastIndex(plaintext, b => b != 0);
        if (delimiter < 0 || plaintext[delimiter] != 0x02)
        {
            throw new InvalidDataException("no 0x02 last-record delimiter");
        }
        return Encoding.UTF8.GetString(plaintext, 0, delimiter);
    }

    private static byte[] PublicPoint(ECDiffieHellman key)
    {
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        return Concat([0x04], q.X!, q.Y!);
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
        foreach (var device in _devices.Values)
        {
            device.PrivateKey.Dispose();
        }
    }
}
