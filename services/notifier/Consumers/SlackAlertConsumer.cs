using MassTransit;
using OpsBot.Contracts;
using OpsBot.Notifier.Pipeline;

namespace OpsBot.Notifier.Consumers;

/// <summary>
/// Delivers alerts to Slack from its own queue (<c>notifier-slack</c>), so a Slack outage never delays Teams.
/// The message is acknowledged only after Slack accepted it (alone or in a digest).
/// </summary>
public sealed class SlackAlertConsumer([FromKeyedServices(DeliveryChannel.Slack)] AlertPipeline pipeline) : IConsumer<AlertRaised>
{
    public const string Queue = "notifier-slack";

    public Task Consume(ConsumeContext<AlertRaised> context) => pipeline.ProcessAsync(context);
}

public sealed class SlackAlertConsumerDefinition(NotifierOptions options)
    : AlertChannelConsumerDefinition<SlackAlertConsumer>(options, SlackAlertConsumer.Queue);
