using System.Net;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Accounts;

/// <summary>Finding 8: neither the answers nor the time taken tell whether an address has an account.</summary>
public sealed partial class EnumerationTests : AppTest
{
    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string email, string password) =>
        PostFormAsync(client, "/account/login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    private static async Task<string> FormErrorsAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        var match = FormErrors().Match(html);
        Assert.That(match.Success, Is.True, "no form errors on the page");
        return match.Groups[1].Value.Trim();
    }

    [Test]
    public async Task Register_with_a_taken_address_shows_the_page_a_new_address_gets_and_emails_the_owner()
    {
        var taken = NewEmail("taken");
        await RegisterAsync(Client(), taken);
        var fresh = NewEmail("fresh");

        async Task<string> RegisterFormAsync(string email)
        {
            var response = await PostFormAsync(Client(), "/account/register", new Dictionary<string, string>
            {
                ["Input.Email"] = email,
                ["Input.DisplayName"] = "Someone",
                ["Input.Password"] = Password,
                ["Input.ConfirmPassword"] = Password,
            });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("mw.auth", StringComparison.Ordinal)),
                Is.False, "nobody is signed in by registering");
            var html = await response.Content.ReadAsStringAsync();
            return Tokens().Replace(html.Replace(email, "ADDRESS"), "TOKEN");
        }

        var forTaken = await RegisterFormAsync(taken);
        var forFresh = await RegisterFormAsync(fresh);
        Assert.That(forTaken, Does.Contain("we sent an email to ADDRESS"));
        Assert.That(forTaken, Is.EqualTo(forFresh));
        var notice = await App.LatestEmailToAsync(taken);
        Assert.That(notice!.Subject, Is.EqualTo("Someone tried to create an account with your address"));
        Assert.That((await App.LatestEmailToAsync(fresh))!.Subject, Is.EqualTo("Confirm your email address"));
    }

    [Test]
    public async Task Lockout_reads_the_same_for_an_unknown_address_as_for_an_account()
    {
        var known = NewEmail("known");
        await RegisterAsync(Client(), known);
        var unknown = NewEmail("unknown");
        var answers = new Dictionary<string, List<string>> { [known] = [], [unknown] = [] };
        foreach (var email in answers.Keys)
        {
            for (var i = 0; i < 6; i++)
            {
                answers[email].Add(await FormErrorsAsync(await LoginAsync(Client(), email, "Not-the-password-1")));
            }
        }
        Assert.That(answers[unknown], Is.EqualTo(answers[known]));
        Assert.That(answers[known][4], Does.Contain("this account is locked for 15 minutes"));
        Assert.That(answers[known][0], Does.Contain("Wrong email or password."));
    }

    /// <summary>Counts password checks: the work that made a real account's sign-in ~20x slower than an unknown one's.</summary>
    private sealed class CountingHasher : IPasswordHasher<ApplicationUser>
    {
        private readonly PasswordHasher<ApplicationUser> _inner = new();
        private int _verifications;
        public int Verifications => Volatile.Read(ref _verifications);
        public string HashPassword(ApplicationUser user, string password) => _inner.HashPassword(user, password);
        public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    private readonly CountingHasher _hasher = new();

    protected override Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp =>
        builder => builder.ConfigureTestServices(services => services.AddSingleton<IPasswordHasher<ApplicationUser>>(_hasher));

    [Test]
    public async Task A_sign_in_for_an_unknown_address_checks_a_password_like_a_wrong_password_does()
    {
        // The time a sign-in takes is the password check (PBKDF2): an unknown address must pay it too, exactly once,
        // or the answer's speed tells who has an account. Counted rather than timed, so a busy machine cannot blur it.
        var known = NewEmail("timed");
        await RegisterAsync(Client(), known);
        var client = Client();

        async Task<int> ChecksForAsync(string email)
        {
            var before = _hasher.Verifications;
            var response = await LoginAsync(client, email, "Not-the-password-1");
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Wrong email or password."));
            return _hasher.Verifications - before;
        }

        Assert.That(await ChecksForAsync(known), Is.EqualTo(1), "a wrong password is one check");
        Assert.That(await ChecksForAsync(NewEmail("nobody")), Is.EqualTo(1), "an unknown address costs the same check");
    }

    [GeneratedRegex("data-testid=\"form-errors\"[^>]*>(.*?)</div>", RegexOptions.Singleline)]
    private static partial Regex FormErrors();

    [GeneratedRegex("CfDJ8[A-Za-z0-9_-]+|nonce=\"[^\"]*\"")]
    private static partial Regex Tokens();
}
