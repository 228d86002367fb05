using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.MarketFeed;

/// <summary>
/// Drains the sink's queue onto the bus in batches, in order within a batch's sends. When the broker is
/// unreachable the failed events are retried with backoff (holding the queue, which then fills and drops).
/// </summary>
public sealed class FeedBusPublisher(IBus bus, BusFeedSink sink, ILogger<FeedBusPublisher> logger) : BackgroundService
{
    private const int BatchSize = 256;
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<IOpsBotMessage>(BatchSize);
        var backoff = TimeSpan.FromMilliseconds(250);
        var outage = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (batch.Count == 0)
            {
                try
                {
                    if (!await sink.Reader.WaitToReadAsync(stoppingToken)) break;
                }
                catch (OperationCanceledException) { break; }
                while (batch.Count < BatchSize && sink.Reader.TryRead(out var next)) batch.Add(next);
            }

            var failed = await PublishAsync(batch, stoppingToken);
            if (failed.Count == 0)
            {
                if (outage) logger.LogInformation("Publishing market events to the bus again");
                outage = false;
                backoff = TimeSpan.FromMilliseconds(250);
                batch.Clear();
                continue;
            }
            if (!outage) logger.LogWarning("Cannot publish market events to the bus; retrying (buffer bound applies)");
            outage = true;
            batch = failed;
            try { await Task.Delay(backoff, stoppingToken); }
            catch (OperationCanceledException) { break; }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private async Task<List<IOpsBotMessage>> PublishAsync(List<IOpsBotMessage> batch, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(PublishTimeout);
        var tasks = new Task[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            tasks[i] = batch[i] switch
            {
                TickerReceived t => bus.Publish(t, timeout.Token),
                UserUpdateReceived u => bus.Publish(u, timeout.Token),
                var other => bus.Publish(other, other.GetType(), timeout.Token),
            };
        }
        try { await Task.WhenAll(tasks); }
        catch (Exception) when (!stoppingToken.IsCancellationRequested) { /* inspected per task below */ }
        catch (OperationCanceledException) { }

        var failed = new List<IOpsBotMessage>();
        for (var i = 0; i < batch.Count; i++)
            if (!tasks[i].IsCompletedSuccessfully) failed.Add(batch[i]);
        return failed;
    }
}
