using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure.Email;
using MarketWatch.Web.Host;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Trading;
using MarketWatch.Tests.Features.Trading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features;

public sealed class MaintenanceJobTests : AppTest
{
    // The tests run the job themselves and count what it purged: the app's own Hangfire server would run the same hourly
    // job on the same database whenever it falls due (at start-up too), purging rows before the test's run sees them.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Jobs:Server"] = "false" };

    [Test]
    public async Task Purges_old_finished_emails_and_week_old_unconfirmed_accounts_only()
    {
        var now = DateTimeOffset.UtcNow;
        await App.WithDbAsync(async db =>
        {
            db.Users.AddRange(
                new ApplicationUser { UserName = "stale@example.com", Email = "stale@example.com", NormalizedEmail = "STALE@EXAMPLE.COM", NormalizedUserName = "STALE@EXAMPLE.COM", CreatedAt = now.AddDays(-8) },
                new ApplicationUser { UserName = "fresh@example.com", Email = "fresh@example.com", NormalizedEmail = "FRESH@EXAMPLE.COM", NormalizedUserName = "FRESH@EXAMPLE.COM", CreatedAt = now.AddDays(-6) },
                new ApplicationUser { UserName = "old-ok@example.com", Email = "old-ok@example.com", NormalizedEmail = "OLD-OK@EXAMPLE.COM", NormalizedUserName = "OLD-OK@EXAMPLE.COM", EmailConfirmed = true, CreatedAt = now.AddDays(-400) });
            db.EmailMessages.AddRange(
                new EmailMessage { To = "a@example.com", Subject = "old sent", HtmlBody = "", TextBody = "", Status = EmailStatus.Sent, CreatedAt = now.AddDays(-31) },
                new EmailMessage { To = "a@example.com", Subject = "old pending", HtmlBody = "", TextBody = "", Status = EmailStatus.Pending, CreatedAt = now.AddDays(-31) },
                new EmailMessage { To = "a@example.com", Subject = "recent", HtmlBody = "", TextBody = "", Status = EmailStatus.Local, CreatedAt = now.AddDays(-1) });
            return await db.SaveChangesAsync();
        });

        await using var scope = App.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<MaintenanceJob>().RunAsync(CancellationToken.None);

        Assert.That(result, Is.EqualTo(new MaintenanceResult(EmailsPurged: 1, AccountsPurged: 1)));
        Assert.That(await App.FindUserAsync("stale@example.com"), Is.Null);
        Assert.That(await App.FindUserAsync("fresh@example.com"), Is.Not.Null);
        Assert.That(await App.FindUserAsync("old-ok@example.com"), Is.Not.Null);
        var subjects = await App.WithDbAsync(db => Task.FromResult(db.EmailMessages.Select(m => m.Subject).ToList()));
        Assert.That(subjects, Is.EquivalentTo(new[] { "old pending", "recent" }));
    }

    [Test]
    public async Task Purges_read_notifications_after_ninety_days_and_old_test_results_but_keeps_unread_ones_and_history()
    {
        var now = DateTimeOffset.UtcNow;
        var email = NewEmail("keep");
        await RegisterAsync(Client(), email);
        var userId = (await App.FindUserAsync(email))!.Id;
        await App.WithDbAsync(async db =>
        {
            db.AddRange(
                new InAppNotification { UserId = userId, CreatedAt = now.AddDays(-100), ReadAt = now.AddDays(-95) },
                new InAppNotification { UserId = userId, CreatedAt = now.AddDays(-100), ReadAt = now.AddDays(-10) },
                new InAppNotification { UserId = userId, CreatedAt = now.AddDays(-200) });
            db.AddRange(
                new Delivery { UserId = userId, Channel = Channel.Email, Status = DeliveryStatus.Sent, CreatedAt = now.AddDays(-31), CompletedAt = now.AddDays(-31) },
                new Delivery { UserId = userId, Channel = Channel.Email, Status = DeliveryStatus.Sent, CreatedAt = now.AddDays(-2), CompletedAt = now.AddDays(-2) });
            return await db.SaveChangesAsync();
        });

        await using var scope = App.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<MaintenanceJob>().RunAsync(CancellationToken.None);

        Assert.That((result.NotificationsPurged, result.TestDeliveriesPurged), Is.EqualTo((1, 1)));
        var left = await App.WithDbAsync(db => db.Set<InAppNotification>().Where(n => n.UserId == userId).CountAsync());
        Assert.That(left, Is.EqualTo(2), "the unread one and the recently read one stay");
    }
    [Test]
    public async Task An_old_paper_trading_delivery_is_history_and_stays_while_an_old_test_delivery_goes()
    {
        var now = DateTimeOffset.UtcNow;
        // A confirmed user written directly: registering would queue a confirmation email the other test counts.
        var userId = await App.WithDbAsync(async db =>
        {
            var user = new ApplicationUser { UserName = "paper-keep@example.com", Email = "paper-keep@example.com", NormalizedEmail = "PAPER-KEEP@EXAMPLE.COM",
                NormalizedUserName = "PAPER-KEEP@EXAMPLE.COM", EmailConfirmed = true, CreatedAt = now };
            db.Users.Add(user);
            await db.SaveChangesAsync();
            return user.Id;
        });
        var (iam, _) = await SocialTesting.InstrumentAsync(App, "IAM");
        var account = await SocialTesting.AccountAsync(App, userId, "Kept account", 10_000m, (await SocialTesting.SessionsAsync(App, iam))[^3]);
        var (_, events) = await SocialTesting.OrderAsync(App, account, userId, iam, OrderSide.Buy, 10, null, OrderState.Filled, 10, 1_000m, 2m, null,
            new PaperOrderEvent { Kind = OrderEventKind.Fill, State = OrderState.Filled, Time = now.AddDays(-40), Quantity = 10, Price = 100m, Fees = 2m });
        var (paper, test) = await App.WithDbAsync(async db =>
        {
            var paperDelivery = new Delivery
            {
                UserId = userId, Channel = Channel.Email, EventSource = TradingChannels.NoticeSource, SourceEventId = events[0], Status = DeliveryStatus.Sent,
                CreatedAt = now.AddDays(-40), CompletedAt = now.AddDays(-40),
            };
            var testDelivery = new Delivery { UserId = userId, Channel = Channel.Email, Status = DeliveryStatus.Sent, CreatedAt = now.AddDays(-40), CompletedAt = now.AddDays(-40) };
            db.AddRange(paperDelivery, testDelivery);
            await db.SaveChangesAsync();
            return (paperDelivery.Id, testDelivery.Id);
        });

        await using var scope = App.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<MaintenanceJob>().RunAsync(CancellationToken.None);

        var left = await App.WithDbAsync(db => db.Set<Delivery>().Where(d => d.UserId == userId).Select(d => d.Id).ToListAsync());
        Assert.That(left, Is.EqualTo(new[] { paper }), $"the paper fill's delivery stays as history, the test delivery {test} goes");
    }
}
