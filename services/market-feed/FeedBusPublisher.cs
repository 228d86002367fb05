using MassTransit;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;

namespace OpsBot.MarketFeed;

/// <summary>
/// Drains the sink's queue onto the bus in batches, in order within a batch's sends. When the broker is
/// unreachable the failed events of a batch are published again until they go (a Polly retry with the shared
/// <see cref="RetryBackoff"/>: 250 ms doubling up to 5 s, jittered), holding the queue, which then fills and drops.
/// </summary>
public sealed class FeedBusPublisher(IBus bus, BusFeedSink sink, ILogger<FeedBusPublisher> logger) : BackgroundService
{
    private const int BatchSize = 256;
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly RetryBackoff OutageBackoff = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<IOpsBotMessage>(BatchSize);
        var outage = false;
        var publish = OutageBackoff.Pipeline<List<IOpsBotMessage>>(
            retryWhen: outcome => outcome.Result is { Count: > 0 },
            onRetry: _ =>
            {
                if (!outage) logger.LogWarning("Cannot publish market events to the bus; retrying (buffer bound applies)");
                outage = true;
                return ValueTask.CompletedTask;
            });
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await sink.Reader.WaitToReadAsync(stoppingToken)) break;
            }
            catch (OperationCanceledException) { break; }
            batch.Clear();
            while (batch.Count < BatchSize && sink.Reader.TryRead(out var next)) batch.Add(next);

            // Each attempt publishes what the previous one could not; the result is what is still unpublished.
            var pending = batch;
            try
            {
                pending = await publish.ExecuteAsync(async token => pending = await PublishAsync(pending, token), stoppingToken);
            }
            catch (OperationCanceledException) { break; }
            if (pending.Count > 0) break; // stopping: the retry gave up only because it was cancelled
            if (outage) logger.LogInformation("Publishing market events to the bus again");
            outage = false;
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
