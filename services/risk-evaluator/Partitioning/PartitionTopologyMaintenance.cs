using OpsBot.ServiceDefaults;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// Removes what an earlier topology left behind, once per process when the first partition endpoint is ready (again
/// on the next ready endpoint when the broker refused or went away), on a short-lived RabbitMQ.Client connection of
/// its own so that a refused operation never closes a consumer's channel:
/// <list type="bullet">
/// <item>the queues of the unpartitioned versions, <c>risk-evaluator-pnl</c> and <c>risk-evaluator-ticker</c>: their
/// exchange is unbound from the public exchange at once (they stop filling), then queue and exchange are deleted
/// if the queue is empty and nobody consumes it (during a rolling upgrade an old replica still drains it; the next
/// start deletes it, or <c>rabbitmqctl delete_queue risk-evaluator-pnl --if-empty</c>);</item>
/// <item>partition queues at or beyond <c>RISK_PARTITIONS</c> (the setting was lowered): unbound from the hash exchange,
/// deleted when empty and unused, otherwise left for their old consumer to drain, with a warning.</item>
/// </list>
/// Every step is idempotent and logged.
/// </summary>
public sealed class PartitionTopologyMaintenance(OpsBotBusSettings bus, RiskPartitionTopology topology, ILogger<PartitionTopologyMaintenance> logger)
{
    private int _state; // 0 not run, 1 running, 2 done

    public void RunOnceInBackground()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await RunAsync();
                Volatile.Write(ref _state, 2);
            }
            catch (Exception e)
            {
                logger.LogWarning("Partition topology clean-up did not finish ({Reason}); it runs again when a partition endpoint is next ready", e.Message);
                Volatile.Write(ref _state, 0);
            }
        });
    }

    public async Task RunAsync()
    {
        await using var connection = await bus.Broker.ConnectAsync("risk-evaluator-topology-maintenance");
        await RetireAsync(connection, RiskPartitionTopology.LegacyPnlQueue, RiskPartitionTopology.PnlSourceExchange, "", "an unpartitioned risk-evaluator");
        await RetireAsync(connection, RiskPartitionTopology.LegacyTickerQueue, RiskPartitionTopology.TickerSourceExchange, "", "an unpartitioned risk-evaluator");
        for (var i = topology.Partitions; i < RiskPartitionOptions.MaxPartitions; i++)
        {
            var pnl = await RetireAsync(connection, RiskPartitionTopology.PnlQueue(i), RiskPartitionTopology.PnlHashExchange, RiskPartitionTopology.PartitionWeight, $"a larger {RiskEvaluatorSettingNames.RiskPartitions}");
            var ticker = await RetireAsync(connection, RiskPartitionTopology.TickerQueue(i), RiskPartitionTopology.TickerHashExchange, RiskPartitionTopology.PartitionWeight, $"a larger {RiskEvaluatorSettingNames.RiskPartitions}");
            if (!pnl && !ticker) break;
        }
    }

    /// <summary>Unbinds <paramref name="queue"/>'s exchange from <paramref name="source"/> and deletes both when the queue is empty and unused. False when the queue does not exist.</summary>
    private async Task<bool> RetireAsync(IConnection connection, string queue, string source, string bindingKey, string origin)
    {
        QueueDeclareOk? state = null;
        if (!await TryAsync(connection, async c => state = await c.QueueDeclarePassiveAsync(queue))) return false;
        // MassTransit names the endpoint's exchange like its queue; the binding to the source runs exchange to exchange.
        if (await TryAsync(connection, c => c.ExchangeDeclarePassiveAsync(queue)) && await TryAsync(connection, c => c.ExchangeDeclarePassiveAsync(source)))
        {
            await using var channel = await connection.CreateChannelAsync();
            await channel.ExchangeUnbindAsync(destination: queue, source: source, routingKey: bindingKey);
        }
        // Unbound, it receives nothing more; quorum queues refuse queue.delete's if-unused and if-empty, so both are read first.
        if (await TryAsync(connection, async c => state = await c.QueueDeclarePassiveAsync(queue))
            && state is { MessageCount: 0, ConsumerCount: 0 }
            && await TryAsync(connection, c => c.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false)))
        {
            await TryAsync(connection, c => c.ExchangeDeleteAsync(queue, ifUnused: false));
            logger.LogInformation("Queue {Queue} (left by {Origin}) was empty and unused: unbound from {Source} and deleted", queue, origin, source);
        }
        else
        {
            logger.LogWarning("Queue {Queue} (left by {Origin}) is unbound from {Source} and no longer fills, but still holds messages or has a consumer, so it is kept; " +
                "a replica of the earlier version drains it. Once it is empty: rabbitmqctl delete_queue {Queue} --if-empty", queue, origin, source, queue);
        }
        return true;
    }

    /// <summary>Runs one operation on a channel of its own; false when the broker refused it (404, 406), which closes only that channel.</summary>
    private static async Task<bool> TryAsync<T>(IConnection connection, Func<IChannel, Task<T>> operation)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await operation(channel);
            return true;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode is 404 or 406)
        {
            return false;
        }
    }

    private static Task<bool> TryAsync(IConnection connection, Func<IChannel, Task> operation) =>
        TryAsync(connection, async c => { await operation(c); return true; });
}
