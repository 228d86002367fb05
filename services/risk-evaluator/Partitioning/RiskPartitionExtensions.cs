using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator;

/// <summary>The wiring of risk-evaluator's partitioned endpoints (<see cref="RiskPartitionTopology"/>).</summary>
public static class RiskPartitionExtensions
{
    /// <summary>
    /// <c>RISK_PARTITIONS</c>, the topology, its clean-up, and the ownership listener (<see cref="RiskStateOwnershipListener"/> unless another
    /// <see cref="IPartitionOwnershipListener"/> is registered (a later registration wins).
    /// </summary>
    public static WebApplicationBuilder AddRiskPartitions(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(RiskPartitionOptions.From(new Settings(builder.Configuration)));
        builder.Services.AddSingleton<RiskPartitionTopology>();
        builder.Services.AddSingleton<PartitionTopologyMaintenance>();
        builder.Services.TryAddSingleton<IPartitionOwnershipListener, RiskStateOwnershipListener>();
        return builder;
    }

    /// <summary>
    /// The service's consumers: PnL and tickers only on the partition endpoints (<see cref="AddRiskPartitionEndpoints"/>),
    /// watched by <see cref="PartitionOwnershipObserver"/>; the kill switch, which has no per-key state, keeps its
    /// competing-consumer queue <c>risk-evaluator-kill-switch</c>.
    /// </summary>
    public static IBusRegistrationConfigurator AddPartitionedRiskConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<PnlUpdatedConsumer, PnlUpdatedConsumerDefinition>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<TickerReceivedConsumer, TickerReceivedConsumerDefinition>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<KillSwitchChangedConsumer, KillSwitchChangedConsumerDefinition>();
        bus.AddReceiveEndpointObserver<PartitionOwnershipObserver>();
        return bus;
    }

    /// <summary>The 2 × <c>RISK_PARTITIONS</c> partition endpoints of PnL and tickers.</summary>
    public static void AddRiskPartitionEndpoints(this IRabbitMqBusFactoryConfigurator cfg, IBusRegistrationContext context) =>
        context.GetRequiredService<RiskPartitionTopology>().ConfigureEndpoints(context, cfg, context.GetRequiredService<OpsBotBusSettings>().QuorumQueues);
}
