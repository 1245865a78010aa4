using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Host;

/// <summary>How the Data Protection keys (cookies, antiforgery and reset tokens) are protected where they are stored.</summary>
public sealed class KeyProtectionOptions
{
    /// <summary>A PKCS#12 (.pfx) certificate with its private key, base64-encoded; when set, keys are encrypted to it at rest.</summary>
    public string Certificate { get; set; } = "";
    public string CertificatePassword { get; set; } = "";
}

public static class DataProtectionSetup
{
    /// <summary>
    /// Keys live in PostgreSQL (table data_protection_keys): every instance reads the same keys, so a cookie issued by one
    /// is valid on all. With DataProtection:Certificate they are encrypted to that certificate; without it they are stored
    /// as they are, a choice made here on purpose (and logged once at Information), not the framework's
    /// "no XML encryptor configured" warning.
    /// </summary>
    public static IServiceCollection AddKeyStore(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("DataProtection").Get<KeyProtectionOptions>() ?? new KeyProtectionOptions();
        var builder = services.AddDataProtection()
            .SetApplicationName("MarketWatch")
            .PersistKeysToDbContext<AppDbContext>();
        if (options.Certificate.Length > 0)
        {
            var certificate = X509CertificateLoader.LoadPkcs12(
                Convert.FromBase64String(options.Certificate),
                options.CertificatePassword.Length > 0 ? options.CertificatePassword : null,
                X509KeyStorageFlags.EphemeralKeySet);
            // Also registers the certificate for decryption, which Linux needs (there is no machine certificate store to search).
            builder.ProtectKeysWithCertificate(certificate);
        }
        else
        {
            services.AddSingleton<IConfigureOptions<KeyManagementOptions>, StoreKeysUnencrypted>();
        }
        return services;
    }

    /// <summary>
    /// Without a certificate the keys are readable by whoever can read the database, which already holds the accounts
    /// they protect sessions for; the log says so once per start, with the setting that changes it.
    /// </summary>
    private sealed class StoreKeysUnencrypted(ILogger<StoreKeysUnencrypted> logger) : IConfigureOptions<KeyManagementOptions>
    {
        public void Configure(KeyManagementOptions options)
        {
            options.XmlEncryptor = new NullXmlEncryptor();
            logger.LogInformation(
                "Data Protection keys are stored unencrypted in the database (table data_protection_keys); " +
                "set DataProtection__Certificate (a base64 .pfx) to encrypt them at rest");
        }
    }
}
