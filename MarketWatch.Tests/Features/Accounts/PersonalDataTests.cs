using System.Net;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;

namespace MarketWatch.Tests.Features.Accounts;

public sealed class PersonalDataTests : AppTest
{
    [Test]
    public async Task Download_returns_everything_the_account_owns_as_json()
    {
        var client = Client();
        var email = NewEmail();
        await RegisterAsync(client, email, displayName: "Salma");
        await SignInAsync(client, email);

        var response = await PostFormAsync(client, "/account/manage/privacy", new Dictionary<string, string>(), "/account/manage/privacy/Download");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(json.GetProperty("account").GetProperty("email").GetString(), Is.EqualTo(email));
        Assert.That(json.GetProperty("account").GetProperty("displayName").GetString(), Is.EqualTo("Salma"));
        Assert.That(json.GetProperty("emails").EnumerateArray().Select(e => e.GetProperty("subject").GetString()),
            Does.Contain("Confirm your email address"));
    }

    [Test]
    public async Task Delete_needs_the_password_then_removes_the_account_and_its_emails()
    {
        var client = Client();
        var email = NewEmail();
        await RegisterAsync(client, email);
        await SignInAsync(client, email);

        var wrong = await PostFormAsync(client, "/account/manage/privacy", new Dictionary<string, string> { ["Confirmation"] = "not-my-password" }, "/account/manage/privacy/Delete");
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await wrong.Content.ReadAsStringAsync(), Does.Contain("The password is wrong."));
        Assert.That(await App.FindUserAsync(email), Is.Not.Null);

        var right = await PostFormAsync(client, "/account/manage/privacy", new Dictionary<string, string> { ["Confirmation"] = Password }, "/account/manage/privacy/Delete");
        Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(await App.FindUserAsync(email), Is.Null);
        Assert.That(await App.LatestEmailToAsync(email), Is.Null);
        var manage = await client.GetAsync("/account/manage");
        Assert.That(manage.Headers.Location!.ToString(), Does.Contain("/account/login"), "the deleted account is signed out");
    }

    [Test]
    public async Task One_account_never_sees_another_accounts_data()
    {
        var alice = Client();
        var aliceEmail = NewEmail("alice");
        await RegisterAsync(alice, aliceEmail, displayName: "Alice");
        var bob = Client();
        var bobEmail = NewEmail("bob");
        await RegisterAsync(bob, bobEmail, displayName: "Bob");
        await SignInAsync(bob, bobEmail);

        var response = await PostFormAsync(bob, "/account/manage/privacy", new Dictionary<string, string>(), "/account/manage/privacy/Download");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(text, Does.Contain(bobEmail).And.Not.Contain(aliceEmail).And.Not.Contain("Alice"));
    }
}
