using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpsBot.ServiceDefaults;

/// <summary>
/// The <c>rabbitmq</c> readiness check of every service: ready only while the bus is fully healthy.
/// MassTransit's own check reports a lost broker as "degraded", which does not make a service unready;
/// the operations guide's rule is stricter: not ready unless RabbitMQ is connected.
/// </summary>
public sealed class BusReadinessCheck(IBusControl bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = bus.CheckHealth();
        return Task.FromResult(health.Status == BusHealthStatus.Healthy
            ? HealthCheckResult.Healthy("connected")
            : HealthCheckResult.Unhealthy($"bus {health.Status.ToString().ToLowerInvariant()}: {health.Description}"));
    }
}
