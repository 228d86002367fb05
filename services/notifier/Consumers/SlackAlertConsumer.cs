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

public sealed class SlackAlertConsumerDefinition : ConsumerDefinition<SlackAlertConsumer>
{
    private readonly int _concurrency;
    private readonly NotifierOptions _options;

    public SlackAlertConsumerDefinition(NotifierOptions options)
    {
        EndpointName = SlackAlertConsumer.Queue;
        // Many alerts in flight at once, so those that arrive while the channel is paced can fold into one digest.
        _options = options;
        _concurrency = options.ConcurrentAlerts;
        ConcurrentMessageLimit = _concurrency;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<SlackAlertConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _concurrency;
        AlertRedelivery.Configure(endpointConfigurator, context, _options);
    }
}
