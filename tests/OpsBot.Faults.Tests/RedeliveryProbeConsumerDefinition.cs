using MassTransit;
using OpsBot.ServiceDefaults;

namespace OpsBot.Faults.Tests;

public sealed class RedeliveryProbeConsumerDefinition : ConsumerDefinition<RedeliveryProbeConsumer>
{
    public static readonly TimeSpan[] Delays = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    public RedeliveryProbeConsumerDefinition() => EndpointName = RedeliveryProbeConsumer.Queue;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RedeliveryProbeConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseBrokerDelayedRedelivery(context, Delays);
}
