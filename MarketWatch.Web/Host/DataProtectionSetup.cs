using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Host;

/// <summary>How the Data Protection keys (cookies, antiforgery and reset tokens, secrets at rest) are protected where they are stored.</summary>
public sealed class KeyProtectionOptions
{
    /// <summary>A PKCS#12 (.pfx) certificate with its private key, base64-encoded (the form a platform secret takes).</summary>
    public string Certificate { get; set; } = "";

    /// <summary>The same certificate as a .pfx file (a mounted secret); used when <see cref="Certificate"/> is empty.</summary>
    public string CertificatePath { get; set; } = "";

    public string CertificatePassword { get; set; } = "";

    /// <summary>
    /// After a certificate rotation, the one before (base64 .pfx): keys written under it stay readable, new keys are
    /// encrypted to the new certificate. Drop it once every key it protects has expired and been replaced (90 days).
    /// </summary>
    public string PreviousCertificate { get; set; } = "";

    public string PreviousCertificatePath { get; set; } = "";

    public string PreviousCertificatePassword { get; set; } = "";
}

public static class DataProtectionSetup
{
    public const string MissingCertificate =
        "DataProtection:Certificate (a base64 .pfx, e.g. the environment secret DataProtection__Certificate) or " +
        "DataProtection:CertificatePath (a .pfx file) must be set outside Development: without it the Data Protection keys " +
        "(which sign the sign-in cookies and encrypt the secrets stored in the database) are kept in the database in plaintext, " +
        "and anyone who can read the database could forge an admin's cookie. See docs/deploy.md, \"Data Protection certificate\".";

    /// <summary>
    /// Keys live in PostgreSQL (table data_protection_keys): every instance reads the same keys, so a cookie issued by one
    /// is valid on all. They are encrypted to the certificate from DataProtection:Certificate or :CertificatePath, which
    /// every environment but Development must give (the app refuses to start without). In Development, without one, they
    /// are stored as they are, a choice made here on purpose (and logged once at Information), not the framework's
    /// "no XML encryptor configured" warning.
    /// </summary>
    public static IServiceCollection AddKeyStore(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection("DataProtection").Get<KeyProtectionOptions>() ?? new KeyProtectionOptions();
        var builder = services.AddDataProtection()
            .SetApplicationName("MarketWatch")
            .PersistKeysToDbContext<AppDbContext>();
        services.AddSingleton<SecretsAtRest>();
        var certificate = Load(options.Certificate, options.CertificatePath, options.CertificatePassword, "DataProtection:Certificate");
        if (certificate is not null)
        {
            // Also registers the certificate for decryption, which Linux needs (there is no machine certificate store to search).
            builder.ProtectKeysWithCertificate(certificate);
            if (Load(options.PreviousCertificate, options.PreviousCertificatePath, options.PreviousCertificatePassword, "DataProtection:PreviousCertificate") is { } previous)
            {
                builder.UnprotectKeysWithAnyCertificate(certificate, previous);
            }
        }
        else if (environment.IsDevelopment())
        {
            services.AddSingleton<IConfigureOptions<KeyManagementOptions>, StoreKeysUnencrypted>();
        }
        else
        {
            throw new InvalidOperationException(MissingCertificate);
        }
        return services;
    }

    private static X509Certificate2? Load(string base64, string path, string password, string setting)
    {
        byte[] pfx;
        if (base64.Length > 0)
        {
            try
            {
                pfx = Convert.FromBase64String(base64.Trim());
            }
            catch (FormatException)
            {
                throw new InvalidOperationException($"{setting} is not base64: give the .pfx file encoded with `base64 -w0 key.pfx`.");
            }
        }
        else if (path.Length > 0)
        {
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"{setting}Path names a file that does not exist: {path}");
            }
            pfx = File.ReadAllBytes(path);
        }
        else
        {
            return null;
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12(pfx, password.Length > 0 ? password : null, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"{setting} could not be read as a PKCS#12 (.pfx) certificate (wrong password?): {ex.Message}", ex);
        }
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"{setting} holds no private key: export the .pfx with its key (openssl pkcs12 -export -inkey ...).");
        }
        return certificate;
    }

    /// <summary>
    /// Development without a certificate: the keys are readable by whoever can read the database, which there is the
    /// developer's own; the log says so once per start, with the setting that changes it.
    /// </summary>
    private sealed class StoreKeysUnencrypted(ILogger<StoreKeysUnencrypted> logger) : IConfigureOptions<KeyManagementOptions>
    {
        public void Configure(KeyManagementOptions options)
        {
            options.XmlEncryptor = new NullXmlEncryptor();
            logger.LogInformation(
                "Data Protection keys are stored unencrypted in the database (table data_protection_keys); " +
                "set DataProtection__Certificate (a base64 .pfx) or DataProtection__CertificatePath to encrypt them at rest");
        }
    }
}
