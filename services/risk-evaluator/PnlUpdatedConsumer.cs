using MassTransit;
using OpsBot.Contracts;
using OpsBot.RiskEvaluator.State;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// Applies the loss rule and the drawdown rule to each PnL update: judges it against the strategy's state
/// (<see cref="StrategyEvaluator"/>, pure), publishes the alerts and waits for the broker's confirms, and only
/// then commits the next state (memory, and Redis through <see cref="RiskStateCache"/>). A failed publish leaves
/// the state unchanged, so the retry or redelivery raises the same alert again (the notifier's dedup folds a
/// true duplicate).
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
        await states.CommitAsync(entry, decision.Next);
        metrics.Evaluated("pnl");
    }
}

/// <summary>
/// Queue <c>risk-evaluator-pnl</c>. Messages of one strategy are handled one at a time and in order
/// (the partitioner keys on account and strategy), different strategies in parallel.
/// </summary>
public sealed class PnlUpdatedConsumerDefinition : ConsumerDefinition<PnlUpdatedConsumer>
{
    public const int Partitions = 16;

    public PnlUpdatedConsumerDefinition()
    {
        EndpointName = "risk-evaluator-pnl";
        ConcurrentMessageLimit = 64;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<PnlUpdatedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = 256;
        var partitioner = endpointConfigurator.CreatePartitioner(Partitions);
        consumerConfigurator.Message<PnlUpdated>(m => m.UsePartitioner(partitioner, c => $"{c.Message.Account}\n{c.Message.Strategy}"));
    }
}
