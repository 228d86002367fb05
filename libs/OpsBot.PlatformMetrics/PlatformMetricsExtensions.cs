using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace OpsBot.PlatformMetrics;

public static class PlatformMetricsExtensions
{
    /// <summary>
    /// The parser, the scrape state and, when <c>METRICS_URL</c> is set, a Quartz schedule that scrapes it every
    /// <c>METRICS_SCRAPE_INTERVAL</c> (first scrape at start).
    /// </summary>
    public static IServiceCollection AddPlatformMetricsScrape(this IServiceCollection services, PlatformMetricsOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(PrometheusTextParser.ForKillSwitch(options)); // keeps only what OpsBot reads
        services.AddSingleton<PlatformMetricsState>();
        services.AddSingleton<KillSwitchReader>();
        services.AddSingleton<MetricsScrapeRunner>();
        services.AddHttpClient<MetricsScraper>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        if (options.MetricsUrl is null) return services;

        var jobKey = new JobKey("platform-metrics-scrape");
        services.AddQuartz(q =>
        {
            q.AddJob<MetricsScrapeJob>(j => j.WithIdentity(jobKey).DisallowConcurrentExecution());
            q.AddTrigger(t => t.ForJob(jobKey).WithIdentity("platform-metrics-scrape-trigger").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(options.Interval).RepeatForever()));
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = false);
        return services;
    }
}
