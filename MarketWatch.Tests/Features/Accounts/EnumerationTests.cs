using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;

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

    [Test]
    public async Task A_sign_in_for_an_unknown_address_takes_about_as_long_as_a_wrong_password()
    {
        // Ten accounts, one wrong password each (no lockout), against ten addresses without an account.
        var known = Enumerable.Range(0, 11).Select(_ => NewEmail("timed")).ToList();
        foreach (var email in known)
        {
            await RegisterAsync(Client(), email);
        }
        var unknown = Enumerable.Range(0, 11).Select(_ => NewEmail("nobody")).ToList();
        var client = Client();

        async Task<double> TimeAsync(string email)
        {
            var watch = Stopwatch.StartNew();
            var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Email"] = email,
                ["Input.Password"] = "Not-the-password-1",
                ["__RequestVerificationToken"] = _token,
            }));
            watch.Stop();
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Wrong email or password."));
            return watch.Elapsed.TotalMilliseconds;
        }

        var page = await (await client.GetAsync("/account/login")).Content.ReadAsStringAsync();
        _token = WebUtility.HtmlDecode(Token().Match(page).Groups[1].Value);
        // The first of each warms up (JIT, connection pool); the next ten alternate.
        await TimeAsync(known[0]);
        await TimeAsync(unknown[0]);
        var knownTimes = new List<double>();
        var unknownTimes = new List<double>();
        for (var i = 1; i < 11; i++)
        {
            knownTimes.Add(await TimeAsync(known[i]));
            unknownTimes.Add(await TimeAsync(unknown[i]));
        }
        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        var ratio = Median(unknownTimes) / Median(knownTimes);
        TestContext.Out.WriteLine($"median unknown {Median(unknownTimes):0.0} ms, known {Median(knownTimes):0.0} ms, ratio {ratio:0.00}");
        Assert.That(ratio, Is.GreaterThan(0.3), "an unknown address answers much faster than a wrong password");
    }

    private string _token = "";

    [GeneratedRegex("data-testid=\"form-errors\"[^>]*>(.*?)</div>", RegexOptions.Singleline)]
    private static partial Regex FormErrors();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("CfDJ8[A-Za-z0-9_-]+|nonce=\"[^\"]*\"")]
    private static partial Regex Tokens();
}
