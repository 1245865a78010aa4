using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// Carries an uploaded statement from one step of the import to the next inside the page's form, compressed and
/// protected with Data Protection for one user and one portfolio for an hour: nothing is kept on the server (any node
/// can serve the next step: the keys are in PostgreSQL, no sticky sessions), the user does not choose the file three
/// times, and a changed, expired or someone else's payload is refused rather than trusted.
/// </summary>
public sealed class StatementUploads(IDataProtectionProvider provider, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private ITimeLimitedDataProtector For(string userId, int portfolioId) =>
        provider.CreateProtector("Portfolios.Import", userId, portfolioId.ToString(CultureInfo.InvariantCulture)).ToTimeLimitedDataProtector();

    public string Protect(string userId, int portfolioId, string fileName, string text)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new StreamWriter(zip, new UTF8Encoding(false)))
        {
            writer.Write(fileName.ReplaceLineEndings(" "));
            writer.Write('\n');
            writer.Write(text);
        }
        return WebEncoders.Base64UrlEncode(For(userId, portfolioId).Protect(buffer.ToArray(), clock.GetUtcNow() + Lifetime));
    }

    /// <summary>The file name and text, or null when the payload is missing, changed, expired or not this user's for this portfolio.</summary>
    public (string FileName, string Text)? Unprotect(string userId, int portfolioId, string? payload)
    {
        if (string.IsNullOrEmpty(payload))
        {
            return null;
        }
        try
        {
            var bytes = For(userId, portfolioId).Unprotect(WebEncoders.Base64UrlDecode(payload), out _);
            using var zip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var reader = new StreamReader(zip, Encoding.UTF8);
            var content = reader.ReadToEnd();
            var newline = content.IndexOf('\n');
            return newline < 0 ? null : (content[..newline], content[(newline + 1)..]);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or InvalidDataException)
        {
            return null;
        }
    }
}
