using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// How <see cref="TickerReceivedConsumer"/> runs on each of the partition queues <c>risk-evaluator-ticker-&lt;i&gt;</c>
/// (<see cref="RiskPartitionTopology"/>): one replica at a time per partition, one symbol's ticks in order (the
/// partitioner keys on the symbol), different symbols in parallel. One partitioner per partition endpoint.
/// </summary>
public sealed class TickerReceivedConsumerDefinition : ConsumerDefinition<TickerReceivedConsumer>
{
    public const int Partitions = 16;

    public TickerReceivedConsumerDefinition() => ConcurrentMessageLimit = 16;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TickerReceivedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = 128;
        var partitioner = endpointConfigurator.CreatePartitioner(Partitions);
        consumerConfigurator.Message<TickerReceived>(m => m.UsePartitioner(partitioner, c => c.Message.Symbol));
    }
}
