using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpsBot.MarketFeed;

/// <summary>Ready while the active client holds a connection on which the exchange confirmed a subscription.</summary>
public sealed class ExchangeHealthCheck(ActiveFeedClient active) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (active.Client is not { } client) return Task.FromResult(HealthCheckResult.Unhealthy("starting"));
        var stats = client.Stats;
        if (!stats.IsConnected) return Task.FromResult(HealthCheckResult.Unhealthy($"{client.Name} client not connected"));
        if (stats.SubscriptionConfirmations == 0) return Task.FromResult(HealthCheckResult.Unhealthy($"{client.Name} client waiting for the subscription"));
        return Task.FromResult(HealthCheckResult.Healthy($"{client.Name} client: {stats.Tickers} tickers, {stats.UserUpdates} user updates, {stats.Malformed} malformed, {stats.Gaps} gaps"));
    }
}
