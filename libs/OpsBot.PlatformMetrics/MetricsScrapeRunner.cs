using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using OpsBot.ServiceDefaults;

namespace OpsBot.PlatformMetrics;

/// <summary>
/// One scrape round: scrape, record, tell the observers. Logs a failure once when the metrics go away
/// and once when they come back, never per scrape.
/// </summary>
public sealed class MetricsScrapeRunner : IDisposable
{
    private readonly MetricsScraper _scraper;
    private readonly PlatformMetricsState _state;
    private readonly IEnumerable<IMetricsScrapeObserver> _observers;
    private readonly ILogger<MetricsScrapeRunner> _logger;
    private readonly Meter _meter = OpsBotMetrics.CreateMeter("PlatformMetrics");
    private readonly Counter<long> _scrapes;
    private readonly Counter<long> _malformed;
    private readonly string _url; // METRICS_URL as it may be logged: no user info, no credential
    private readonly Counter<long> _dropped;
    private bool? _wasOk;
    private bool _wasDropping;

    public MetricsScrapeRunner(MetricsScraper scraper, PlatformMetricsState state, IEnumerable<IMetricsScrapeObserver> observers, PlatformMetricsOptions options, ILogger<MetricsScrapeRunner> logger)
    {
        _url = options.MetricsUrl is { } url ? UrlRedaction.Redact(url) : "(METRICS_URL not set)";
        _scraper = scraper;
        _state = state;
        _observers = observers;
        _logger = logger;
        _scrapes = _meter.CreateCounter<long>("opsbot.platform_metrics.scrapes", description: "Scrapes of METRICS_URL, by outcome");
        _malformed = _meter.CreateCounter<long>("opsbot.platform_metrics.malformed_lines", description: "Lines of METRICS_URL skipped as malformed");
        _dropped = _meter.CreateCounter<long>("opsbot.platform_metrics.samples_dropped", description: "Samples of the kill-switch gauge beyond the bound a scrape keeps");
    }

    public async Task<ScrapeResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var result = await _scraper.ScrapeAsync(cancellationToken);
        _state.Record(result);
        _scrapes.Add(1, new KeyValuePair<string, object?>("outcome", ScrapeResult.Label(result.Failure)));
        if (result.Metrics is { MalformedLines: > 0 } m)
        {
            _malformed.Add(m.MalformedLines);
            _logger.LogDebug("Skipped {Malformed} malformed metric lines, first: {First}", m.MalformedLines, m.Errors.FirstOrDefault());
        }
        var dropped = result.Metrics?.SamplesDropped ?? 0;
        if (dropped > 0)
        {
            _dropped.Add(dropped);
            if (!_wasDropping)
                _logger.LogWarning("METRICS_URL at {MetricsUrl} has more than {Max} samples of the metrics OpsBot reads; {Dropped} were dropped (counted in opsbot_platform_metrics_samples_dropped_total)",
                    _url, PrometheusTextParser.MaxSamplesKept, dropped);
        }
        _wasDropping = dropped > 0;

        if (result.Succeeded && _wasOk != true)
            _logger.LogInformation("Platform metrics scraped from {MetricsUrl}: {Detail}", _url, result.Detail);
        else if (!result.Succeeded && _wasOk != false)
            _logger.LogWarning("Platform metrics unavailable at {MetricsUrl}: {Failure}: {Detail}", _url, ScrapeResult.Label(result.Failure), result.Detail);
        _wasOk = result.Succeeded;

        foreach (var observer in _observers)
        {
            try { await observer.OnScrapedAsync(result, cancellationToken); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogError(e, "Metrics observer {Observer} failed", observer.GetType().Name);
            }
        }
        return result;
    }

    public void Dispose() => _meter.Dispose();
}
