using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.RiskEvaluator;

/// <summary>Every kill-switch transition is a critical alert.</summary>
public sealed class KillSwitchChangedConsumer(AlertFactory alerts, ILogger<KillSwitchChangedConsumer> logger) : IConsumer<KillSwitchChanged>
{
    public async Task Consume(ConsumeContext<KillSwitchChanged> context)
    {
        var alert = alerts.KillSwitch(context.Message);
        logger.LogWarning("Raising {Severity} alert {DedupKey}: {Title}", alert.Severity, alert.DedupKey, alert.Title);
        await context.Publish(alert);
    }
}

public sealed class KillSwitchChangedConsumerDefinition : ConsumerDefinition<KillSwitchChangedConsumer>
{
    public KillSwitchChangedConsumerDefinition() => EndpointName = "risk-evaluator-kill-switch";
}
