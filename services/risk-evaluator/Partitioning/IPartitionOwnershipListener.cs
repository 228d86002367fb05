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

/// <summary>The default: nothing is cached beyond what the rules keep, so nothing is dropped.</summary>
public sealed class NoPartitionOwnershipListener : IPartitionOwnershipListener
{
    public void OwnershipMayHaveChanged(string endpoint) { }
}
