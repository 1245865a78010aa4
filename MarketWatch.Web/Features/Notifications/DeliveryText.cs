using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>One channel's result as the pages and the API show it.</summary>
public sealed record DeliverySummary(long Id, Channel Channel, DeliveryStatus Status, int Attempts, string? DetailKey, string[]? DetailArgs, DateTimeOffset? CompletedAt)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public Text? Detail => DetailKey is null ? null : new Text(DetailKey, DetailArgs ?? []);
}

/// <summary>One channel of a test, with when it was asked for.</summary>
public sealed record TestDelivery(DateTimeOffset CreatedAt, DeliverySummary Delivery);

/// <summary>The words for channels and delivery states, in the reader's language.</summary>
public static class DeliveryText
{
    public static string Channel(Channel channel, IStringLocalizer L) => channel switch
    {
        Notifications.Channel.InApp => L["In the app"],
        Notifications.Channel.Email => L["Email"],
        Notifications.Channel.Push => L["Web push"],
        Notifications.Channel.Sms => L["SMS"],
        _ => L["Webhook"],
    };

    public static string Status(DeliveryStatus status, IStringLocalizer L) => status switch
    {
        DeliveryStatus.Sent => L["Sent"],
        DeliveryStatus.Failed => L["Failed"],
        DeliveryStatus.Skipped => L["Not sent"],
        _ => L["Pending"],
    };
}
