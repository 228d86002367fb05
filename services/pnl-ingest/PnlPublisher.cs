using MassTransit;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;

namespace OpsBot.PnlIngest;

/// <summary>
/// Drains the buffer onto the bus as <c>PnlUpdatedV2</c> (which version-1 consumers read as
/// <c>PnlUpdated</c>), keeping up to <see cref="MaxInFlight"/> publishes waiting for their broker
/// confirm at once (a window, not a batch barrier: one slow confirm holds back nothing else). The
/// buffer never hands out a strategy whose previous update is still in flight, so each strategy's
/// updates stay in order. When the broker is unreachable the updates go back into the buffer (where
/// newer ones replace them) and publishing resumes by itself: after each failed probe it waits longer
/// (the shared <see cref="RetryBackoff"/>: 250 ms doubling up to 5 s, jittered).
/// </summary>
public sealed class PnlPublisher(
    IBus bus,
    ConflatingPnlBuffer buffer,
    PnlIngestMetrics metrics,
    ILogger<PnlPublisher> logger) : BackgroundService
{
    public const int MaxInFlight = 512;
    private const int TakeAtOnce = 64;
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    /// <summary>Waits between probes while the broker is unreachable.</summary>
    private static readonly RetryBackoff ProbeBackoff = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));

    private readonly SemaphoreSlim _window = new(MaxInFlight, MaxInFlight);
    private long _failuresSinceSuccess;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new BackoffSequence(ProbeBackoff);
        var outage = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await buffer.WaitAsync(stoppingToken);
                if (Interlocked.Read(ref _failuresSinceSuccess) > 0)
                {
                    if (!outage) logger.LogWarning("Cannot publish PnL to the bus; holding the latest update per strategy (bound {Capacity}) and retrying", buffer.Capacity);
                    outage = true;
                    await Task.Delay(backoff.Next(), stoppingToken);
                    // Publish one update as a probe before opening the window again.
                    await PublishWindowAsync(1, stoppingToken);
                    continue;
                }
                if (outage)
                {
                    logger.LogInformation("Publishing PnL to the bus again; {Waiting} strategies waiting", buffer.Count);
                    outage = false;
                    backoff.Reset();
                }
                await PublishWindowAsync(TakeAtOnce, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }

        // Let what is in flight finish (or fail back into the buffer) before the bus stops.
        for (var i = 0; i < MaxInFlight; i++)
            if (!await _window.WaitAsync(PublishTimeout)) break;
    }

    private async Task PublishWindowAsync(int max, CancellationToken stoppingToken)
    {
        var batch = buffer.TakeBatch(max);
        foreach (var update in batch)
        {
            await _window.WaitAsync(stoppingToken);
            _ = PublishOneAsync(update, stoppingToken);
        }
    }

    private async Task PublishOneAsync(PnlUpdatedV2 update, CancellationToken stoppingToken)
    {
        using var activity = PnlTracing.StartPublish(update); // child of the update's Redis receive span (PnlTracing)
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(PublishTimeout);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await bus.Publish(update, timeout.Token);
            metrics.Confirmed(System.Diagnostics.Stopwatch.GetElapsedTime(started));
            Interlocked.Exchange(ref _failuresSinceSuccess, 0);
            metrics.Published(1);
            buffer.Completed(update);
        }
        catch (Exception e)
        {
            activity.Failed(e.GetType().Name);
            // Broker down, timeout or stopping: back into the buffer unless a newer update of the strategy arrived.
            Interlocked.Increment(ref _failuresSinceSuccess);
            buffer.Return([update]);
        }
        finally
        {
            _window.Release();
        }
    }
}
