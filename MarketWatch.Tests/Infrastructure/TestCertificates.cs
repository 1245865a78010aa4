using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>
/// Self-signed certificates for the Data Protection key ring (DataProtection:Certificate), which every environment but
/// Development requires: what a test or benchmark running the app as Production gives it.
/// </summary>
public static class TestCertificates
{
    public const string Password = "test-pfx-password";

    private static readonly Lazy<byte[]> Shared = new(() => NewPfx("CN=MarketWatch test keys"));

    /// <summary>A new RSA 2048 certificate with its private key, as a password-protected .pfx.</summary>
    public static byte[] NewPfx(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return certificate.Export(X509ContentType.Pfx, Password);
    }

    /// <summary>The environment variables that give a child process the shared test certificate (base64, as a platform secret).</summary>
    public static IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["DataProtection__Certificate"] = Convert.ToBase64String(Shared.Value),
        ["DataProtection__CertificatePassword"] = Password,
    };
}
