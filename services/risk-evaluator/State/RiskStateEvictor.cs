namespace OpsBot.RiskEvaluator.State;

/// <summary>Runs <see cref="RiskStateCache.EvictIdle"/> every quarter of <c>RISK_STATE_IDLE_EVICTION</c> (at least every second, at most every minute).</summary>
public sealed class RiskStateEvictor(RiskStateCache cache, RiskEvaluatorOptions options, TimeProvider time) : BackgroundService
{
    public static TimeSpan PeriodFor(TimeSpan idle) =>
        TimeSpan.FromTicks(Math.Clamp(idle.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PeriodFor(options.State.IdleEviction), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) cache.EvictIdle();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
