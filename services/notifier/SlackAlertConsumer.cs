using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.Notifier;

/// <summary>
/// Delivers alerts to Slack from its own queue (<c>notifier-slack</c>), so a Slack outage never
/// delays another channel. Publishes <c>AlertDelivered</c> on success.
/// </summary>
public sealed class SlackAlertConsumer(
    NotifierOptions options,
    SlackOptions slack,
    SlackApiClient client,
    SlackAlertFormatter formatter,
    TimeProvider time,
    ILogger<SlackAlertConsumer> logger) : IConsumer<AlertRaised>
{
    public async Task Consume(ConsumeContext<AlertRaised> context)
    {
        var alert = context.Message;
        if (!options.Enabled)
        {
            logger.LogInformation("Alert {DedupKey} not delivered: ALERT_ENABLE=false", alert.DedupKey);
            return;
        }

        var attempt = (context.GetRetryAttempt() + 1);
        var ts = await client.PostMessageAsync(formatter.Format(alert, slack.Channel), context.CancellationToken);
        logger.LogInformation("Alert {DedupKey} delivered to Slack channel {Channel} (ts {Ts}, attempt {Attempt})", alert.DedupKey, slack.Channel, ts, attempt);
        await context.Publish(new AlertDelivered
        {
            CorrelationId = alert.CorrelationId,
            Timestamp = time.GetUtcNow(),
            AlertId = alert.AlertId,
            DedupKey = alert.DedupKey,
            Channel = DeliveryChannel.Slack,
            Destination = slack.Channel,
            MessageRef = ts,
            Attempts = attempt,
        });
    }
}

public sealed class SlackAlertConsumerDefinition : ConsumerDefinition<SlackAlertConsumer>
{
    public SlackAlertConsumerDefinition()
    {
        EndpointName = "notifier-slack";
        ConcurrentMessageLimit = 8;
    }
}
