using MassTransit;
using OpsBot.Contracts;
using OpsBot.RiskEvaluator.State;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// Applies the loss rule and the drawdown rule to each PnL update: judges it against the strategy's state
/// (<see cref="StrategyEvaluator"/>, pure), publishes the alerts and resolutions and waits for the broker's confirms,
/// and only then commits the next state (memory, and Redis through <see cref="RiskStateCache"/>). A failed publish
/// leaves the state unchanged, so the retry or redelivery raises (or resolves) the same again (the notifier's dedup
/// folds a true duplicate); once committed, the state holds the outcome and a redelivery publishes nothing.
/// </summary>
public sealed class PnlUpdatedConsumer(
    StrategyEvaluator evaluator, RiskStateCache states, AlertFactory alerts, AlertPublisher publisher, RiskMetrics metrics,
    ILogger<PnlUpdatedConsumer> logger) : IConsumer<PnlUpdated>
{
    public async Task Consume(ConsumeContext<PnlUpdated> context)
    {
        var update = context.Message;
        var entry = await states.StrategyAsync(update.Account, update.Strategy, context.CancellationToken);
        var decision = evaluator.Evaluate(entry.State, update);
        if (decision.IsStale)
        {
            metrics.Ignored("pnl", "stale");
            logger.LogInformation("Ignoring PnL of {Account}/{Strategy} as of {AsOf:O}: older than the last one judged ({Last:O})",
                update.Account, update.Strategy, update.AsOf, entry.State.LastAsOf);
            return;
        }
        if (decision.Loss is { } severity)
            await publisher.PublishAsync(context, alerts.PnlLoss(update, severity, evaluator.LossThreshold));
        if (decision.Drawdown is { } drawdown)
            await publisher.PublishAsync(context, alerts.Drawdown(update, drawdown, evaluator.DrawdownThreshold));
        if (decision.LossResolved)
            await publisher.PublishAsync(context, alerts.PnlLossResolved(update, evaluator.LossThreshold, evaluator.Loss.Hysteresis));
        if (decision.DrawdownResolved is { } cleared)
            await publisher.PublishAsync(context, alerts.DrawdownResolved(update, cleared, evaluator.DrawdownThreshold, evaluator.Loss.Hysteresis));
        await states.CommitAsync(entry, decision.Next);
        if (decision.LossResolved) metrics.Resolved("pnl_loss");
        if (decision.DrawdownResolved is not null) metrics.Resolved("drawdown");
        metrics.Evaluated("pnl");
    }
}
