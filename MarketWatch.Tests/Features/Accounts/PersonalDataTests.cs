using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
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
    public async Task Download_includes_watchlists_alerts_and_notification_settings_and_delete_removes_them()
    {
        var user = await Alerts.AlertTesting.UserAsync(this, App, Client, "export");
        var alert = await Alerts.AlertTesting.CreateAsync(user.Api, new { ticker = "ATW", condition = "CrossesUp", level = 800, channels = new[] { "InApp" }, note = "breakout" });
        await user.Api.PutAsJsonAsync("/api/notifications/preferences", new
        {
            emailEnabled = false, pushEnabled = true, emailDailyCap = 5, pushDailyCap = 50, smsDailyCap = 10, webhookDailyCap = 50, quietStart = "22:00", quietEnd = "07:00",
        });
        var client = Client();
        await SignInAsync(client, user.Email);

        var response = await PostFormAsync(client, "/account/manage/privacy", new Dictionary<string, string>(), "/account/manage/privacy/Download");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(json.GetProperty("watchlists").GetArrayLength(), Is.GreaterThanOrEqualTo(1), "the default list made at sign-up");
        var exported = json.GetProperty("alerts")[0];
        Assert.That((exported.GetProperty("ticker").GetString(), exported.GetProperty("note").GetString()), Is.EqualTo(("ATW", "breakout")));
        Assert.That(json.GetProperty("notificationSettings").GetProperty("emailDailyCap").GetInt32(), Is.EqualTo(5));

        var deleted = await PostFormAsync(client, "/account/manage/privacy", new Dictionary<string, string> { ["Confirmation"] = Password }, "/account/manage/privacy/Delete");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Alerts.Alert>().AnyAsync(a => a.Id == alert)), Is.False);
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
