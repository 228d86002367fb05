using MassTransit;
using OpsBot.Contracts;
using OpsBot.Notifier.Pipeline;

namespace OpsBot.Notifier.Consumers;

/// <summary>
/// Delivers alerts to Teams from its own queue (<c>notifier-teams</c>), so a Teams outage never delays Slack.
/// The message is acknowledged only after the webhook accepted it (alone or in a digest).
/// </summary>
public sealed class TeamsAlertConsumer([FromKeyedServices(DeliveryChannel.Teams)] AlertPipeline pipeline) : IConsumer<AlertRaised>
{
    public const string Queue = "notifier-teams";

    public Task Consume(ConsumeContext<AlertRaised> context) => pipeline.ProcessAsync(context);
}

public sealed class TeamsAlertConsumerDefinition(NotifierOptions options)
    : AlertChannelConsumerDefinition<TeamsAlertConsumer>(options, TeamsAlertConsumer.Queue);
