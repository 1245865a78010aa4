using System.Net;
using MarketWatch.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MarketWatch.Tests.Features.Accounts;

/// <summary>
/// Finding 13 with two instances on one database: a session cached on the other instance is refused within the
/// cache window (<c>Accounts:SessionCheckSeconds</c>, 5 s by default) after a password change.
/// </summary>
public sealed class SessionAcrossInstancesTests : AppTest
{
    [Test]
    public async Task A_password_change_ends_every_other_session_on_every_instance_but_keeps_the_one_that_made_it()
    {
        var email = NewEmail("stamp");
        await RegisterAsync(Client(), email);
        await using var second = new MarketWatchFactory(DatabaseName);
        var phone = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await SignInAsync(phone, email);
        Assert.That((await phone.GetAsync("/account/manage/email")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the phone is signed in (and its instance cached that)");
        var tablet = Client();
        await SignInAsync(tablet, email);
        var laptop = Client();
        await SignInAsync(laptop, email);

        var changed = await PostFormAsync(laptop, "/account/manage/password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = Password,
            ["Input.NewPassword"] = "Tangier-2030",
            ["Input.ConfirmPassword"] = "Tangier-2030",
        });
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));

        Assert.That((await laptop.GetAsync("/account/manage/email")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the browser that changed it stays in");
        Assert.That((await tablet.GetAsync("/account/manage/email")).StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "same instance: at once");
        await Eventually.TrueAsync(async () => (await phone.GetAsync("/account/manage/email")).StatusCode == HttpStatusCode.Redirect,
            "the phone, on the other instance, refused once its cache window (Accounts:SessionCheckSeconds) passed");
    }
}
