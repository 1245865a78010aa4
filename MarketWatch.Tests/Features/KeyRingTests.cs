using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using Npgsql;

namespace MarketWatch.Tests.Features;

/// <summary>
/// The Data Protection key ring (it signs every cookie and encrypts the secrets at rest) is encrypted to a certificate
/// in the database, and the app refuses to run outside Development without one.
/// </summary>
public sealed partial class KeyRingTests
{
    [Test]
    public async Task Outside_development_the_app_refuses_to_start_without_a_key_certificate_and_says_which_setting_to_give()
    {
        var (code, output) = await RunMigrateAsync(new Dictionary<string, string>());
        Assert.That(code, Is.Not.Zero, output);
        Assert.That(output, Does.Contain("DataProtection:Certificate").And.Contain("DataProtection:CertificatePath").And.Contain("must be set outside Development"));

        var missing = Path.Combine(Path.GetTempPath(), $"mw-no-such-{Guid.NewGuid():N}.pfx");
        (code, output) = await RunMigrateAsync(new Dictionary<string, string> { ["DataProtection__CertificatePath"] = missing });
        Assert.That(code, Is.Not.Zero, output);
        Assert.That(output, Does.Contain("names a file that does not exist: " + missing));

        (code, output) = await RunMigrateAsync(new Dictionary<string, string>
        {
            ["DataProtection__Certificate"] = Convert.ToBase64String(TestCertificates.NewPfx("CN=wrong password")),
            ["DataProtection__CertificatePassword"] = "not-the-password",
        });
        Assert.That(code, Is.Not.Zero, output);
        Assert.That(output, Does.Contain("could not be read as a PKCS#12 (.pfx) certificate"));
    }

    [Test]
    public async Task Two_instances_given_the_same_certificate_file_store_the_keys_encrypted_and_accept_each_others_cookies()
    {
        var database = await TestDatabase.CreateAsync();
        var pfx = Path.Combine(Path.GetTempPath(), $"mw-keys-{Guid.NewGuid():N}.pfx");
        await File.WriteAllBytesAsync(pfx, TestCertificates.NewPfx("CN=MarketWatch keys"));
        var settings = new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = pfx,
            ["DataProtection:CertificatePassword"] = TestCertificates.Password,
        };
        try
        {
            // The template's key was made without a certificate: start from an empty ring (and no secret encrypted with the
            // old one), as a new deployment does.
            await SqlAsync(database, "DELETE FROM data_protection_keys; DELETE FROM vapid_keys");
            await using var first = await AppProcess.StartAsync("keys-a", database, settings);
            await using var second = await AppProcess.StartAsync("keys-b", database, settings);
            // One browser: cookies are per host, not per port, so both instances see the same ones.
            var cookies = new CookieContainer();
            using var a = Browser(first, cookies);
            using var b = Browser(second, cookies);

            var email = $"keys-{Guid.NewGuid():N}"[..20] + "@example.com";
            var registered = await a.PostAsJsonAsync("/api/auth/register", new { email, password = AppTest.Password, displayName = "Key Ring" });
            Assert.That((int)registered.StatusCode, Is.EqualTo(202), await registered.Content.ReadAsStringAsync());
            // The form from one instance (its antiforgery token), posted to the other.
            var form = await a.GetStringAsync("/account/login");
            var login = await b.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Email"] = email,
                ["Input.Password"] = AppTest.Password,
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryToken().Match(form).Groups[1].Value),
            }));
            Assert.That((int)login.StatusCode, Is.EqualTo(302), "instance b accepts instance a's antiforgery token");

            // Signed in on b, the session cookie works on a.
            var manage = await a.GetAsync("/account/manage");
            Assert.That((int)manage.StatusCode, Is.EqualTo(200), "instance a reads instance b's sign-in cookie");
            Assert.That(await manage.Content.ReadAsStringAsync(), Does.Contain(email));

            var keys = await KeysAsync(database);
            Assert.That(keys, Is.Not.Empty);
            Assert.That(keys, Has.All.Contain("EncryptedData").And.All.Not.Contain("<masterKey"), "no key in plaintext in the database");
        }
        finally
        {
            File.Delete(pfx);
            await TestDatabase.DropAsync(database);
        }
    }

    private static HttpClient Browser(AppProcess app, CookieContainer cookies) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies, UseCookies = true })
        {
            BaseAddress = app.Address,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary><c>dotnet MarketWatch.Web.dll migrate</c> as the release step runs it (Production), with these variables.</summary>
    private static Task<(int Code, string Output)> RunMigrateAsync(IReadOnlyDictionary<string, string> environment) =>
        // No database is reached: the refusal comes first.
        AppCommand.RunAsync(TestDatabase.ConnectionStringFor("mw_no_such_database"), ["migrate"], environment, certificate: false);

    private static async Task<List<string>> KeysAsync(string database)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT xml FROM data_protection_keys", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }
        return keys;
    }

    private static async Task SqlAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
