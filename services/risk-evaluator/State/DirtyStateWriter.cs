using Polly;
using Polly.Retry;

namespace OpsBot.RiskEvaluator.State;

/// <summary>
/// Writes the keys whose write-through failed (Redis down or slow) once Redis answers again: a Polly retry with
/// exponential backoff and jitter (250 ms up to 10 s, for as long as it takes), each round writing the latest
/// state of every dirty key. On shutdown it makes one last bounded attempt.
/// </summary>
public sealed class DirtyStateWriter(RiskStatePersistence persistence, ILogger<DirtyStateWriter> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private readonly ResiliencePipeline _retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(250),
            MaxDelay = TimeSpan.FromSeconds(10),
            ShouldHandle = new PredicateBuilder().Handle<StillDirtyException>(),
        })
        .Build();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await persistence.WaitForDirtyAsync(Poll, stoppingToken);
                if (persistence.DirtyCount == 0) continue;
                await _retry.ExecuteAsync(static async (p, t) =>
                {
                    var remaining = await p.FlushDirtyAsync(t);
                    if (remaining > 0) throw new StillDirtyException(remaining);
                }, persistence, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (persistence.DirtyCount == 0) return;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        int remaining;
        try { remaining = await persistence.FlushDirtyAsync(cts.Token); }
        catch (OperationCanceledException) { remaining = persistence.DirtyCount; }
        if (remaining > 0)
            logger.LogWarning("Stopping with {Keys} risk states not written to Redis; those keys start from their last stored state", remaining);
    }

    private sealed class StillDirtyException(int remaining) : Exception($"{remaining} keys still dirty");
}
