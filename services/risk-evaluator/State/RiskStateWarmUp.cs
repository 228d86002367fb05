namespace OpsBot.RiskEvaluator.State;

/// <summary>
/// Opens the Redis connection and loads the write script at start-up, in the background, so a key's first read
/// after a restart does not wait for the connection (and time out into empty state) while Redis is healthy.
/// </summary>
public sealed class RiskStateWarmUp(IServiceProvider services) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await services.GetRequiredService<RiskStateStore>().WarmUpAsync();
    }
}
