using System.Net;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>The admin's fee schedule page: rates in percent with field errors, nothing saved on a bad one, the saved rates used by the next default.</summary>
public sealed class CoreFeesTests : CoreTestBase
{
    private async Task<(HttpClient Client, string Email)> AdminAsync()
    {
        var email = NewEmail("fees-admin");
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            if (!await roles.RoleExistsAsync(Registration.AdminRole))
            {
                await roles.CreateAsync(new IdentityRole(Registration.AdminRole));
            }
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
            Assert.That((await users.CreateAsync(user, Password)).Succeeded);
            await users.AddToRoleAsync(user, Registration.AdminRole);
        }
        var client = Client();
        await SignInAsync(client, email);
        return (client, email);
    }

    private static Dictionary<string, string> Rates(string brokerage = "0.6", string vat = "10") => new()
    {
        ["Input.BrokerageRate"] = brokerage,
        ["Input.ExchangeCommissionRate"] = "0.1",
        ["Input.SettlementRate"] = "0.2",
        ["Input.VatRate"] = vat,
        ["Input.CapitalGainsTaxRate"] = "15",
        ["Input.DividendWithholdingRate"] = "10",
    };

    private Task<FeeSchedule> StoredAsync() => App.WithDbAsync(db => db.FeeSchedules.AsNoTracking().SingleAsync());

    [Test]
    public async Task A_bad_rate_is_refused_on_its_field_and_a_saved_rate_is_the_next_default()
    {
        var (admin, email) = await AdminAsync();
        var page = await admin.GetStringAsync("/admin/fees");
        Assert.That(page, Does.Contain("value=\"0.6\"").And.Contain("These are the defaults; no admin has changed them yet."));
        Assert.That(await admin.GetStringAsync("/admin"), Does.Contain("href=\"/admin/fees\""));

        foreach (var (brokerage, vat) in new[] { ("60", "10"), ("-1", "10"), ("0.6", "abc"), ("0.6", "") })
        {
            var refused = await PostFormAsync(admin, "/admin/fees", Rates(brokerage, vat));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var html = await refused.Content.ReadAsStringAsync();
            var field = brokerage == "0.6" ? "VatRate" : "BrokerageRate";
            Assert.That(html, Does.Contain($"id=\"Input_{field}_error\" class=\"field-error\">Enter a rate from 0 to 50 %."), $"{brokerage} / {vat}");
        }
        var unchanged = await StoredAsync();
        Assert.That((unchanged.BrokerageRate, unchanged.VatRate, unchanged.UpdatedAt), Is.EqualTo((0.006m, 0.10m, (DateTimeOffset?)null)));

        var saved = await PostFormAsync(admin, "/admin/fees", Rates("0.4", "20"));
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var stored = await StoredAsync();
        Assert.That((stored.BrokerageRate, stored.VatRate, stored.UpdatedBy), Is.EqualTo((0.004m, 0.20m, email)));
        Assert.That(await admin.GetStringAsync("/admin/fees"), Does.Contain("value=\"0.4\"").And.Contain("Last changed by " + email));

        // The next buy's default: 10,000 × (0.4 % + 0.1 %) = 50; + 20 % VAT = 60.
        var user = await UserAsync();
        var id = await PortfolioAsync(user);
        var buy = await AddedAsync(user, id, Buy(await TickerAsync(), Day, 100, 100));
        Assert.That(buy.Fees, Is.EqualTo(60m));
    }

    [Test]
    public async Task The_page_is_for_admins_only()
    {
        var email = NewEmail("not-admin");
        var client = Client();
        await RegisterAsync(client, email);
        await ConfirmEmailAsync(email);
        await SignInAsync(client, email);
        var response = await client.GetAsync("/admin/fees");
        Assert.That(response.StatusCode, Is.Not.EqualTo(HttpStatusCode.OK));
    }
}
