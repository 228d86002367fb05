namespace OpsBot.RiskEvaluator.State;

/// <summary>
/// The one call the partitioned consumers need: when a partition endpoint (re)connects — the only moment a key's
/// ownership can move between replicas with single-active-consumer queues — drop what this process holds so that
/// the next message of every key reads the key's state from Redis again (or this process's own pending write,
/// whichever is newer). Safe to call at any time and from any thread; costs one reload per key.
/// </summary>
public interface IRiskStateOwnership
{
    /// <summary>Drops every strategy's and symbol's in-memory state.</summary>
    void InvalidateAll();
}
