using MarketWatch.Tests.Features.Alerts;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Trading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>/admin/ticks: the seeded bands, a saved change that order entry applies at once, refusals on their row.</summary>
public sealed class OrderEntryTicksTests : OrderEntryTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["MarketData:Simulated:DemoMode"] = "true" };

    [Test]
    public async Task An_admin_edits_the_bands_and_order_entry_checks_against_the_new_grid()
    {
        await Ticks.WriteAsync(App, ("ATW", 600m));
        var admin = await AlertTesting.UserAsync(this, App, Client, "ticks-admin", admin: true);
        var browser = Client();
        await SignInAsync(browser, admin.Email);
        var page = await browser.GetStringAsync("/admin/ticks");
        Assert.That(page, Does.Contain("value=\"100\"").And.Contain("value=\"0.1\"").And.Contain("value=\"1000\""));

        var refused = await PostFormAsync(browser, "/admin/ticks", new Dictionary<string, string>
        {
            ["Bands[0].MinPrice"] = "10",
            ["Bands[0].Tick"] = "0.01",
            ["Bands[1].MinPrice"] = "100",
            ["Bands[1].Tick"] = "-1",
        });
        var html = await refused.Content.ReadAsStringAsync();
        Assert.That((int)refused.StatusCode, Is.EqualTo(200));
        Assert.That(html, Does.Contain("One band must start at 0 MAD").And.Contain("Enter a tick of more than 0"));
        Assert.That(await App.WithDbAsync(db => db.Set<TickSizeBand>().CountAsync()), Is.EqualTo(3), "nothing saved");

        var saved = await PostFormAsync(browser, "/admin/ticks", new Dictionary<string, string>
        {
            ["Bands[0].MinPrice"] = "0",
            ["Bands[0].Tick"] = "0.01",
            ["Bands[1].MinPrice"] = "100",
            ["Bands[1].Tick"] = "0.5",
            ["Bands[2].MinPrice"] = "",
            ["Bands[2].Tick"] = "",
        });
        Assert.That((int)saved.StatusCode, Is.EqualTo(302));
        var bands = await App.WithDbAsync(db => db.Set<TickSizeBand>().OrderBy(b => b.MinPrice).ToListAsync());
        Assert.That(bands.Select(b => (b.MinPrice, b.Tick)), Is.EqualTo(new[] { (0m, 0.01m), (100m, 0.5m) }));
        Assert.That(bands.All(b => b.UpdatedBy == admin.Email), Is.True);

        var (user, account) = await AccountAsync();
        var band = (await MarketAsync(user, account)).Band;
        var offGrid = Math.Floor(band.Low) + 0.2m + (Math.Floor(band.Low) + 0.2m < band.Low ? 1 : 0);
        var placed = await PlaceAsync(user, account, new OrderInput("ATW", OrderSide.Buy, OrderType.Limit, 1, offGrid, null, null, null));
        Assert.That(placed.Error!.Message.ToString(), Does.Contain("move in steps of 0.50 MAD"));
        Assert.That(band.Low % 0.5m, Is.Zero, "the thresholds fall on the new grid");
    }
}
