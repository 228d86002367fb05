using MassTransit;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// How <see cref="TickerReceivedConsumer"/> runs on each of the partition queues <c>risk-evaluator-ticker-&lt;i&gt;</c>
/// (<see cref="RiskPartitionTopology"/>): one replica at a time per partition, the partition's ticks one at a time in
/// queue order, so each symbol's ticks in order; the partitions run in parallel. Why not concurrency with an
/// in-process partitioner: see <see cref="PnlUpdatedConsumerDefinition"/>.
/// </summary>
public sealed class TickerReceivedConsumerDefinition : ConsumerDefinition<TickerReceivedConsumer>
{
    public TickerReceivedConsumerDefinition() => ConcurrentMessageLimit = 1;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TickerReceivedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.ConcurrentMessageLimit = 1;
        endpointConfigurator.PrefetchCount = 64;
    }
}
