using Quartz;

namespace OpsBot.PlatformMetrics;

/// <summary>The Quartz job that scrapes <c>METRICS_URL</c> every <c>METRICS_SCRAPE_INTERVAL</c>; never two at once.</summary>
[DisallowConcurrentExecution]
public sealed class MetricsScrapeJob(MetricsScrapeRunner runner) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await runner.RunOnceAsync(cancellationToken);
}
