namespace MarketWatch.Web.Features.Notifications;

/// <summary>
/// One log line per delivery attempt, with the delivery id, the channel, the cause (HTTP status, network error kind,
/// SMTP error) and how long the attempt took: a warning when it failed, debug when it went out. A stack trace only for
/// what is not an ordinary failure of the channel.
/// </summary>
public static partial class DeliveryLog
{
    public static void Attempt(ILogger logger, ClaimedDelivery delivery, ChannelResult result, TimeSpan elapsed, Exception? unexpected = null)
    {
        var ms = (long)elapsed.TotalMilliseconds;
        var cause = result.Cause ?? "-";
        switch (result.Outcome)
        {
            case ChannelOutcome.Retry or ChannelOutcome.Failed:
                Failed(logger, delivery.Id, delivery.Channel, delivery.Attempts, result.Outcome == ChannelOutcome.Retry ? "will retry" : "permanent", ms, cause,
                    result.Detail.ToString(), unexpected);
                break;
            default:
                Done(logger, delivery.Id, delivery.Channel, delivery.Attempts, result.Outcome, ms, cause);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Delivery {DeliveryId} over {Channel} failed (attempt {Attempt}, {Kind}) after {ElapsedMs} ms: {Cause}; {Reason}")]
    private static partial void Failed(ILogger logger, long deliveryId, Channel channel, int attempt, string kind, long elapsedMs, string cause, string reason, Exception? exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivery {DeliveryId} over {Channel} {Outcome} (attempt {Attempt}) in {ElapsedMs} ms: {Cause}")]
    private static partial void Done(ILogger logger, long deliveryId, Channel channel, int attempt, ChannelOutcome outcome, long elapsedMs, string cause);
}
