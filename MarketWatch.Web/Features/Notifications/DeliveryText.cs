using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Notifications;

/// <summary>One channel's result as the pages and the API show it.</summary>
public sealed record DeliverySummary(long Id, Channel Channel, DeliveryStatus Status, int Attempts, string? DetailKey, string[]? DetailArgs, DateTimeOffset? CompletedAt)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public Text? Detail => DetailKey is null ? null : new Text(DetailKey, DetailArgs ?? []);
}

/// <summary>One delivery with when it was asked for (a test's row shows that time).</summary>
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

    /// <summary>
    /// A transient failure's reason promises another attempt; once the sender gave up (the row Failed) the same
    /// cause is told without that promise. Every key of <see cref="ChannelResult.Retry"/> has its final wording here.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> FinalWording = new Dictionary<string, string>
    {
        ["The webhook answered {0}; it will be tried again."] = "The webhook answered {0}.",
        ["The webhook could not be reached; it will be tried again."] = "The webhook could not be reached.",
        ["The webhook did not answer within {0} seconds; it will be tried again."] = "The webhook did not answer within {0} seconds.",
        ["The push service could not be reached; it will be tried again."] = "The push service could not be reached.",
        ["Twilio answered {0}; the message will be tried again."] = "Twilio answered {0}.",
        ["Twilio could not be reached; the message will be tried again."] = "Twilio could not be reached.",
        ["The service could not be reached; it will be tried again."] = "The service could not be reached.",
    };

    /// <summary>Why a delivery is in its state, in the reader's language (a failed one also says how often it was tried).</summary>
    public static string? Detail(DeliverySummary delivery, IStringLocalizer L)
    {
        if (delivery.Detail is not { } detail)
        {
            return null;
        }
        if (delivery.Status != DeliveryStatus.Failed)
        {
            return detail.In(L);
        }
        var final = FinalWording.TryGetValue(detail.Key, out var key) ? detail with { Key = key } : detail;
        return final.In(L) + " " + L["Attempts made: {0}.", delivery.Attempts];
    }

    /// <summary>Only a failed delivery can be sent again: a skipped one was not sent on purpose (the user's settings, quiet hours, the daily limit).</summary>
    public static bool CanResend(DeliveryStatus status) => status == DeliveryStatus.Failed;

    public static string Status(DeliveryStatus status, IStringLocalizer L) => status switch
    {
        DeliveryStatus.Sent => L["Sent"],
        DeliveryStatus.Failed => L["Failed"],
        DeliveryStatus.Skipped => L["Not sent"],
        _ => L["Pending"],
    };
}
