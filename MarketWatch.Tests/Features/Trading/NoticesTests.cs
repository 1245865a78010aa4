using System.Globalization;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Trading;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>Fill and rejection notices: worded per reader (language and time zone), linked to the account, shown in the notification centre.</summary>
public sealed class NoticesTests : AppTest
{
    private static readonly TimeZoneInfo Casablanca = TimeZoneInfo.FindSystemTimeZoneById("Africa/Casablanca");
    private static readonly DateTimeOffset FilledAt = new(2026, 11, 30, 10, 15, 0, TimeSpan.Zero);

    private string _userId = "";
    private int _account;
    private int _iam;
    private long _partial, _filled, _rejected, _entered;

    [OneTimeSetUp]
    public async Task SeedAsync()
    {
        var email = NewEmail("notices");
        await RegisterAsync(Client(), email);
        _userId = (await App.FindUserAsync(email))!.Id;
        (_iam, _) = await SocialTesting.InstrumentAsync(App, "IAM");
        var sessions = await SocialTesting.SessionsAsync(App, _iam);
        _account = await SocialTesting.AccountAsync(App, _userId, "Learning account", 100_000m, sessions[^5]);
        // A buy of 100 filled in two parts: 40 at 102.50, then 60 at 102.30 (average 102.38), fees 15.40 in all.
        var (_, buyEvents) = await SocialTesting.OrderAsync(App, _account, _userId, _iam, OrderSide.Buy, 100, 103m, OrderState.Filled, 100, 10_238m, 15.40m, null,
            new PaperOrderEvent { Kind = OrderEventKind.Entered, State = OrderState.Open, Time = FilledAt.AddMinutes(-5) },
            new PaperOrderEvent { Kind = OrderEventKind.Fill, State = OrderState.PartiallyFilled, Time = FilledAt, Quantity = 40, Price = 102.50m, Fees = 6.16m },
            new PaperOrderEvent { Kind = OrderEventKind.Fill, State = OrderState.Filled, Time = FilledAt.AddMinutes(3), Quantity = 60, Price = 102.30m, Fees = 9.24m });
        (_entered, _partial, _filled) = (buyEvents[0], buyEvents[1], buyEvents[2]);
        var (_, sellEvents) = await SocialTesting.OrderAsync(App, _account, _userId, _iam, OrderSide.Buy, 500, 120m, OrderState.Rejected, 0, 0, 0,
            "Not enough cash when the order filled.",
            new PaperOrderEvent { Kind = OrderEventKind.Rejected, State = OrderState.Rejected, Time = FilledAt, Reason = "Not enough cash when the order filled." });
        _rejected = sellEvents[0];
    }

    private async Task<IReadOnlyDictionary<long, Notice>> WordAsync(string culture, params long[] events)
    {
        var (ui, current) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = new CultureInfo(culture);
            await using var scope = App.Services.CreateAsyncScope();
            var source = scope.ServiceProvider.GetServices<INoticeSource>().Single(s => s.EventSource == TradingChannels.NoticeSource);
            return await source.EventsAsync(events, Casablanca, CancellationToken.None);
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (ui, current);
        }
    }

    [Test]
    public async Task A_partial_fill_says_how_many_of_the_order_at_what_price_in_english_french_and_arabic()
    {
        var en = (await WordAsync("en", _partial))[_partial];
        Assert.That(en.Title, Is.EqualTo("Bought 40 of 100 IAM at 102.50 MAD"));
        Assert.That(en.Body, Does.Contain("Learning account").And.Contain("30 Nov 2026, 11:15").And.Contain("(Africa/Casablanca)"),
            "the account and the time in the reader's zone (Casablanca is UTC+1)");
        Assert.That(en.LinkPath, Is.EqualTo($"/paper/{_account}"));
        Assert.That(en.Tag, Does.StartWith("paper-order-"));

        var fr = (await WordAsync("fr", _partial))[_partial];
        Assert.That(fr.Title, Does.StartWith("Achat de 40 sur 100 IAM à 102,50"));
        var ar = (await WordAsync("ar", _partial))[_partial];
        Assert.That(ar.Title, Does.Contain("تم شراء").And.Contain("IAM").And.Contain("MAD"));
    }

    [Test]
    public async Task A_fill_gives_the_total_quantity_the_average_price_and_the_fees()
    {
        var en = (await WordAsync("en", _filled))[_filled];
        Assert.That(en.Title, Is.EqualTo("Bought 100 IAM at 102.38 MAD on average"));
        Assert.That(en.Body, Does.StartWith("Order filled, fees 15.40 MAD — Learning account"));
        var fr = (await WordAsync("fr", _filled))[_filled];
        Assert.That(fr.Title, Does.StartWith("Achat de 100 IAM au prix moyen de 102,38"));
        Assert.That(fr.Body, Does.StartWith("Ordre exécuté, frais 15,40"));
        var ar = (await WordAsync("ar", _filled))[_filled];
        Assert.That(ar.Title, Does.Contain("بمتوسط سعر"));
        Assert.That(ar.Body, Does.Contain("الرسوم"));

        // The webhook carries the fields, invariant, for machines.
        var webhook = JsonSerializer.SerializeToElement(en.WebhookBody);
        Assert.That(webhook.GetProperty("type").GetString(), Is.EqualTo("paper.order.filled"));
        Assert.That(webhook.GetProperty("ticker").GetString(), Is.EqualTo("IAM"));
        Assert.That(webhook.GetProperty("filledQuantity").GetInt64(), Is.EqualTo(100));
        Assert.That(webhook.GetProperty("averagePrice").GetDecimal(), Is.EqualTo(102.38m));
        Assert.That(webhook.GetProperty("fees").GetDecimal(), Is.EqualTo(15.40m));
        Assert.That(webhook.GetProperty("accountId").GetInt32(), Is.EqualTo(_account));
        Assert.That(webhook.GetProperty("url").GetString(), Does.EndWith($"/paper/{_account}"));
    }

    [Test]
    public async Task A_rejection_gives_its_reason_translated()
    {
        var en = (await WordAsync("en", _rejected))[_rejected];
        Assert.That(en.Title, Is.EqualTo("Order rejected: buy 500 IAM"));
        Assert.That(en.Body, Does.StartWith("Not enough cash when the order filled. — Learning account"));
        var fr = (await WordAsync("fr", _rejected))[_rejected];
        Assert.That(fr.Title, Is.EqualTo("Ordre rejeté : achat de 500 IAM"));
        Assert.That(fr.Body, Does.StartWith("Liquidités insuffisantes"), "the engine's reason key is translated");
        var ar = (await WordAsync("ar", _rejected))[_rejected];
        Assert.That(ar.Title, Does.StartWith("تم رفض الأمر"));
        Assert.That(JsonSerializer.SerializeToElement(en.WebhookBody).GetProperty("type").GetString(), Is.EqualTo("paper.order.rejected"));
    }

    [Test]
    public async Task A_missing_event_or_one_that_is_not_told_gives_no_notice()
    {
        var worded = await WordAsync("en", _partial, _entered, 987_654_321);
        Assert.That(worded.Keys, Is.EquivalentTo(new[] { _partial }));
    }

    [Test]
    public async Task The_notification_centre_lists_a_paper_fill_next_to_an_alert_firing()
    {
        var email = NewEmail("centre");
        await RegisterAsync(Client(), email);
        var userId = (await App.FindUserAsync(email))!.Id;
        var account = await SocialTesting.AccountAsync(App, userId, "Centre account", 50_000m, (await SocialTesting.SessionsAsync(App, _iam))[^3]);
        var (_, events) = await SocialTesting.OrderAsync(App, account, userId, _iam, OrderSide.Buy, 10, null, OrderState.Filled, 10, 1_000m, 2m, null,
            new PaperOrderEvent { Kind = OrderEventKind.Fill, State = OrderState.Filled, Time = FilledAt, Quantity = 10, Price = 100m, Fees = 2m });
        await App.WithDbAsync(async db =>
        {
            var alert = new Alert { UserId = userId, InstrumentId = _iam, Condition = AlertCondition.PriceAbove, Level = 90m, CreatedAt = FilledAt, UpdatedAt = FilledAt };
            db.Set<Alert>().Add(alert);
            await db.SaveChangesAsync();
            var firing = new AlertFiring { AlertId = alert.Id, UserId = userId, InstrumentId = _iam, Condition = AlertCondition.PriceAbove, Level = 90m, Price = 91m, FiredAt = FilledAt, Source = "engine" };
            db.Set<AlertFiring>().Add(firing);
            await db.SaveChangesAsync();
            db.Set<InAppNotification>().AddRange(
                new InAppNotification { UserId = userId, EventId = firing.Id, CreatedAt = FilledAt },
                new InAppNotification { UserId = userId, EventSource = TradingChannels.NoticeSource, SourceEventId = events[0], CreatedAt = FilledAt.AddSeconds(1) });
            return await db.SaveChangesAsync();
        });
        var client = Client();
        await SignInAsync(client, email);
        var html = await client.GetStringAsync("/notifications");
        Assert.That(html, Does.Contain("Bought 10 IAM at 100.00 MAD on average"), "the paper fill, worded by paper trading");
        Assert.That(html, Does.Contain($"href=\"/paper/{account}\""));
        Assert.That(html, Does.Contain("IAM: Price at or above 90.00"), "the alert firing, worded by alerts, in the same list");
    }
}
