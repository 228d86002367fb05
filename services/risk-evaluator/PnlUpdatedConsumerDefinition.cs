using MassTransit;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// How <see cref="PnlUpdatedConsumer"/> runs on each of the partition queues <c>risk-evaluator-pnl-&lt;i&gt;</c>
/// (<see cref="RiskPartitionTopology"/>): the broker gives a partition to one replica at a time, and the replica handles
/// the partition's messages one at a time, in queue order. Parallelism comes from the partitions (each endpoint runs
/// on its own), not from concurrency inside one: MassTransit hands each RabbitMQ delivery to the pipeline on a task of
/// its own, so with a concurrency limit above 1 two updates of one strategy can overtake each other before any
/// in-process partitioner sees them (MassTransit issue #1721; the topology comparison test caught it under load).
/// With a limit of 1 MassTransit's RabbitMQ consumer delivers strictly in order.
/// </summary>
public sealed class PnlUpdatedConsumerDefinition : ConsumerDefinition<PnlUpdatedConsumer>
{
    public PnlUpdatedConsumerDefinition() => ConcurrentMessageLimit = 1;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<PnlUpdatedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.ConcurrentMessageLimit = 1;
        endpointConfigurator.PrefetchCount = 64;
    }
}
