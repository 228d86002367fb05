using MassTransit;

namespace OpsBot.Notifier.Consumers;

/// <summary>
/// The endpoint of one delivery channel's consumer: its own queue, many alerts in flight at once (so those
/// that arrive while the channel is paced can fold into one digest), and broker-side delayed redelivery.
/// </summary>
public abstract class AlertChannelConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    private readonly int _concurrency;
    private readonly NotifierOptions _options;

    protected AlertChannelConsumerDefinition(NotifierOptions options, string queue)
    {
        EndpointName = queue;
        _options = options;
        _concurrency = options.ConcurrentAlerts;
        ConcurrentMessageLimit = _concurrency;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _concurrency;
        AlertRedelivery.Configure(endpointConfigurator, context, _options);
    }
}
