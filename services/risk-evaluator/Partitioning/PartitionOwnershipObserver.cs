using System.Diagnostics.Metrics;
using MassTransit;
using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// Watches the partition endpoints and tells <see cref="IPartitionOwnershipListener"/> whenever one becomes ready
/// or stops or faults (a reconnect passes through both), counts those transitions
/// (<c>opsbot_risk_partition_endpoint_events_total{event}</c>), and runs <see cref="PartitionTopologyMaintenance"/>
/// once the first partition endpoint is ready. Single active consumer gives no signal of its own when the broker
/// hands this replica a partition; that only happens when the partition's previous consumer went away, so a replica
/// whose endpoint stayed subscribed all along never holds state another replica moved on.
/// </summary>
public sealed class PartitionOwnershipObserver(
    RiskPartitionTopology topology,
    IPartitionOwnershipListener listener,
    PartitionTopologyMaintenance maintenance,
    ILogger<PartitionOwnershipObserver> logger) : IReceiveEndpointObserver, IDisposable
{
    private readonly Meter _meter = OpsBotMetrics.CreateMeter("RiskEvaluator");
    private Counter<long>? _events;

    private Counter<long> Events => _events ??= _meter.CreateCounter<long>("opsbot.risk.partition_endpoint_events",
        description: "Partition endpoint transitions (ready, stopped, faulted); each tells the ownership listener");

    public Task Ready(ReceiveEndpointReady ready)
    {
        if (Notify(ready.InputAddress, "ready") is { } queue)
        {
            logger.LogInformation("Partition endpoint {Endpoint} is ready (subscribed; the broker makes one replica at a time its active consumer)", queue);
            maintenance.RunOnceInBackground();
        }
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed)
    {
        Notify(completed.InputAddress, "stopped");
        return Task.CompletedTask;
    }

    public Task Faulted(ReceiveEndpointFaulted faulted)
    {
        if (Notify(faulted.InputAddress, "faulted") is { } queue)
            logger.LogWarning("Partition endpoint {Endpoint} faulted ({Reason}); it resubscribes when the broker is back", queue, faulted.Exception?.Message);
        return Task.CompletedTask;
    }

    private string? Notify(Uri inputAddress, string transition)
    {
        var queue = RiskPartitionTopology.QueueOf(inputAddress);
        if (!topology.IsPartitionQueue(queue)) return null;
        Events.Add(1, new KeyValuePair<string, object?>("event", transition));
        try
        {
            listener.OwnershipMayHaveChanged(queue);
        }
        catch (Exception e)
        {
            logger.LogError(e, "The partition ownership listener failed for {Endpoint}", queue);
        }
        return queue;
    }

    public void Dispose() => _meter.Dispose();
}
