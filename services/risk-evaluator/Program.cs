using OpsBot.RiskEvaluator;
using OpsBot.ServiceDefaults;

// risk-evaluator: PnlUpdated (and market data) -> AlertRaised.
return OpsBotService.Run(args, "risk-evaluator", builder =>
{
    builder.AddRiskEvaluator();
    builder.AddOpsBotBus(bus => bus.AddRiskConsumers(), (context, rabbit) => rabbit.AddRiskPartitionEndpoints(context));
});
