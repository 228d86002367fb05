using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// An engaged kill switch opens a critical incident <c>kill-switch:{scope}</c> (<c>AlertRaised</c>); its release resolves
/// it (<c>AlertResolved</c>, no alert). pnl-ingest publishes a change only on a transition, so one release is one resolution.
/// </summary>
public sealed class KillSwitchChangedConsumer(AlertFactory alerts, RiskMetrics metrics, ILogger<KillSwitchChangedConsumer> logger) : IConsumer<KillSwitchChanged>
{
    public async Task Consume(ConsumeContext<KillSwitchChanged> context)
    {
        var change = context.Message;
        if (change.Engaged)
        {
            var alert = alerts.KillSwitchEngaged(change);
            logger.LogWarning("Raising {Severity} alert {DedupKey}: {Title}", alert.Severity, alert.DedupKey, alert.Title);
            await context.Publish(alert);
            return;
        }
        var resolved = alerts.KillSwitchReleased(change);
        logger.LogWarning("Resolving {DedupKey}: {Reason}", resolved.DedupKey, resolved.Reason);
        await context.Publish(resolved);
        metrics.Resolved("kill_switch");
    }
}

public sealed class KillSwitchChangedConsumerDefinition : ConsumerDefinition<KillSwitchChangedConsumer>
{
    public KillSwitchChangedConsumerDefinition() => EndpointName = "risk-evaluator-kill-switch";
}
