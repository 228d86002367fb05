namespace OpsBot.PlatformMetrics;

/// <summary>Told about every scrape, good or bad (pnl-ingest publishes kill-switch changes from it).</summary>
public interface IMetricsScrapeObserver
{
    Task OnScrapedAsync(ScrapeResult result, CancellationToken cancellationToken);
}
