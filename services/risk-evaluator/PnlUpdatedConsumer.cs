using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// Applies the loss rule and the drawdown rule to each PnL update and raises an alert when a
/// strategy crosses into a worse loss level or into a new drawdown breach.
/// </summary>
public sealed class PnlUpdatedConsumer(PnlLossRule rule, DrawdownMonitor drawdowns, AlertFactory alerts, ILogger<PnlUpdatedConsumer> logger) : IConsumer<PnlUpdated>
{
    public async Task Consume(ConsumeContext<PnlUpdated> context)
    {
        var update = context.Message;
        if (rule.Evaluate(update) is { } severity)
            await Raise(context, alerts.PnlLoss(update, severity, rule.Threshold));
        if (drawdowns.Observe(update.Account, update.Strategy, update.Total, update.AsOf) is { } drawdown)
            await Raise(context, alerts.Drawdown(update, drawdown, drawdowns.Threshold));
    }

    private async Task Raise(ConsumeContext context, AlertRaised alert)
    {
        logger.LogInformation("Raising {Severity} alert {DedupKey}: {Title}", alert.Severity, alert.DedupKey, alert.Title);
        await context.Publish(alert);
    }
}
