using MassTransit;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// risk-evaluator's partitioned topology (docs/architecture.md, "Partitioned risk-evaluator"):
/// <code>
/// opsbot.pnl-updated.v2 ─► opsbot.pnl-updated.v1 (fanout, public) ─► risk-evaluator.pnl-partitions (x-consistent-hash)
///                                                                     ├─► risk-evaluator-pnl-0 … -{N-1}  (single active consumer)
/// opsbot.ticker-received.v1 (fanout, public) ───────────────────────► risk-evaluator.ticker-partitions (x-consistent-hash)
///                                                                     ├─► risk-evaluator-ticker-0 … -{N-1}
/// </code>
/// The hash exchanges route by the routing key, which every OpsBot publisher sets to the partition key
/// (<c>PartitionRoutingKeys</c>: account and strategy, or symbol). Only the v1 PnL exchange is bound: pnl-ingest
/// publishes one physical message that reaches the v2 exchange and, through the v2 → v1 binding, the v1 exchange, so
/// binding both would deliver every update twice. Each partition queue has single active consumer: every replica
/// subscribes to all N, the broker delivers a partition to one of them at a time and moves it to another when that
/// one goes away. Declared by MassTransit on every (re)connect; declaring what exists changes nothing.
/// </summary>
public sealed class RiskPartitionTopology(RiskPartitionOptions options)
{
    public const string PnlSourceExchange = "opsbot.pnl-updated.v1";
    public const string TickerSourceExchange = "opsbot.ticker-received.v1";
    public const string PnlHashExchange = "risk-evaluator.pnl-partitions";
    public const string TickerHashExchange = "risk-evaluator.ticker-partitions";
    public const string PnlQueuePrefix = "risk-evaluator-pnl-";
    public const string TickerQueuePrefix = "risk-evaluator-ticker-";
    /// <summary>The queues of the unpartitioned versions (one competing-consumer queue per message type).</summary>
    public const string LegacyPnlQueue = "risk-evaluator-pnl";
    public const string LegacyTickerQueue = "risk-evaluator-ticker";
    public const string ConsistentHashExchangeType = "x-consistent-hash";
    /// <summary>Every partition gets the same share of the hash space: the binding key of a consistent-hash binding is its weight.</summary>
    public const string PartitionWeight = "1";

    public int Partitions => options.Partitions;

    public static string PnlQueue(int partition) => PnlQueuePrefix + partition;
    public static string TickerQueue(int partition) => TickerQueuePrefix + partition;

    public bool IsPartitionQueue(string queue) =>
        (TryIndex(queue, PnlQueuePrefix, out var i) || TryIndex(queue, TickerQueuePrefix, out i)) && i < Partitions;

    /// <summary>The queue name of a RabbitMQ endpoint address (<c>rabbitmq://host/vhost/queue?…</c>).</summary>
    public static string QueueOf(Uri address)
    {
        var path = address.IsAbsoluteUri ? address.AbsolutePath : address.OriginalString;
        return Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
    }

    /// <summary>Adds the 2 × N partition endpoints, each with its consumer as its definition configures it.</summary>
    public void ConfigureEndpoints(IBusRegistrationContext context, IRabbitMqBusFactoryConfigurator cfg, bool quorumQueues)
    {
        for (var i = 0; i < Partitions; i++)
        {
            cfg.ReceiveEndpoint(PnlQueue(i), e =>
            {
                Partition(e, quorumQueues, PnlHashExchange, PnlSourceExchange);
                e.ConfigureConsumer<PnlUpdatedConsumer>(context);
            });
            cfg.ReceiveEndpoint(TickerQueue(i), e =>
            {
                Partition(e, quorumQueues, TickerHashExchange, TickerSourceExchange);
                e.ConfigureConsumer<TickerReceivedConsumer>(context);
            });
        }
    }

    private static void Partition(IRabbitMqReceiveEndpointConfigurator e, bool quorumQueues, string hashExchange, string sourceExchange)
    {
        // No binding per message type: the queue gets only its share, through the hash exchange.
        e.ConfigureConsumeTopology = false;
        e.SingleActiveConsumer = true;
        if (quorumQueues) e.SetQuorumQueue();
        e.Bind(hashExchange, hash =>
        {
            hash.ExchangeType = ConsistentHashExchangeType;
            hash.Durable = true;
            hash.AutoDelete = false;
            hash.RoutingKey = PartitionWeight;
            hash.Bind(sourceExchange, source =>
            {
                source.ExchangeType = "fanout";
                source.Durable = true;
                source.AutoDelete = false;
            });
        });
    }

    private static bool TryIndex(string queue, string prefix, out int index)
    {
        index = -1;
        return queue.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(queue.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index);
    }
}
