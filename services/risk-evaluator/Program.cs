using OpsBot.RiskEvaluator;
using OpsBot.ServiceDefaults;

// risk-evaluator: PnlUpdated (and market data) -> AlertRaised, on partition queues shared by its replicas.
return OpsBotService.Run(args, "risk-evaluator", builder =>
{
    builder.AddRiskEvaluator();
    builder.AddRiskPartitions();
    builder.AddOpsBotBus(bus => bus.AddPartitionedRiskConsumers(), (context, rabbit) => rabbit.AddRiskPartitionEndpoints(context));
});
