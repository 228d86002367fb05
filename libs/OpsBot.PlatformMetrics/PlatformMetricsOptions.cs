using OpsBot.ServiceDefaults;

namespace OpsBot.PlatformMetrics;

/// <summary>The names of the platform-metrics settings (listed in the README's table and docs/ops-bot.md).</summary>
public static class PlatformMetricsSettingNames
{
    public const string MetricsUrl = "METRICS_URL";
    public const string ScrapeInterval = "METRICS_SCRAPE_INTERVAL";
    public const string ScrapeTimeout = "METRICS_SCRAPE_TIMEOUT";
    public const string Freshness = "METRICS_FRESHNESS";
    public const string KillSwitchMetric = "KILL_SWITCH_METRIC";
    public const string KillSwitchScopeLabel = "KILL_SWITCH_SCOPE_LABEL";
}

/// <summary>
/// Where and how often the platform's Prometheus metrics are scraped, how long a good scrape counts
/// as fresh, and which gauge carries the kill switch (one series per scope label value; no label: <c>global</c>).
/// </summary>
public sealed record PlatformMetricsOptions(
    Uri? MetricsUrl,
    TimeSpan Interval,
    TimeSpan Timeout,
    TimeSpan Freshness,
    string KillSwitchMetric,
    string KillSwitchScopeLabel)
{
    public const string DefaultKillSwitchMetric = "trading_kill_switch_engaged";
    public const string DefaultScopeLabel = "scope";
    public const string GlobalScope = "global";

    public static PlatformMetricsOptions From(Settings settings)
    {
        Uri? url = null;
        if (settings.Optional(PlatformMetricsSettingNames.MetricsUrl) is { } raw)
        {
            if (!Uri.TryCreate(raw, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                throw new SettingsException($"{PlatformMetricsSettingNames.MetricsUrl} must be an http(s) URL such as http://platform:9100/metrics.");
        }
        var interval = TimeSpan.FromSeconds(settings.Double(PlatformMetricsSettingNames.ScrapeInterval, 15, 0.1, 3600));
        var timeout = TimeSpan.FromSeconds(settings.Double(PlatformMetricsSettingNames.ScrapeTimeout, 5, 0.1, 300));
        var freshness = TimeSpan.FromSeconds(settings.Double(PlatformMetricsSettingNames.Freshness, 60, 0.1, 86400));
        if (freshness < interval)
            throw new SettingsException($"{PlatformMetricsSettingNames.Freshness} ({freshness.TotalSeconds} s) must be at least {PlatformMetricsSettingNames.ScrapeInterval} ({interval.TotalSeconds} s).");
        var metric = settings.String(PlatformMetricsSettingNames.KillSwitchMetric, DefaultKillSwitchMetric);
        if (!metric.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':') || char.IsAsciiDigit(metric[0]))
            throw new SettingsException($"{PlatformMetricsSettingNames.KillSwitchMetric} must be a Prometheus metric name, got '{metric}'.");
        var label = settings.String(PlatformMetricsSettingNames.KillSwitchScopeLabel, DefaultScopeLabel);
        return new PlatformMetricsOptions(url, interval, timeout, freshness, metric, label);
    }

    /// <summary>Never prints user info or a credential of <c>METRICS_URL</c> (<see cref="UrlRedaction"/>).</summary>
    public override string ToString() =>
        $"PlatformMetricsOptions {{ MetricsUrl = {(MetricsUrl is null ? "(not set)" : UrlRedaction.Redact(MetricsUrl))}, Interval = {Interval}, Timeout = {Timeout}, Freshness = {Freshness}, KillSwitchMetric = {KillSwitchMetric}, KillSwitchScopeLabel = {KillSwitchScopeLabel} }}";
}
