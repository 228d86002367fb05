using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.PnlIngest;

/// <summary>
/// Drains the buffer onto the bus as <c>PnlUpdatedV2</c> (which version-1 consumers read as <c>PnlUpdated</c>). When the broker is unreachable the updates
/// go back into the buffer (where newer ones replace them) and publishing resumes by itself.
/// </summary>
public sealed class PnlPublisher(
    IBus bus,
    ConflatingPnlBuffer buffer,
    PnlIngestMetrics metrics,
    ILogger<PnlPublisher> logger) : BackgroundService
{
    private const int BatchSize = 256;
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        var outage = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await buffer.WaitAsync(stoppingToken); }
            catch (OperationCanceledException) { break; }

            var batch = buffer.TakeBatch(BatchSize);
            if (batch.Count == 0) continue;

            var failed = await PublishAsync(batch, stoppingToken);
            metrics.Published(batch.Count - failed.Count);
            if (failed.Count == 0)
            {
                if (outage) logger.LogInformation("Publishing PnL to the bus again; {Waiting} strategies waiting", buffer.Count);
                outage = false;
                backoff = TimeSpan.FromMilliseconds(250);
                continue;
            }

            buffer.Return(failed);
            if (!outage) logger.LogWarning("Cannot publish PnL to the bus; holding the latest update per strategy (bound {Capacity}) and retrying", buffer.Capacity);
            outage = true;
            try { await Task.Delay(backoff, stoppingToken); }
            catch (OperationCanceledException) { break; }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private async Task<List<PnlUpdatedV2>> PublishAsync(List<PnlUpdatedV2> batch, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(PublishTimeout);
        var tasks = new Task[batch.Count];
        for (var i = 0; i < batch.Count; i++) tasks[i] = bus.Publish(batch[i], timeout.Token);
        try { await Task.WhenAll(tasks); }
        catch (Exception) when (!stoppingToken.IsCancellationRequested) { /* inspected per task below */ }
        catch (OperationCanceledException) { /* stopping: anything unsent stays in the buffer */ }

        var failed = new List<PnlUpdatedV2>();
        for (var i = 0; i < batch.Count; i++)
            if (!tasks[i].IsCompletedSuccessfully) failed.Add(batch[i]);
        return failed;
    }
}
