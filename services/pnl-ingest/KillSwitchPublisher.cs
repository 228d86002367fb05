using MassTransit;
using OpsBot.Contracts;
using OpsBot.PlatformMetrics;

namespace OpsBot.PnlIngest;

/// <summary>
/// After each scrape of <c>METRICS_URL</c>, publishes every kill-switch transition as <c>KillSwitchChanged</c>.
/// The first state observed for a scope after start is published only when it is engaged: a switch found
/// released at start did not change (announcing "released" at every start would be false), one found engaged
/// must be known. This path needs neither Redis nor the PnL channel, so the kill switch still arrives while
/// Redis is down (the operations guide's runbook). A transition that cannot be published (broker down) is not
/// remembered, so the next scrape publishes it again.
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
        var known = tracker.Reported;
        foreach (var (scope, engaged) in tracker.Changes(reader.Read(metrics)))
        {
            if (!engaged && !known.ContainsKey(scope))
            {
                // First observation of a released switch: the starting point, not a change.
                tracker.Commit(scope, engaged);
                logger.LogInformation("Kill switch {Scope} is released (first observation from {Metric}; not a change, nothing published)", scope, options.KillSwitchMetric);
                continue;
            }
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
