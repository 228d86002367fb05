using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.RiskEvaluator;

/// <summary>Applies the loss rule to each PnL update and raises an alert when a strategy crosses into a worse level.</summary>
public sealed class PnlUpdatedConsumer(PnlLossRule rule, AlertFactory alerts, ILogger<PnlUpdatedConsumer> logger) : IConsumer<PnlUpdated>
{
    public async Task Consume(ConsumeContext<PnlUpdated> context)
    {
        var update = context.Message;
        if (rule.Evaluate(update) is not { } severity) return;

        var alert = alerts.PnlLoss(update, severity, rule.Threshold);
        logger.LogInformation("Raising {Severity} alert {DedupKey}: {Title}", alert.Severity, alert.DedupKey, alert.Title);
        await context.Publish(alert);
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
