using MassTransit;
using OpsBot.Contracts;
using OpsBot.PlatformMetrics;

namespace OpsBot.PnlIngest;

/// <summary>
/// After each scrape of <c>METRICS_URL</c>, publishes every kill-switch transition (and each scope's first
/// observed state after start) as <c>KillSwitchChanged</c>. This path needs neither Redis nor the PnL
/// channel, so the kill switch still arrives while Redis is down (the operations guide's runbook). A transition that
/// cannot be published (broker down) is not remembered, so the next scrape publishes it again.
/// </summary>
public sealed class KillSwitchPublisher(
    IBus bus,
    KillSwitchReader reader,
    KillSwitchTracker tracker,
    PlatformMetricsOptions options,
    TimeProvider time,
    ILogger<KillSwitchPublisher> logger) : IMetricsScrapeObserver
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    public async Task OnScrapedAsync(ScrapeResult result, CancellationToken cancellationToken)
    {
        if (result.Metrics is not { } metrics) return;
        foreach (var (scope, engaged) in tracker.Changes(reader.Read(metrics)))
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(PublishTimeout);
                await bus.Publish(new KillSwitchChanged
                {
                    CorrelationId = Guid.NewGuid(),
                    Timestamp = time.GetUtcNow(),
                    Engaged = engaged,
                    Scope = scope,
                    Source = options.KillSwitchMetric,
                }, timeout.Token);
                tracker.Commit(scope, engaged);
                logger.LogWarning("Kill switch {Scope} is now {State} (from {Metric})", scope, engaged ? "ENGAGED" : "released", options.KillSwitchMetric);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Cannot publish the kill switch change of {Scope} yet ({Error}); retrying at the next scrape", scope, e.GetType().Name);
            }
        }
    }
}
