using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// How <see cref="PnlUpdatedConsumer"/> runs on each of the partition queues <c>risk-evaluator-pnl-&lt;i&gt;</c>
/// (<see cref="RiskPartitionTopology"/>): the broker gives a partition to one replica at a time, and inside the
/// replica one strategy's messages are handled one at a time and in order (the partitioner keys on account and
/// strategy), different strategies in parallel. One partitioner per partition endpoint.
/// </summary>
public sealed class PnlUpdatedConsumerDefinition : ConsumerDefinition<PnlUpdatedConsumer>
{
    /// <summary>Ordering slots of the in-process partitioner, per partition endpoint.</summary>
    public const int Partitions = 16;

    public PnlUpdatedConsumerDefinition() => ConcurrentMessageLimit = 32;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<PnlUpdatedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = 128;
        var partitioner = endpointConfigurator.CreatePartitioner(Partitions);
        consumerConfigurator.Message<PnlUpdated>(m => m.UsePartitioner(partitioner, c => $"{c.Message.Account}\n{c.Message.Strategy}"));
    }
}
