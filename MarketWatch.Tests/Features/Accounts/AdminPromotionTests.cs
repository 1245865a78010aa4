using System.Net;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Accounts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MarketWatch.Tests.Features.Accounts;

/// <summary>Finding 5: <c>Admin:Email</c> becomes admin only once its address is proven (link or provider's verified claim).</summary>
public sealed class AdminPromotionTests : AppTest
{
    private const string AdminEmail = "chief@marketwatch.test";
    private const string ExternalAdminEmail = "external-chief@marketwatch.test";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Admin:Email"] = AdminEmail };

    protected override Action<IWebHostBuilder>? ConfigureApp => FakeExternalProvider.Configure;

    private async Task<bool> IsAdminAsync(string email)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByEmailAsync(email);
        return user is not null && await users.IsInRoleAsync(user, Registration.AdminRole);
    }

    [Test]
    public async Task The_configured_address_is_admin_only_after_its_link_is_opened()
    {
        var boss = Client();
        await RegisterAsync(boss, AdminEmail);
        await SignInAsync(boss, AdminEmail);
        Assert.That((await boss.GetAsync("/admin")).StatusCode, Is.Not.EqualTo(HttpStatusCode.OK), "an unproven address is not admin");
        Assert.That(await IsAdminAsync(AdminEmail), Is.False);

        await ConfirmEmailAsync(AdminEmail);
        Assert.That(await IsAdminAsync(AdminEmail), Is.True);
        var again = Client();
        await SignInAsync(again, AdminEmail);
        Assert.That((await again.GetAsync("/admin")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_external_sign_in_makes_the_configured_address_admin_only_with_the_providers_verified_claim()
    {
        // Google without email_verified: not proven (the provider's name alone no longer counts).
        var client = Client();
        var unverified = await FakeExternalProvider.SignInAsync(client, "Google", "google-1", ExternalAdminEmail, verified: false);
        Assert.That((int)unverified.StatusCode, Is.EqualTo(302));
        var user = await App.FindUserAsync(ExternalAdminEmail);
        Assert.That(user!.EmailConfirmed, Is.False);
        Assert.That(await IsAdminAsync(ExternalAdminEmail), Is.False);
    }

    [Test]
    public async Task A_verified_external_sign_in_to_the_configured_address_makes_it_admin()
    {
        await using var app = new MarketWatchFactory(DatabaseName, settings: new Dictionary<string, string?> { ["Admin:Email"] = ExternalAdminEmail + ".verified" },
            configure: FakeExternalProvider.Configure);
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        var response = await FakeExternalProvider.SignInAsync(client, "oidc", "oidc-1", ExternalAdminEmail + ".verified", verified: true);
        Assert.That((int)response.StatusCode, Is.EqualTo(302));
        Assert.That((await client.GetAsync("/admin")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}

/// <summary>Finding 5: with no <c>Admin:Email</c>, the first account becomes admin in Development only.</summary>
public sealed class FirstAccountOutsideDevelopmentTests : AppTest
{
    private sealed class Production : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;
        public string ApplicationName { get; set; } = "MarketWatch.Web";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }

    [Test]
    public async Task The_first_account_is_not_admin_outside_Development_even_once_confirmed()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var users = services.GetRequiredService<UserManager<ApplicationUser>>();
        var registration = new Registration(users, services.GetRequiredService<AccountMail>(), Options.Create(new AdminOptions()),
            [], new Production(), TimeProvider.System);
        var (result, user) = await registration.RegisterAsync(NewEmail("first"), Password, "First", "en", emailConfirmed: true);
        Assert.That(result.Succeeded, Is.True);
        Assert.That(await users.IsInRoleAsync(user, Registration.AdminRole), Is.False);
    }
}

/// <summary>Finding 5: <c>make-admin EMAIL</c>, the operator's way to name an admin.</summary>
public sealed class MakeAdminCommandTests : AppTest
{
    private Task<(int Code, string Output)> RunAsync(params string[] arguments) =>
        AppCommand.RunAsync(TestDatabase.ConnectionStringFor(DatabaseName), arguments);

    [Test]
    public async Task Make_admin_promotes_an_existing_account_and_refuses_an_unknown_address()
    {
        var email = NewEmail("operator");
        await RegisterAsync(Client(), email);
        var (code, output) = await RunAsync("make-admin", email);
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain($"{email} is an admin."));
        var client = Client();
        await SignInAsync(client, email);
        Assert.That((await client.GetAsync("/admin")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        (code, output) = await RunAsync("make-admin", "nobody@marketwatch.test");
        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain("no account with the address nobody@marketwatch.test"));
    }
}
