using System.Net;
using MarketWatch.Tests.Infrastructure;

namespace MarketWatch.Tests.Features.Accounts;

/// <summary>With Admin:Email unset, the first account created becomes admin; /admin and the Hangfire dashboard are admin-only.</summary>
public sealed class FirstAccountIsAdminTests : AppTest
{
    [Test]
    public async Task First_account_is_admin_and_only_admins_reach_admin_pages_and_the_jobs_dashboard()
    {
        var admin = Client();
        var adminEmail = NewEmail("admin");
        await RegisterAsync(admin, adminEmail);
        var member = Client();
        var memberEmail = NewEmail("member");
        await RegisterAsync(member, memberEmail);
        await SignInAsync(admin, adminEmail);
        await SignInAsync(member, memberEmail);

        var anonymous = Client();
        foreach (var path in new[] { "/admin", "/admin/outbox", "/admin/users", "/admin/jobs" })
        {
            var response = await anonymous.GetAsync(path);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), path);
            Assert.That(response.Headers.Location!.ToString(), Does.Contain("/account/login"), path);

            response = await member.GetAsync(path);
            Assert.That(response.Headers.Location?.ToString() ?? response.StatusCode.ToString(),
                Does.Contain("/account/access-denied").Or.EqualTo("Forbidden"), path);

            response = await admin.GetAsync(path);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
        }
        var users = await (await admin.GetAsync("/admin/users")).Content.ReadAsStringAsync();
        Assert.That(users, Does.Contain(memberEmail));
        var dashboard = await (await admin.GetAsync("/admin/jobs/recurring")).Content.ReadAsStringAsync();
        Assert.That(dashboard, Does.Contain("maintenance"));
    }
}

public sealed class ConfiguredAdminEmailTests : AppTest
{
    private const string AdminEmail = "boss@marketwatch.test";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Admin:Email"] = AdminEmail };

    [Test]
    public async Task Only_the_configured_address_becomes_admin()
    {
        var first = Client();
        var firstEmail = NewEmail("first");
        await RegisterAsync(first, firstEmail);
        await SignInAsync(first, firstEmail);
        Assert.That((await first.GetAsync("/admin")).StatusCode, Is.Not.EqualTo(HttpStatusCode.OK));

        var boss = Client();
        await RegisterAsync(boss, AdminEmail);
        await ConfirmEmailAsync(AdminEmail);
        await SignInAsync(boss, AdminEmail);
        Assert.That((await boss.GetAsync("/admin")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
