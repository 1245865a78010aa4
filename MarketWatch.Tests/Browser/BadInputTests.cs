using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>Bad input shows field errors tied to their fields, stores nothing, and stored text is always shown encoded.</summary>
public sealed class BadInputTests : BrowserTest
{
    private Task<int> UserCountAsync() => App.WithDbAsync(db => Task.FromResult(db.Users.Count()));

    private async Task SubmitRegistrationAsync(string email, string name, string password, string confirm)
    {
        await Page.GotoAsync("/account/register");
        // Lift the browser's own length limits: the server must hold its ground without them.
        await Page.EvaluateAsync("document.querySelectorAll('[maxlength]').forEach(e => e.removeAttribute('maxlength'))");
        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Display name").FillAsync(name);
        await Page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await Page.GetByLabel("Confirm password").FillAsync(confirm);
        await Page.Locator("main form button[type=submit]").ClickAsync();
    }

    [Test]
    public async Task Empty_fields_show_an_error_on_each_field_and_focus_the_first()
    {
        var before = await UserCountAsync();
        await SubmitRegistrationAsync("", "", "", "");
        await Expect(Page.Locator("#Input_Email-error")).ToHaveTextAsync("Enter your email address.");
        await Expect(Page.Locator("#Input_DisplayName-error")).ToHaveTextAsync("Enter a display name.");
        await Expect(Page.Locator("#Input_Password-error")).ToHaveTextAsync("Enter a password.");
        await Expect(Page.Locator("#Input_ConfirmPassword-error")).ToHaveTextAsync("Enter the password again.");
        await Expect(Page.GetByLabel("Email")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(Page.GetByLabel("Email")).ToHaveAttributeAsync("aria-describedby", "Input_Email-error");
        await Expect(Page.GetByLabel("Email")).ToBeFocusedAsync();
        Assert.That(await UserCountAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Ten_thousand_character_values_are_refused_field_by_field()
    {
        var before = await UserCountAsync();
        var huge = new string('a', 10_000);
        await SubmitRegistrationAsync(huge + "@example.com", huge, huge, huge);
        await Expect(Page.Locator("#Input_Email-error")).ToHaveTextAsync("The email address can be at most 256 characters long.");
        await Expect(Page.Locator("#Input_DisplayName-error")).ToHaveTextAsync("The display name can be at most 60 characters long.");
        await Expect(Page.Locator("#Input_Password-error")).ToHaveTextAsync("The password can be at most 100 characters long.");
        Assert.That(await UserCountAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_script_in_the_display_name_is_a_field_error_and_nothing_is_stored()
    {
        var before = await UserCountAsync();
        await SubmitRegistrationAsync(NewEmail("xss"), "<script>alert('x')</script>", Password, Password);
        await Expect(Page.Locator("#Input_DisplayName-error")).ToHaveTextAsync("The display name cannot contain < or >.");
        Assert.That(await UserCountAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_stored_name_with_markup_is_shown_as_text_never_run()
    {
        // A name that slipped in before validation existed (or through another tool): the page must still encode it.
        const string name = "<img src=x onerror=\"document.title='pwned'\">";
        var email = NewEmail("legacy");
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var result = await users.CreateAsync(new ApplicationUser { UserName = email, Email = email, DisplayName = name, EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow }, Password);
            Assert.That(result.Succeeded, Is.True);
        }
        var dialogs = 0;
        Page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };

        await Page.GotoAsync("/account/login");
        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Password").FillAsync(Password);
        await Page.Locator("main form button[type=submit]").First.ClickAsync();

        await Expect(Page.GetByTestId("account-link")).ToHaveTextAsync(name);
        await Expect(Page.GetByTestId("welcome")).ToHaveTextAsync($"Welcome, {name}.");
        Assert.That(await Page.Locator("header img, main img").CountAsync(), Is.EqualTo(0));
        Assert.That(await Page.TitleAsync(), Is.Not.EqualTo("pwned"));
        Assert.That(dialogs, Is.EqualTo(0));
    }
}
