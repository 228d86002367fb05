namespace OpsBot.RiskEvaluator;

/// <summary>
/// Told when this replica may have gained or lost partitions: a partition endpoint
/// (<c>risk-evaluator-pnl-&lt;i&gt;</c>, <c>risk-evaluator-ticker-&lt;i&gt;</c>) became ready (first start, and after
/// every reconnect to the broker) or stopped or faulted (the connection was lost). While the endpoint was away,
/// another replica may have owned the partition and moved its strategies' or symbols' state on, so whatever this
/// process holds in memory for keys of that endpoint may be stale and must be read again from the durable state.
/// Called on MassTransit's endpoint-observer thread: keep it quick and never throw.
/// </summary>
public interface IPartitionOwnershipListener
{
    /// <param name="endpoint">The partition queue's name, e.g. <c>risk-evaluator-pnl-3</c>.</param>
    void OwnershipMayHaveChanged(string endpoint);
}

/// <summary>
/// Drops every strategy's and symbol's in-memory risk state when a partition endpoint comes or goes, so the next
/// message of each key reads the state another replica may have moved on from Redis (the newer of Redis and this
/// process's own unwritten state, see <see cref="State.IRiskStateOwnership"/>).
/// </summary>
public sealed class RiskStateOwnershipListener(State.IRiskStateOwnership state, ILogger<RiskStateOwnershipListener> logger) : IPartitionOwnershipListener
{
    public void OwnershipMayHaveChanged(string endpoint)
    {
        state.InvalidateAll();
        logger.LogInformation("Partition endpoint {Endpoint} came or went: in-memory risk state dropped, reloaded from Redis per key", endpoint);
    }
}
