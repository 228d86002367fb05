namespace OpsBot.PlatformMetrics;

/// <summary>What the platform's metrics looked like at the last scrape, and whether they are fresh.</summary>
public enum MetricsHealth
{
    /// <summary>Scraped and parsed within the freshness window.</summary>
    Ok,
    /// <summary>Never scraped successfully, or not within the freshness window.</summary>
    NoData,
}

/// <summary>
/// The last scrape and the last good one. <c>/healthz</c> reads <see cref="Health"/>: <c>ok</c> while the last
/// good scrape (fetched and parsed, at least one valid sample) is younger than <c>METRICS_FRESHNESS</c>, so one
/// failed scrape inside the window does not flap it; <c>no-data</c> once the window passes without one.
/// </summary>
public sealed class PlatformMetricsState(PlatformMetricsOptions options, TimeProvider time)
{
    private readonly object _gate = new();
    private ScrapeResult? _last;
    private ScrapeResult? _lastGood;

    public ScrapeResult? Last { get { lock (_gate) return _last; } }

    public ScrapeResult? LastGood { get { lock (_gate) return _lastGood; } }

    public void Record(ScrapeResult result)
    {
        lock (_gate)
        {
            _last = result;
            if (result.Succeeded) _lastGood = result;
        }
    }

    public MetricsHealth Health()
    {
        lock (_gate)
        {
            if (_lastGood is null) return MetricsHealth.NoData;
            return time.GetUtcNow() - _lastGood.At <= options.Freshness ? MetricsHealth.Ok : MetricsHealth.NoData;
        }
    }

    public static string Label(MetricsHealth health) => health == MetricsHealth.Ok ? "ok" : "no-data";
}
