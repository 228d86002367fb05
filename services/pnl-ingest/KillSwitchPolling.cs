using OpsBot.PlatformMetrics;
using OpsBot.ServiceDefaults;

namespace OpsBot.PnlIngest;

/// <summary>
/// The kill-switch polling path: a Quartz schedule scrapes <c>METRICS_URL</c> every
/// <c>METRICS_SCRAPE_INTERVAL</c> and <see cref="KillSwitchPublisher"/> publishes transitions of the gauge
/// <c>KILL_SWITCH_METRIC</c>. Off when <c>METRICS_URL</c> is not set.
/// </summary>
public static class KillSwitchPolling
{
    public static WebApplicationBuilder AddKillSwitchPolling(this WebApplicationBuilder builder)
    {
        var options = PlatformMetricsOptions.From(new Settings(builder.Configuration));
        if (options.MetricsUrl is null) return builder;
        builder.Services.AddPlatformMetricsScrape(options);
        builder.Services.AddSingleton<KillSwitchTracker>();
        builder.Services.AddSingleton<IMetricsScrapeObserver, KillSwitchPublisher>();
        return builder;
    }
}
