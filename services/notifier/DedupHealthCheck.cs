using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpsBot.Notifier.Pipeline;

namespace OpsBot.Notifier;

/// <summary>
/// Readiness entry <c>dedup</c>: healthy on Redis; degraded (still ready: /readyz answers 200) while dedup runs
/// in-process because Redis is unreachable, since alerts still flow but replicas may each send one.
/// </summary>
public sealed class DedupHealthCheck(DedupStage dedup) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(dedup.Degraded
            ? HealthCheckResult.Degraded("Redis unreachable: dedup and silences run in-process on this replica")
            : HealthCheckResult.Healthy("dedup on Redis"));
}
